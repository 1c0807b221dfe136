/**
 * One OS process of the cluster mode (a Temporal service, a case worker, an API instance) that can
 * be stopped, crashed with SIGKILL and started again with the same command, for `npm run
 * start:cluster`, the cluster smoke test, the chaos test and the benchmark. Output goes to a log
 * file, never to our terminal: a dozen processes would drown it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import path from 'node:path';

export interface ClusterProcessSpec {
  /** Shown in messages: `history`, `worker-1`, `api-2`… */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Appended to across restarts. */
  logFile: string;
  /** True once the process serves; polled every 200 ms after each start. */
  ready: (process: ClusterProcess) => Promise<boolean>;
  readyTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL on stop(). */
  stopGraceMs?: number;
  /**
   * Own process group (default): a terminal Ctrl-C reaches only the parent, which stops things in
   * order. Tests pass false, so that a Ctrl-C that kills the test runner kills these with it.
   */
  ownProcessGroup?: boolean;
}

export interface ClusterProcess {
  readonly name: string;
  /** The current incarnation's PID (a restart changes it). */
  readonly pid: number;
  readonly logFile: string;
  /** Whether the current incarnation is still alive. */
  running(): boolean;
  /** Sends `signal` (SIGKILL unless told: a crash, no clean-up) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again with the same command and environment; resolves once it is ready. */
  restart(): Promise<void>;
  /** SIGTERM, SIGKILL after the grace period; resolves when it has exited. */
  stop(): Promise<void>;
  /** Output of the current incarnation (the last few KB). */
  output(): string;
}

const pollMs = 200;

/** Starts a process and waits until `ready` holds; a process that exits or is not ready in time fails the start with its output. */
export async function startClusterProcess(spec: ClusterProcessSpec): Promise<ClusterProcess> {
  const { name, command, args, env, cwd, logFile, ready, readyTimeoutMs = 120_000, stopGraceMs = 15_000, ownProcessGroup = true } = spec;
  mkdirSync(path.dirname(logFile), { recursive: true });
  let child: ChildProcess;
  let exited: Promise<void>;
  let logOffset = 0;
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  const isRunning = () => child.exitCode === null && child.signalCode === null;
  const handle: ClusterProcess = {
    name,
    get pid() {
      return child.pid ?? -1;
    },
    logFile,
    running: isRunning,
    async kill(signal = 'SIGKILL') {
      if (isRunning()) child.kill(signal);
      await exited;
    },
    async restart() {
      if (isRunning()) throw new Error(`${name} is still running (pid ${child.pid}); kill or stop it first`);
      await launch();
    },
    async stop() {
      process.removeListener('exit', killOnExit);
      if (!isRunning()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
      await exited;
      clearTimeout(timer);
    },
    output: () => readTail(logFile, logOffset),
  };

  const launch = async () => {
    logOffset = fileSize(logFile);
    const fd = openSync(logFile, 'a');
    try {
      child = spawn(command, args, { cwd, env, detached: ownProcessGroup, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const current = child;
    exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      current.once('spawn', resolve);
      current.once('error', (error) => reject(new Error(`cannot start ${name} (${command}): ${error.message}`)));
    });
    process.removeListener('exit', killOnExit);
    process.once('exit', killOnExit);
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (!isRunning()) throw new Error(`${name} exited during start-up (${current.exitCode ?? current.signalCode}); its log ${logFile} ends with:\n${handle.output()}`);
      if (await ready(handle).catch(() => false)) return;
      if (Date.now() > deadline) {
        await handle.stop();
        throw new Error(`${name} was not ready within ${readyTimeoutMs / 1000} s; its log ${logFile} ends with:\n${handle.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };

  await launch();
  return handle;
}

/** Whether something accepts TCP connections on host:port. */
export function isListening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The last 4 KB written since `offset`. */
function readTail(file: string, offset: number): string {
  const size = fileSize(file);
  const start = Math.max(offset, size - 4_000);
  if (size <= start) return '(no output)';
  const buffer = Buffer.alloc(size - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, start);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8').trim() || '(no output)';
}

const taken = new Set<number>();

/**
 * A port nothing listens on, from 20000–32767 and never the same twice in this process: Temporal
 * stores membership and RPC ports as smallint, so the OS's ephemeral range (32768+) is out.
 */
export async function freeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port found between 20000 and 32767');
}
