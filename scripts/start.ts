/**
 * `npm start`: the whole system on embedded defaults in one command — PostgreSQL and a Temporal
 * dev server with their data under .data/, migrations, demo data, the case worker and the API.
 * A second start finds everything the first one left. Ctrl-C stops it all in reverse order.
 *
 * `npm start -- --infra-only` starts just PostgreSQL and Temporal, for running `npm run api` and
 * `npm run worker` separately. DATABASE_URL or TEMPORAL_ADDRESS use external servers instead.
 *
 * NODE_ENV=production is not relaxed here: the API it starts follows the same production rules as
 * any other (no demo sign-in; codec keys, an OIDC issuer and protected metrics required).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import { loadConfig, type AppConfig } from '../infra/config';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { resolveTemporalCli } from '../infra/temporal-binaries';
import { startTemporalDevServer } from '../infra/temporal-dev-server';
import { onShutdownSignal } from './shutdown-signals';

/** Something started that must be stopped on the way out, latest first. */
interface Running {
  name: string;
  stop(): Promise<void>;
}

class StartAborted extends Error {}

const embeddedTemporalPort = 7233;
const embeddedPostgresPort = z.coerce.number().int().min(1).max(65_535).default(54_329);

function ensureTemporalCli(): void {
  try {
    resolveTemporalCli();
  } catch {
    console.log('Temporal CLI not found: running setup once…');
    execFileSync(process.execPath, [path.join(__dirname, 'setup.mjs')], { stdio: 'inherit' });
    resolveTemporalCli(); // still missing: its one-line error says what to install
  }
}

async function startSystem(running: Running[], stopRequested: () => boolean, infraOnly: boolean): Promise<void> {
  const track = (entry: Running) => {
    running.push(entry);
    if (stopRequested()) throw new StartAborted();
  };
  // The embedded stack serves the worker's Temporal metrics by default (set the variable empty to turn it off).
  let config: AppConfig = loadConfig({ TEMPORAL_WORKER_METRICS_ADDRESS: '127.0.0.1:9464', ...process.env });
  const externalTemporal = Boolean(process.env.TEMPORAL_ADDRESS);
  let uiUrl = '(external Temporal: see its own UI)';

  if (!config.databaseUrl) {
    const postgres = await startEmbeddedPostgres({
      dataDir: path.join(config.dataDir, 'postgres'),
      port: embeddedPostgresPort.parse(process.env.RETICULATE_PG_PORT || undefined),
    });
    track({ name: 'PostgreSQL', stop: () => postgres.stop() });
    config = { ...config, databaseUrl: postgres.url };
  }
  if (!externalTemporal) {
    ensureTemporalCli();
    const temporal = await startTemporalDevServer({
      dbFile: path.join(config.dataDir, 'temporal.db'),
      port: embeddedTemporalPort,
      uiPort: config.temporalUiPort,
      // The API started below serves the UI's remote codec: payloads decode for authorised users only.
      uiCodecEndpoint: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}/codec`,
      namespace: config.temporal.namespace,
      logFile: path.join(config.dataDir, 'temporal.log'),
    });
    track({ name: 'Temporal', stop: () => temporal.stop() });
    config = { ...config, temporal: { ...config.temporal, address: temporal.address } };
    uiUrl = temporal.uiUrl;
  }
  const databaseUrl = config.databaseUrl as string;

  if (infraOnly) {
    console.log(`\nPostgreSQL and Temporal are up. In other shells:\n`);
    console.log(`  export DATABASE_URL='${databaseUrl}' TEMPORAL_ADDRESS='${config.temporal.address}'`);
    console.log(`  npm run migrate && npm run seed; npm run worker; npm run api\n`);
    console.log(`Temporal UI  ${uiUrl}\n\nCtrl-C stops both.`);
    return;
  }

  // start.ts owns SIGINT/SIGTERM: without this the SDK would stop the worker before the API.
  const { Runtime } = await import('@temporalio/worker');
  const { workerTelemetryOptions } = await import('../workers/worker');
  const { coreRuntimeLogger } = await import('../infra/temporal-connection');
  Runtime.install({
    shutdownSignals: [],
    logger: coreRuntimeLogger(config),
    telemetryOptions: workerTelemetryOptions(config),
  });

  const { runMigrations } = await import('../infra/db/migrate');
  await runMigrations(databaseUrl);
  if (stopRequested()) throw new StartAborted();

  const { createPool } = await import('../infra/db/pool');
  const pool = createPool(databaseUrl);
  track({ name: 'database pool', stop: () => pool.end() });

  const { seedDemoData } = await import('./seed');
  const { users, serviceAccounts } = await seedDemoData(pool);
  if (stopRequested()) throw new StartAborted();

  // Always rebuilt (about two seconds): the console served is the one in the working tree.
  console.log('Building the web console…');
  execFileSync('npm', ['run', '--silent', 'build', '-w', 'web', '--', '--logLevel', 'warn', '--outDir', config.console.dir], { cwd: path.resolve(__dirname, '..'), stdio: 'inherit' });
  if (stopRequested()) throw new StartAborted();

  const { runCaseWorker } = await import('../workers/worker');
  const worker = await runCaseWorker({ config, pool });
  track({ name: 'case worker', stop: () => worker.shutdown() });

  const { startApiServer } = await import('../api/server');
  const api = await startApiServer({ config, pool });
  track({ name: 'API', stop: () => api.close() });

  console.log('\nReticulate is running.\n');
  console.log(`  Console      ${api.url}/${config.console.demoSignIn ? '   (sign in as a demo user)' : ''}`);
  console.log(`  API          ${api.url}`);
  console.log(`  API docs     ${api.url}/docs`);
  console.log(`  Temporal UI  ${uiUrl}`);
  console.log(`  Metrics      ${api.metricsUrl}${config.workerMetricsAddress ? `  (worker: http://${config.workerMetricsAddress}/metrics)` : ''}`);
  console.log(`  Data         ${config.dataDir}\n`);
  console.log('Demo users (get a bearer token with `npm run token -- <user id>`):');
  for (const user of users) {
    console.log(`  ${user.id.padEnd(38)} ${user.name.padEnd(24)} roles=${user.roles.join(',')} areas=${user.areas.join(',')} services=${user.services.join(',')}`);
  }
  const { serviceAccountLine } = await import('./seed');
  console.log(`\nToken issuer ${config.localIssuer.url} (JWKS at /.well-known/jwks.json, keys in ${config.localIssuer.keyFile})`);
  for (const account of serviceAccounts) console.log(`  ${serviceAccountLine(account)}`);
  console.log('\nCtrl-C stops everything.');
}

async function stopAll(running: Running[]): Promise<boolean> {
  let clean = true;
  for (const entry of running.reverse()) {
    try {
      await entry.stop();
      console.log(`  stopped ${entry.name}`);
    } catch (error) {
      clean = false;
      console.error(`  could not stop ${entry.name} cleanly: ${(error as Error).message}`);
    }
  }
  return clean;
}

async function main(): Promise<void> {
  const infraOnly = process.argv.includes('--infra-only');
  const running: Running[] = [];
  const { stopped, requested } = onShutdownSignal();

  let exitCode = 0;
  try {
    await startSystem(running, requested, infraOnly);
    await stopped;
  } catch (error) {
    if (!(error instanceof StartAborted)) {
      console.error(`npm start failed: ${(error as Error).message}`);
      exitCode = 1;
    }
  }
  if (!(await stopAll(running))) exitCode = 1;
  // Native handles (Temporal core, sockets) may linger after a clean stop; nothing is left to wait for.
  process.exit(exitCode);
}

void main();
