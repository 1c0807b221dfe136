/**
 * The production shape for end-to-end tests: the API (`npm run api`) and the worker
 * (`npm run worker`) as separate OS processes against the shared real PostgreSQL and Temporal,
 * driven over HTTP only. Processes can be killed with SIGKILL and started again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { Pool } from 'pg';
import { issueAccessToken } from '../../api/auth/tokens';
import { runMigrations } from '../../infra/db/migrate';
import { seedDemoData } from '../../scripts/seed';
import { createTestDatabase, testTemporalAddress, uniqueName } from '../support/stack';

const repoRoot = path.resolve(__dirname, '..', '..');
const AUTH_SECRET = 'e2e-secret-that-is-long-enough-for-hs256-signing';

export interface StackProcess {
  child: ChildProcess;
  output: () => string;
  /** SIGKILL: no graceful shutdown, like a crashed host. */
  kill(): Promise<void>;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<void>;
}

export interface E2EStack {
  baseUrl: string;
  env: Record<string, string>;
  api: StackProcess;
  worker: StackProcess;
  startApi(): Promise<StackProcess>;
  startWorker(): Promise<StackProcess>;
  token(userId: string): Promise<string>;
  pool: Pool;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function spawnScript(script: string, env: Record<string, string>): StackProcess {
  // `node --import tsx` rather than the tsx CLI: the CLI forks a second process that SIGKILL would orphan.
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalAndWait = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { child, output: () => output, kill: () => signalAndWait('SIGKILL'), stop: () => signalAndWait('SIGTERM') };
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number, proc?: StackProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc && proc.child.exitCode !== null) throw new Error(`${what}: process exited early:\n${proc.output()}`);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${proc ? `:\n${proc.output()}` : ''}`);
}

/** Creates a database, seeds it, and starts the API and worker processes on a task queue of their own. */
export async function startE2EStack(): Promise<E2EStack> {
  const database = await createTestDatabase();
  await runMigrations(database.url);
  const pool = new Pool({ connectionString: database.url, max: 4 });
  await seedDemoData(pool);
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: testTemporalAddress(),
    TEMPORAL_TASK_QUEUE: uniqueName('e2e-cases'),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RETICULATE_AUTH_SECRET: AUTH_SECRET,
  };
  const baseUrl = `http://127.0.0.1:${port}`;

  const startApi = async () => {
    const proc = spawnScript('api/server.ts', env);
    await waitFor(async () => (await fetch(`${baseUrl}/readyz`)).ok, 'API ready', 60_000, proc);
    return proc;
  };
  const startWorker = async () => {
    const proc = spawnScript('workers/worker.ts', env);
    // The worker is up once it polls: Temporal reports a poller on the task queue.
    await waitFor(async () => proc.output().includes('RUNNING') || (await hasPoller(env.TEMPORAL_TASK_QUEUE)), 'worker polling', 90_000, proc);
    return proc;
  };

  const stack: E2EStack = {
    baseUrl,
    env,
    api: await startApi(),
    worker: await startWorker(),
    startApi,
    startWorker,
    token: (userId) => issueAccessToken(AUTH_SECRET, userId),
    pool,
    async close() {
      await Promise.all([stack.api.stop(), stack.worker.stop()]);
      await pool.end();
      await database.drop();
    },
  };
  return stack;
}

async function hasPoller(taskQueue: string): Promise<boolean> {
  const { Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({ address: testTemporalAddress() });
  try {
    const response = await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 });
    return (response.pollers?.length ?? 0) > 0;
  } finally {
    await connection.close();
  }
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
