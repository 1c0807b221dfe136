/**
 * `npm run start:cluster`: the system in its production shape on this machine (infra/cluster-stack.ts)
 * — PostgreSQL holding the Temporal databases beside the read model, the Temporal services as
 * separate processes (frontend, history, matching, internal worker), two case workers and two API
 * instances — with its data under .data/cluster. Ctrl-C stops everything in reverse order; the next
 * start finds every case where it was. Runs beside `npm start` (other ports, other data).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ClusterStartAborted, defaultClusterStackPorts, startClusterStack, type ClusterStack } from '../infra/cluster-stack';
import { temporalServiceNames } from '../infra/temporal-cluster';
import { serviceAccountLine } from './seed';
import { onShutdownSignal } from './shutdown-signals';

const repoRoot = path.resolve(__dirname, '..');

function printSummary(stack: ClusterStack, dataDir: string): void {
  const ports = defaultClusterStackPorts;
  const relativeDataDir = path.relative(repoRoot, dataDir) || '.';
  console.log('\nReticulate is running on a Temporal cluster.\n');
  const [first] = stack.apis;
  console.log(`  Console      ${first.url}/   (sign in as a demo user; every instance sends the console to the token issuer's origin, ${first.name})`);
  for (const api of stack.apis) {
    console.log(`  ${api.name.padEnd(13)}${api.url}   docs ${api.url}/docs   metrics ${api.url}/metrics`);
  }
  for (const [index, worker] of stack.workers.entries()) {
    console.log(`  ${worker.name.padEnd(13)}pid ${worker.pid}   metrics http://127.0.0.1:${ports.workerMetrics[index]}/metrics`);
  }
  console.log(`  Temporal     ${stack.temporal.address} (namespace ${stack.temporal.namespace}); no web UI in this mode: .tools/bin/temporal workflow list --address ${stack.temporal.address}`);
  for (const name of temporalServiceNames) {
    const service = stack.temporal.services[name];
    console.log(`    ${name.padEnd(11)}pid ${String(service.pid).padEnd(8)} metrics http://127.0.0.1:${stack.temporal.ports.metrics[name]}/metrics`);
  }
  console.log(`  PostgreSQL   127.0.0.1:${ports.postgres} (databases reticulate, temporal, temporal_visibility)`);
  console.log(`  Data, logs   ${relativeDataDir}/ (logs in ${relativeDataDir}/logs and ${relativeDataDir}/temporal/logs)\n`);
  console.log(`Demo users (a bearer token: RETICULATE_DATA_DIR=${relativeDataDir} RETICULATE_ISSUER_URL=${stack.apis[0].url} npm run -s token -- <user id>):`);
  for (const user of stack.users) {
    console.log(`  ${user.id.padEnd(38)} ${user.name.padEnd(24)} roles=${user.roles.join(',')} areas=${user.areas.join(',')} services=${user.services.join(',')}`);
  }
  for (const account of stack.serviceAccounts) console.log(`  ${serviceAccountLine(account)}`);
  console.log('\nCtrl-C stops everything.');
}

async function main(): Promise<void> {
  const dataDir = path.join(path.resolve(process.env.RETICULATE_DATA_DIR || path.join(repoRoot, '.data')), 'cluster');
  const { stopped, requested } = onShutdownSignal(' (the servers stop with this process)');

  let exitCode = 0;
  let stack: ClusterStack | undefined;
  try {
    // Always rebuilt (a few seconds), as `npm start` does: the console served is the working tree's.
    console.log('Building the web console…');
    execFileSync('npm', ['run', '--silent', 'build', '-w', 'web', '--', '--logLevel', 'warn'], { cwd: repoRoot, stdio: 'inherit' });
    stack = await startClusterStack({
      dataDir,
      // Each process's own LOG_LEVEL, when given; warn keeps the log files small otherwise.
      appEnv: process.env.LOG_LEVEL ? { LOG_LEVEL: process.env.LOG_LEVEL } : {},
      log: (line) => console.log(line),
      stopRequested: requested,
    });
    printSummary(stack, dataDir);
    await stopped;
  } catch (error) {
    if (!(error instanceof ClusterStartAborted)) {
      console.error(`npm run start:cluster failed: ${(error as Error).message}`);
      exitCode = 1;
    }
  }
  if (stack) {
    try {
      await stack.stop((line) => console.log(`  ${line}`));
    } catch (error) {
      console.error(`  could not stop everything cleanly: ${(error as Error).message}`);
      exitCode = 1;
    }
  }
  // Native handles (Temporal core, sockets) may linger after a clean stop; nothing is left to wait for.
  process.exit(exitCode);
}

void main();
