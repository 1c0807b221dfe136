/**
 * The stack a benchmark measures, in a temporary folder of its own: embedded PostgreSQL, a
 * Temporal dev server, migrations and demo data, then the worker and the API as separate
 * processes on loopback (the production shape, as `npm run worker` / `npm run api` run them).
 * `close` stops everything in reverse order and removes the folder.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { runMigrations } from '../infra/db/migrate';
import { createPool } from '../infra/db/pool';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { startTemporalDevServer } from '../infra/temporal-dev-server';
import { seedDemoData } from '../scripts/seed';
import { workerMetric } from './capacity-tools';
import { freePort, startApiProcess, startWorkerProcess } from '../tests/support/processes';

export interface BenchStack {
  dir: string;
  env: Record<string, string>;
  baseUrl: string;
  temporalAddress: string;
  pool: pg.Pool;
  /** Process ids of the API, the worker, the Temporal server and PostgreSQL's postmaster, to read their CPU counters. */
  pids: { api: number; worker: number; temporal: number; postgres: number };
  /** A Temporal metric of the stack's worker (its Prometheus endpoint), or undefined when not exported. */
  workerMetric(name: string): Promise<number | undefined>;
  /** Stops the stack's worker (SIGTERM, waits for its exit), for benchmarks that run workers of their own. */
  stopWorker(): Promise<void>;
  /** Runs `stop` when the stack closes (before the servers stop). */
  defer(stop: () => Promise<unknown>): void;
  close(): Promise<void>;
}

/** Starts the stack; `prepare` runs in the new folder first and returns extra process settings; `temporalSqlitePragmas` go to the dev server. */
export async function startBenchStack({
  prefix,
  taskQueue,
  prepare,
  temporalSqlitePragmas,
}: {
  prefix: string;
  taskQueue: string;
  prepare?: (dir: string) => Record<string, string>;
  temporalSqlitePragmas?: readonly string[];
}): Promise<BenchStack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  // Embedded PostgreSQL runs as the postgres user when we are root: it must reach the folder.
  chmodSync(dir, 0o755);
  const stops: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(`stop failed: ${(error as Error).message}`));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const extra = prepare?.(dir) ?? {};
    const postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort() });
    stops.push(() => postgres.stop());
    const temporal = await startTemporalDevServer({ dbFile: path.join(dir, 'temporal.db'), port: await freePort(), sqlitePragmas: temporalSqlitePragmas });
    stops.push(() => temporal.stop());
    const apiPort = await freePort();
    const env: Record<string, string> = {
      NODE_ENV: 'development',
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RETICULATE_ISSUER_KEY_FILE: path.join(dir, 'issuer', 'keys.json'),
      RETICULATE_CODEC_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      ...extra,
    };
    await runMigrations(postgres.url);
    const pool = createPool(postgres.url);
    stops.push(() => pool.end());
    await seedDemoData(pool);
    // The worker serves Temporal's metrics, as `npm start`'s does: the bench reads its cache size from them.
    const workerMetricsAddress = `127.0.0.1:${await freePort()}`;
    const worker = await startWorkerProcess({ TEMPORAL_WORKER_METRICS_ADDRESS: workerMetricsAddress, ...env });
    stops.push(() => worker.stop());
    const baseUrl = `http://127.0.0.1:${apiPort}`;
    const api = await startApiProcess(env, baseUrl);
    stops.push(() => api.stop());
    // The postmaster's pid is the first line of its pid file.
    const postgresPid = Number(readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const pids = { api: api.child.pid ?? 0, worker: worker.child.pid ?? 0, temporal: temporal.pid, postgres: postgresPid };
    return {
      dir,
      env,
      baseUrl,
      temporalAddress: temporal.address,
      pool,
      pids,
      workerMetric: (name) => workerMetric(workerMetricsAddress, name),
      stopWorker: () => worker.stop(),
      defer: (stop) => stops.push(stop),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
