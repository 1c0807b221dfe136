/**
 * The whole system in its production shape on one machine: an embedded PostgreSQL holding the
 * Temporal databases beside the read model, a Temporal cluster of separate service processes, the
 * read-model migrations and demo data, N case workers and N API instances as their own processes.
 * `npm run start:cluster` runs it; the cluster smoke test, the chaos test and the benchmark start
 * the same thing with their own data directory and ports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { hostname } from 'node:os';
import { Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { seedDemoData } from '../scripts/seed';
import type { DemoUser } from '../scripts/demo-users';
import { ensureEmbeddedKeyFile } from './codec/key-ring';
import { loadConfig } from './config';
import { runMigrations } from './db/migrate';
import { startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from './embedded-postgres';
import { openLocalIssuer } from './local-issuer';
import { freeClusterPort, startClusterProcess, type ClusterProcess } from './cluster-process';
import { defaultTemporalClusterPorts, freeTemporalClusterPorts, startTemporalCluster, type TemporalCluster, type TemporalClusterPorts } from './temporal-cluster';
import { ensureTemporalServerTools } from './temporal-server-build';
import { CASE_TASK_QUEUE } from '../domain/search-attributes';
import { WORKER_PROCESS_ENV } from './worker-process';

const repoRoot = path.resolve(__dirname, '..');
const host = '127.0.0.1';

export interface ClusterStackPorts {
  postgres: number;
  temporal: TemporalClusterPorts;
  /** One per API instance. */
  apis: number[];
  /** One per case worker: where it serves Temporal's worker metrics. */
  workerMetrics: number[];
}

/** Beside the embedded mode's ports (3000, 54329, 7233, 8233, 9464), so both modes can run at once. */
export const defaultClusterStackPorts: ClusterStackPorts = {
  postgres: 54_339,
  temporal: defaultTemporalClusterPorts,
  apis: [3001, 3002],
  workerMetrics: [9465, 9466],
};

export interface ClusterStackOptions {
  /** PostgreSQL data, Temporal configs and every process's log; kept between starts. */
  dataDir: string;
  ports?: ClusterStackPorts;
  /** fsync off: for throwaway test clusters only. */
  ephemeral?: boolean;
  ownProcessGroups?: boolean;
  /** Added to every worker's and API's environment (say LOG_LEVEL). */
  appEnv?: Record<string, string>;
  log?: (line: string) => void;
  /** Checked between steps: a Ctrl-C during the start stops what already runs and rejects with ClusterStartAborted. */
  stopRequested?: () => boolean;
}

/** The embedded PostgreSQL of the stack, which a chaos test may crash and start again. */
export interface ClusterPostgres {
  /** `postgres://` URL of the read model's database. */
  url: string;
  /** Superuser URL of the `postgres` database. */
  adminUrl: string;
  /** The postmaster's PID (from postmaster.pid; changes after a restart). */
  pid(): number;
  /** SIGKILL of the postmaster and its backends, like a crashed database host; resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same data and port (crash recovery replays its WAL). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface ApiInstance extends ClusterProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
}

export interface ClusterStack {
  postgres: ClusterPostgres;
  /** The read model. */
  databaseUrl: string;
  temporal: TemporalCluster;
  workers: ClusterProcess[];
  apis: ApiInstance[];
  /** The environment every worker and API instance shares (secrets by file, never inline). */
  appEnv: Record<string, string>;
  users: DemoUser[];
  serviceAccounts: DemoUser[];
  /** A bearer token for a demo user, signed by the issuer every API instance trusts. */
  token(userId: string): Promise<string>;
  /** Whether `worker` (its current incarnation) polls the case task queue. */
  workerPolling(worker: ClusterProcess): Promise<boolean>;
  /** Everything, in reverse start order; `report` hears of each part as it stops. */
  stop(report?: (line: string) => void): Promise<void>;
}

export class ClusterStartAborted extends Error {}

/** Free ports for a whole stack, for tests that must not collide with a running `start:cluster`. */
export async function freeClusterStackPorts({ apis = 2, workers = 2 } = {}): Promise<ClusterStackPorts> {
  const many = async (count: number) => {
    const ports: number[] = [];
    for (let index = 0; index < count; index += 1) ports.push(await freeClusterPort());
    return ports;
  };
  return { postgres: await freeClusterPort(), temporal: await freeTemporalClusterPorts(), apis: await many(apis), workerMetrics: await many(workers) };
}

/** Starts the stack; on any failure (or a stop request) stops what it started and rejects. */
export async function startClusterStack(options: ClusterStackOptions): Promise<ClusterStack> {
  const { ports = defaultClusterStackPorts, ephemeral = false, ownProcessGroups = true, log = () => undefined, stopRequested = () => false } = options;
  const dataDir = path.resolve(options.dataDir);
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  const stopAll = async (report: (line: string) => void = () => undefined) => {
    let firstError: Error | undefined;
    for (const { name, stop } of stops.reverse()) {
      await stop().then(
        () => report(`stopped ${name}`),
        (error: unknown) => {
          report(`could not stop ${name} cleanly: ${(error as Error).message}`);
          firstError ??= error as Error;
        },
      );
    }
    stops.length = 0;
    if (firstError) throw firstError;
  };
  const step = () => {
    if (stopRequested()) throw new ClusterStartAborted('start interrupted');
  };

  try {
    const tools = await ensureTemporalServerTools(log);
    step();
    log(`starting PostgreSQL on ${host}:${ports.postgres}…`);
    const postgres = await startPostgres({ dataDir: path.join(dataDir, 'postgres'), port: ports.postgres, ephemeral, ownProcessGroup: ownProcessGroups });
    stops.push({ name: 'PostgreSQL', stop: () => postgres.stop() });
    step();

    const temporal = await startTemporalCluster({ tools, postgresAdminUrl: postgres.adminUrl, dataDir: path.join(dataDir, 'temporal'), ports: ports.temporal, ownProcessGroups, log });
    stops.push({ name: 'the Temporal services', stop: () => temporal.stop() });
    step();

    log('migrating and seeding the read model…');
    await runMigrations(postgres.url);
    const pool = new Pool({ connectionString: postgres.url, max: 2 });
    const { users, serviceAccounts } = await seedDemoData(pool).finally(() => pool.end());
    step();

    const apiUrls = ports.apis.map((port) => `http://${host}:${port}`);
    const appEnv = sharedAppEnv({ dataDir, databaseUrl: postgres.url, temporal, issuerUrl: apiUrls[0], extra: options.appEnv });
    const issuer = await openLocalIssuer(loadConfig(appEnv));
    const connection = await Connection.connect({ address: temporal.address });
    stops.push({ name: 'the poller check connection', stop: () => connection.close() });
    const workerPolling = (worker: ClusterProcess) => hasPoller(connection, temporal.namespace, appEnv.TEMPORAL_TASK_QUEUE, worker.pid);

    const workers: ClusterProcess[] = [];
    for (const [index, metricsPort] of ports.workerMetrics.entries()) {
      const name = `worker-${index + 1}`;
      log(`starting case ${name}…`);
      const worker = await startClusterProcess({
        name,
        command: process.execPath,
        // `node --import tsx`, not the tsx CLI: the CLI forks a second process that a SIGKILL would orphan.
        args: ['--import', 'tsx', 'workers/worker.ts'],
        cwd: repoRoot,
        env: { ...WORKER_PROCESS_ENV, ...inheritedEnv(), ...appEnv, TEMPORAL_WORKER_METRICS_ADDRESS: `${host}:${metricsPort}` },
        logFile: path.join(dataDir, 'logs', `${name}.log`),
        ownProcessGroup: ownProcessGroups,
        ready: workerPolling,
      });
      workers.push(worker);
      stops.push({ name, stop: () => worker.stop() });
      step();
    }

    const apis: ApiInstance[] = [];
    for (const [index, port] of ports.apis.entries()) {
      const name = `api-${index + 1}`;
      const url = apiUrls[index];
      log(`starting ${name} on ${url}…`);
      const api = await startClusterProcess({
        name,
        command: process.execPath,
        args: ['--import', 'tsx', 'api/server.ts'],
        cwd: repoRoot,
        env: { ...inheritedEnv(), ...appEnv, PORT: String(port) },
        logFile: path.join(dataDir, 'logs', `${name}.log`),
        ownProcessGroup: ownProcessGroups,
        ready: async () => (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok,
      });
      apis.push(Object.assign(api, { url }));
      stops.push({ name, stop: () => api.stop() });
      step();
    }

    return {
      postgres,
      databaseUrl: postgres.url,
      temporal,
      workers,
      apis,
      appEnv,
      users,
      serviceAccounts,
      token: (userId) => issuer.issueUserToken(userId),
      workerPolling,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

async function startPostgres(options: EmbeddedPostgresOptions): Promise<ClusterPostgres> {
  let current: EmbeddedPostgres = await startEmbeddedPostgres(options);
  const pid = () => Number(readFileSync(path.join(options.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: current.url,
    adminUrl: current.adminUrl,
    pid,
    async kill() {
      // Backends die with the postmaster, as on a crashed host: outside its own process group they
      // would linger, holding shared memory, until they noticed. They are found before the postmaster
      // goes, while they are still its children.
      const backends = childProcessIds(pid());
      const killed = current.kill();
      for (const backend of backends) {
        try {
          process.kill(backend, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await killed;
    },
    async restart() {
      // Backends orphaned by a SIGKILL hold the shared memory for a moment: PostgreSQL refuses to start until they are gone.
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          current = await startEmbeddedPostgres(options);
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    },
    stop: () => current.stop(),
  };
}

/** The PIDs whose parent is `parent`, from /proc (Linux). */
function childProcessIds(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The parent PID is the second field after the command name (which may hold spaces and parentheses).
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) children.push(Number(entry));
    } catch {
      // It exited while we looked.
    }
  }
  return children;
}

/**
 * What every worker and API instance shares: the read model, the cluster's frontend, one master key
 * ring and one token issuer (key file and `iss`, the first instance's URL, as a load balancer's
 * would be). Keys travel as file paths so they never appear in a process listing.
 */
function sharedAppEnv({ dataDir, databaseUrl, temporal, issuerUrl, extra = {} }: { dataDir: string; databaseUrl: string; temporal: TemporalCluster; issuerUrl: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    HOST: host,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_TASK_QUEUE: CASE_TASK_QUEUE,
    RETICULATE_DATA_DIR: dataDir,
    // Empty inline values defer to the files (an inline value in the caller's shell would win otherwise).
    RETICULATE_CODEC_KEYS: '',
    RETICULATE_CODEC_KEYS_FILE: ensureEmbeddedKeyFile(dataDir),
    RETICULATE_ISSUER_URL: issuerUrl,
    RETICULATE_ISSUER_KEY_FILE: path.join(dataDir, 'issuer', 'keys.json'),
    NOTIFICATION_LINK_BASE_URL: issuerUrl,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** Our environment minus what would point a process elsewhere: an API key or TLS settings meant for another Temporal, another database. */
function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TEMPORAL_') && !key.startsWith('DATABASE_URL')));
}

/** The SDK's default worker identity is `<pid>@<hostname>`: a poller with it is that very process. */
async function hasPoller(connection: Connection, namespace: string, taskQueue: string, pid: number): Promise<boolean> {
  const identity = `${pid}@${hostname()}`;
  const { pollers } = await connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: 1 });
  return (pollers ?? []).some((poller) => poller.identity === identity);
}
