/**
 * What the write path's chaos test drives (`ChaosStack`), and the embedded stack as one: four
 * killable parts in a temporary folder of its own, PostgreSQL (its own process group, fsync on), the
 * Temporal dev server (SQLite file), the case worker and the API (separate processes, as `npm run
 * worker` and `npm run api`). Each part can be SIGKILLed and started again on the same data, ports
 * and keys, as a crashed host would be restarted. The cluster's adapter is cluster-chaos-stack.ts.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { loadConfig } from '../../infra/config';
import { ensurePersonKeys } from '../../infra/codec/personal-data';
import { runMigrations } from '../../infra/db/migrate';
import { createPool } from '../../infra/db/pool';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../infra/embedded-postgres';
import { openLocalIssuer } from '../../infra/local-issuer';
import { connectTemporalClient } from '../../infra/temporal-connection';
import { startTemporalDevServer, type TemporalDevServer } from '../../infra/temporal-dev-server';
import { seedDemoData } from '../../scripts/seed';
import { freePort, startApiProcess, startWorkerProcess, type StackProcess } from '../support/processes';

export const stackParts = ['worker', 'api', 'temporal', 'postgres'] as const;
export type StackPart = (typeof stackParts)[number];

/** A stack the chaos test can load, crash and inspect, whatever runs it (embedded, cluster). */
export interface ChaosStack {
  /** Says what runs, for the printed report. */
  description: string;
  /**
   * Base URLs of the API instances. Commands are spread over them; one that gets no answer is sent
   * again, with the same Idempotency-Key, to another instance, as a load balancer would.
   */
  apiUrls: readonly string[];
  /** The harness's own pool and Temporal client (they reconnect by themselves after a restart). */
  pool: pg.Pool;
  temporal: Client;
  token(userId: string): Promise<string>;
  /** What the API processes started so far wrote (pino lines), killed ones included. */
  apiOutput(): string;
  /** What the worker processes started so far wrote, killed ones included (for a failed run's diagnosis). */
  workerOutput?(): string;
  /** Every part that can be killed. */
  parts: readonly string[];
  /** What each iteration kills, in turn (cycled): a list of parts killed at the same instant. */
  victims: ReadonlyArray<readonly string[]>;
  /** SIGKILLs the parts at once. */
  kill(parts: readonly string[]): Promise<void>;
  /** Starts the parts that are down, in dependency order, and resolves once each serves again. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the stack; `taskQueue` keeps its workflows apart from anything else on the machine. */
export async function startChaosStack({ taskQueue }: { taskQueue: string }): Promise<ChaosStack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reticulate-chaos-'));
  // Embedded PostgreSQL runs as the postgres user when we are root: it must reach the folder.
  chmodSync(dir, 0o755);
  const [pgPort, temporalPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const startPostgres = () => startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: pgPort });
  const startTemporal = () => startTemporalDevServer({ dbFile: path.join(dir, 'temporal.db'), port: temporalPort, logFile: path.join(dir, 'temporal.log') });

  let postgres: EmbeddedPostgres | null = await startPostgres();
  let temporalServer: TemporalDevServer | null = await startTemporal();
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: temporalServer.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RETICULATE_ISSUER_KEY_FILE: path.join(dir, 'issuer', 'keys.json'),
    RETICULATE_CODEC_KEYS: `chaos:${randomBytes(32).toString('base64')}`,
    // Notifications are not under test; their dispatcher would only add load.
    NOTIFICATIONS_ENABLED: 'false',
  };
  await runMigrations(postgres.url);
  const pool = createPool(postgres.url);
  await seedDemoData(pool);
  const config = loadConfig(env);
  const issuer = await openLocalIssuer(config);
  const temporal = await connectTemporalClient(config, ensurePersonKeys(pool, config));
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  const workers: StackProcess[] = [];
  const killing = new Set<StackProcess>();
  let closing = false;
  const startWorker = async () => {
    const started = await startWorkerProcess(env);
    workers.push(started);
    // A worker that exits without being killed is a finding in itself: say so at once, with its last words.
    started.child.once('exit', (code, signal) => {
      if (killing.has(started) || closing) return;
      console.error(`the worker exited on its own (code ${code}, signal ${signal}); its last output:\n${started.output().slice(-6000)}`);
    });
    return started;
  };
  let worker: StackProcess | null = await startWorker();
  const apis: StackProcess[] = [];
  const startApi = async () => {
    const started = await startApiProcess(env, baseUrl);
    apis.push(started);
    return started;
  };
  let api: StackProcess | null = await startApi();

  const stack: ChaosStack = {
    description: 'embedded stack: PostgreSQL, Temporal dev server (SQLite), one worker, one API',
    apiUrls: [baseUrl],
    pool,
    temporal,
    token: (userId) => issuer.issueUserToken(userId),
    apiOutput: () => apis.map((proc) => proc.output()).join('\n'),
    workerOutput: () => workers.map((proc, i) => `=== worker process ${i + 1}\n${proc.output()}`).join('\n'),
    parts: stackParts,
    // Each part alone, then all of them at once.
    victims: [...stackParts.map((part) => [part]), stackParts],
    async kill(parts) {
      await Promise.all(
        parts.map(async (part) => {
          if (!(stackParts as readonly string[]).includes(part)) throw new Error(`the embedded stack has no part ${part}`);
          if (part === 'worker' && worker) {
            killing.add(worker);
            await worker.kill().then(() => (worker = null));
          }
          if (part === 'api' && api) await api.kill().then(() => (api = null));
          if (part === 'temporal' && temporalServer) await temporalServer.kill().then(() => (temporalServer = null));
          if (part === 'postgres' && postgres) await postgres.kill().then(() => (postgres = null));
        }),
      );
    },
    async restart() {
      if (!postgres) postgres = await startPostgres();
      if (!temporalServer) temporalServer = await startTemporal();
      if (!worker) worker = await startWorker();
      if (!api) api = await startApi();
    },
    async close() {
      closing = true;
      await api?.stop();
      await worker?.stop();
      await temporal.connection.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await temporalServer?.stop();
      await postgres?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}
