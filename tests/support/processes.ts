/**
 * Runs the API and the worker as separate OS processes (the production shape), for end-to-end tests
 * and the benchmark: start, wait until ready, SIGKILL or SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');

export interface StackProcess {
  child: ChildProcess;
  output: () => string;
  /** SIGKILL: no graceful shutdown, like a crashed host. */
  kill(): Promise<void>;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<void>;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a TypeScript entry point of this repository with the given environment. */
export function spawnScript(script: string, env: Record<string, string>): StackProcess {
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

/** Polls `check` until it holds; fails with the process output if the process exits first. */
export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number, proc?: StackProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc && proc.child.exitCode !== null) throw new Error(`${what}: process exited early:\n${proc.output()}`);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${proc ? `:\n${proc.output()}` : ''}`);
}

/** Starts `api/server.ts` and waits until `/readyz` answers. */
export async function startApiProcess(env: Record<string, string>, baseUrl: string): Promise<StackProcess> {
  const proc = spawnScript('api/server.ts', env);
  await waitFor(async () => (await fetch(`${baseUrl}/readyz`)).ok, 'API ready', 60_000, proc);
  return proc;
}

/** Starts `workers/worker.ts` and waits until it polls its task queue. */
export async function startWorkerProcess(env: Record<string, string>): Promise<StackProcess> {
  const proc = spawnScript('workers/worker.ts', env);
  await waitFor(async () => proc.output().includes('RUNNING') || (await hasPoller(env.TEMPORAL_ADDRESS, env.TEMPORAL_TASK_QUEUE)), 'worker polling', 90_000, proc);
  return proc;
}

async function hasPoller(address: string, taskQueue: string): Promise<boolean> {
  const { Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({ address });
  try {
    const response = await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 });
    return (response.pollers?.length ?? 0) > 0;
  } finally {
    await connection.close();
  }
}
