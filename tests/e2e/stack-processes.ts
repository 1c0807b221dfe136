/**
 * The production shape for end-to-end tests: the API (`npm run api`) and the worker
 * (`npm run worker`) as separate OS processes against the shared real PostgreSQL and Temporal,
 * driven over HTTP only. Processes can be killed with SIGKILL and started again.
 */
import { Pool } from 'pg';
import { loadConfig } from '../../infra/config';
import { runMigrations } from '../../infra/db/migrate';
import { openLocalIssuer } from '../../infra/local-issuer';
import { seedDemoData } from '../../scripts/seed';
import { freePort, startApiProcess, startWorkerProcess, type StackProcess } from '../support/processes';
import { createTestDatabase, testIssuerKeyFile, testTemporalAddress, uniqueName } from '../support/stack';

export interface E2EStack {
  baseUrl: string;
  /** Where the worker serves Temporal's worker metrics (Prometheus text). */
  workerMetricsUrl: string;
  env: Record<string, string>;
  api: StackProcess;
  worker: StackProcess;
  startApi(): Promise<StackProcess>;
  startWorker(): Promise<StackProcess>;
  token(userId: string): Promise<string>;
  pool: Pool;
  close(): Promise<void>;
}

/** Creates a database, seeds it, and starts the API and worker processes on a task queue of their own. */
export async function startE2EStack(extraEnv: Record<string, string> = {}): Promise<E2EStack> {
  const database = await createTestDatabase();
  await runMigrations(database.url);
  const pool = new Pool({ connectionString: database.url, max: 4 });
  await seedDemoData(pool);
  const port = await freePort();
  const workerMetricsPort = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: testTemporalAddress(),
    TEMPORAL_TASK_QUEUE: uniqueName('e2e-cases'),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    TEMPORAL_WORKER_METRICS_ADDRESS: `127.0.0.1:${workerMetricsPort}`,
    RETICULATE_ISSUER_KEY_FILE: testIssuerKeyFile(),
    ...extraEnv,
  };
  // The API process verifies against this issuer's JWKS (same key file, same issuer URL from HOST and PORT).
  const issuer = await openLocalIssuer(loadConfig(env));
  const baseUrl = `http://127.0.0.1:${port}`;

  const startApi = () => startApiProcess(env, baseUrl);
  const startWorker = () => startWorkerProcess(env);

  const stack: E2EStack = {
    baseUrl,
    workerMetricsUrl: `http://127.0.0.1:${workerMetricsPort}/metrics`,
    env,
    api: await startApi(),
    worker: await startWorker(),
    startApi,
    startWorker,
    token: (userId) => issuer.issueUserToken(userId),
    pool,
    async close() {
      await Promise.all([stack.api.stop(), stack.worker.stop()]);
      await pool.end();
      await database.drop();
    },
  };
  return stack;
}

/** A small HTTP client that returns status and JSON body, for assertions on what a person would get. */
export function httpClient(baseUrl: string) {
  return async function request<T = Record<string, unknown>>(
    method: string,
    url: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T; contentType: string }> {
    const response = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T, contentType: response.headers.get('content-type') ?? '' };
  };
}

/** Polls until `check` returns a value (not undefined), for what the clock moves (timers of a minute). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
