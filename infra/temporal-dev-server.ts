/**
 * Runs `temporal server start-dev` (a real Temporal server persisted in SQLite) as a child
 * process, for `npm start` and the test stack. Returns once the frontend serves and every case
 * search attribute is registered and visible, so callers can start workflows immediately.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { indexedValueTypeName, searchAttributeRegistrations } from '../domain/search-attributes';
import { isListening } from './cluster-process';
import { resolveTemporalCli } from './temporal-binaries';

const execFileAsync = promisify(execFile);

export interface TemporalDevServerOptions {
  /** SQLite file holding all server state; reused when it exists. */
  dbFile: string;
  /** gRPC frontend port. */
  port: number;
  /** Web UI port; 0 or undefined runs headless. */
  uiPort?: number;
  /** Remote codec the Web UI decodes payloads through (the API's `/codec`), so it shows them to authorised users only. */
  uiCodecEndpoint?: string;
  namespace?: string;
  /** Server output goes here (appended); otherwise only its tail is kept, for error messages. */
  logFile?: string;
  /** How long to wait for the server and its search attributes; first start on a cold disk takes a few seconds. */
  startTimeoutMs?: number;
  /**
   * Own process group (default): a terminal Ctrl-C reaches only us, so we can stop things in order.
   * Tests pass false so that a Ctrl-C which kills the test runner kills the server with it.
   */
  ownProcessGroup?: boolean;
  /**
   * `PRAGMA=VALUE` settings of the server's SQLite file (`--sqlite-pragma`); default
   * `durableSqlitePragmas`. The soak passes WAL with synchronous=normal instead.
   */
  sqlitePragmas?: readonly string[];
}

export interface TemporalDevServer {
  /** `host:port` for `Connection.connect({ address })`. */
  address: string;
  /** Web UI URL; empty when headless. */
  uiUrl: string;
  /** SIGTERM, then SIGKILL after 10 s; resolves when the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL at once, like a crashed host (for chaos tests); resolves when the process has exited. */
  kill(): Promise<void>;
  /** The server's process id (benchmarks read its CPU counters). */
  pid: number;
}

const host = '127.0.0.1';

/**
 * The embedded server's SQLite in write-ahead-log mode, still synced on every commit (FULL, so an
 * acknowledged write survives a power loss, not only a killed process). In SQLite's default rollback
 * journal every commit writes, syncs and deletes a journal file, and starts and task dispatch wait on
 * each other's locks: bare executeUpdates from 8 clients on the 2-core machine ran at 139–148/s with
 * 6.8–7.1 ms of server CPU per update, against 206–242/s and 4.7–5.5 ms with the WAL (two runs of
 * `npx tsx bench/sqlite-journal.ts`, README "Benchmark").
 */
export const durableSqlitePragmas: readonly string[] = ['journal_mode=wal', 'synchronous=full'];

/** Starts a Temporal dev server and waits until it serves with the case search attributes registered. */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const { dbFile, port, uiPort, uiCodecEndpoint, namespace = 'default', logFile, startTimeoutMs = 60_000, ownProcessGroup = true, sqlitePragmas = durableSqlitePragmas } = options;
  const cli = resolveTemporalCli();
  const address = `${host}:${port}`;
  if (await isListening(host, port)) {
    throw new Error(`Port ${port} is already in use (another Temporal server still running?); stop it or pick another port`);
  }
  mkdirSync(path.dirname(path.resolve(dbFile)), { recursive: true });

  const headless = uiPort === undefined || uiPort === 0;
  const args = [
    'server', 'start-dev',
    '--db-filename', dbFile,
    '--port', String(port),
    '--ip', host,
    '--namespace', namespace,
    '--log-level', 'warn',
    ...sqlitePragmas.flatMap((pragma) => ['--sqlite-pragma', pragma]),
    ...(headless ? ['--headless'] : ['--ui-port', String(uiPort)]),
    ...(!headless && uiCodecEndpoint ? ['--ui-codec-endpoint', uiCodecEndpoint] : []),
    // Only honoured when the DB file is created; existing files get them through `operator` below.
    ...searchAttributeRegistrations.flatMap(({ name, cliType }) => ['--search-attribute', `${name}=${cliType}`]),
    ...isolatedFromUserConfig,
  ];
  const output = new OutputTail();
  const logFd = logFile === undefined ? undefined : openSync(logFile, 'a');
  const child = spawn(cli, args, {
    detached: ownProcessGroup,
    env: cliEnv(),
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
  });
  if (logFd !== undefined) closeSync(logFd);
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await terminate(child, exited);
  };
  const kill = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };

  try {
    const deadline = Date.now() + startTimeoutMs;
    const describeFailure = (what: string) =>
      new Error(`Temporal dev server ${what}${logFile === undefined ? `: ${output.text()}` : ` (see ${logFile})`}`);
    await waitFor(deadline, child, describeFailure, async () => (await runCli(cli, ['operator', 'cluster', 'health', '--address', address])).ok);
    await waitFor(deadline, child, describeFailure, () => registerSearchAttributes(cli, address, namespace));
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, uiUrl: headless ? '' : `http://${host}:${uiPort}`, stop, kill, pid: child.pid ?? 0 };
}

/** The CLI otherwise picks up TEMPORAL_ADDRESS/TEMPORAL_API_KEY and profiles meant for the app's own server. */
const isolatedFromUserConfig = ['--disable-config-env', '--disable-config-file'];

function cliEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TEMPORAL_')));
}

async function runCli(cli: string, args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(cli, [...args, ...isolatedFromUserConfig], { env: cliEnv(), timeout: 15_000 });
    return { ok: true, stdout, stderr };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, stdout, stderr: stderr || (error as Error).message };
  }
}

/** Creates missing attributes; true once all are listed with the right type. Idempotent. */
async function registerSearchAttributes(cli: string, address: string, namespace: string): Promise<boolean> {
  const target = ['--address', address, '--namespace', namespace];
  const listed = await runCli(cli, ['operator', 'search-attribute', 'list', '--output', 'json', ...target]);
  if (!listed.ok) return false;
  const existing = (JSON.parse(listed.stdout) as { customAttributes?: Record<string, string> }).customAttributes ?? {};
  const missing = searchAttributeRegistrations.filter(({ name }) => existing[name] === undefined);
  for (const { name, cliType } of searchAttributeRegistrations) {
    const actual = existing[name];
    if (actual !== undefined && actual !== indexedValueTypeName(cliType)) {
      throw new Error(`Search attribute ${name} is registered as ${actual}, expected ${cliType}; use a fresh Temporal DB file`);
    }
  }
  for (const { name, cliType } of missing) {
    const created = await runCli(cli, ['operator', 'search-attribute', 'create', '--name', name, '--type', cliType, ...target]);
    if (!created.ok && !/already exists/i.test(created.stderr)) return false;
  }
  return missing.length === 0;
}

async function waitFor(
  deadline: number,
  child: ChildProcess,
  failure: (what: string) => Error,
  ready: () => Promise<boolean>,
): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw failure(`exited during start-up (code ${child.exitCode ?? child.signalCode})`);
    }
    if (await ready()) return;
    if (Date.now() > deadline) throw failure('did not become ready in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Keeps the last few KB of a child's output so a failed start can say why. */
class OutputTail {
  private buffer = '';
  push(chunk: Buffer): void {
    this.buffer = (this.buffer + chunk.toString('utf8')).slice(-4_000);
  }
  text(): string {
    return this.buffer.trim() || '(no output)';
  }
}
