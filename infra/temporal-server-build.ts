/**
 * The pinned Temporal server and its SQL schema tool for the cluster mode (`npm run setup:cluster`).
 * Neither ships as a wheel or npm package, so we build them from the Go module proxy with `go
 * install` and keep them, with the PostgreSQL schemas of the same release, under .tools/. Go's own
 * build and module caches live in the user's home: a second clone on the same machine rebuilds in
 * seconds. A binary whose version stamp matches is never rebuilt.
 *
 * TEMPORAL_SERVER_PATH, TEMPORAL_SQL_TOOL_PATH and TEMPORAL_SCHEMA_DIR use prebuilt ones instead
 * (e.g. from Temporal's release archives, whose schema/ folder is the same).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isExecutable } from './executables';

/** The Temporal server release the cluster mode runs. */
export const TEMPORAL_SERVER_VERSION = 'v1.32.2';
/** v1.32.2 needs Go ≥ 1.26.10; the go command fetches this toolchain from the module proxy when the local one is older. */
const goToolchain = 'go1.27.3';
const stamp = `${TEMPORAL_SERVER_VERSION} ${goToolchain}`;

const repoRoot = path.resolve(__dirname, '..');
const toolsDir = path.join(repoRoot, '.tools');
const binDir = path.join(toolsDir, 'bin');
const schemaRoot = path.join(toolsDir, `temporal-server-${TEMPORAL_SERVER_VERSION}`, 'schema');

const modulePath = 'go.temporal.io/server';
const builds = [
  { name: 'temporal-server', pkg: `${modulePath}/cmd/server`, goName: 'server', envVar: 'TEMPORAL_SERVER_PATH' },
  { name: 'temporal-sql-tool', pkg: `${modulePath}/cmd/tools/sql`, goName: 'sql', envVar: 'TEMPORAL_SQL_TOOL_PATH' },
] as const;

/** Where the cluster's executables and PostgreSQL schemas are. */
export interface TemporalServerTools {
  server: string;
  sqlTool: string;
  /** `schema/postgresql/v12` of the same release: `temporal/versioned` and `visibility/versioned` below it. */
  postgresSchemaDir: string;
}

function stamped(file: string): boolean {
  return isExecutable(file) && existsSync(`${file}.version`) && readFileSync(`${file}.version`, 'utf8').trim() === stamp;
}

const postgresSchemaDir = () => process.env.TEMPORAL_SCHEMA_DIR || path.join(schemaRoot, 'postgresql', 'v12');

/** The installed tools, or undefined when any is missing or of another version (then `ensureTemporalServerTools` builds them). */
export function findTemporalServerTools(env: NodeJS.ProcessEnv = process.env): TemporalServerTools | undefined {
  const [server, sqlTool] = builds.map(({ name, envVar }) => {
    const fromEnv = env[envVar];
    if (fromEnv) {
      if (!isExecutable(fromEnv)) throw new Error(`${envVar}=${fromEnv} is not an executable file`);
      return fromEnv;
    }
    const local = path.join(binDir, name);
    return stamped(local) ? local : undefined;
  });
  const schemas = postgresSchemaDir();
  if (!server || !sqlTool || !existsSync(path.join(schemas, 'temporal', 'versioned'))) return undefined;
  return { server, sqlTool, postgresSchemaDir: schemas };
}

function goEnv(): NodeJS.ProcessEnv {
  // GOFLAGS from the user's shell (say -mod=vendor) would break an install outside a module.
  return { ...process.env, GOTOOLCHAIN: goToolchain, GOFLAGS: '' };
}

function runGo(args: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // Output is kept for the error message only: a cold build prints hundreds of "downloading" lines.
    const child = spawn('go', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-6_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const heartbeat = setInterval(() => log(`  still building (go ${args.join(' ')})…`), 60_000);
    child.once('error', (error) => {
      clearInterval(heartbeat);
      reject(new Error(`cannot run go (${error.message}): install Go ≥ 1.21 (it fetches ${goToolchain} itself), or set ${builds.map((b) => b.envVar).join(' and ')} and TEMPORAL_SCHEMA_DIR to prebuilt ones`));
    });
    child.once('exit', (code) => {
      clearInterval(heartbeat);
      if (code === 0) resolve();
      else reject(new Error(`go ${args.join(' ')} failed (exit ${code}):\n${output.trim()}`));
    });
  });
}

/** Copies the release's PostgreSQL schemas out of Go's module cache, which `go clean -modcache` may empty. */
function copySchemas(env: NodeJS.ProcessEnv): void {
  const modCache = execFileSync('go', ['env', 'GOMODCACHE'], { env, encoding: 'utf8' }).trim();
  const source = path.join(modCache, `${modulePath}@${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
  if (!existsSync(source)) throw new Error(`the schemas of ${modulePath}@${TEMPORAL_SERVER_VERSION} are not in ${modCache}`);
  const target = path.join(schemaRoot, 'postgresql', 'v12');
  const staging = `${target}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(source, staging, { recursive: true });
  // The module cache is read-only; a copy with its modes could not be replaced later by a non-root user.
  makeWritable(staging);
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(full);
    else chmodSync(full, 0o644);
  }
}

/** Builds (or finds) the pinned Temporal server, SQL tool and schemas; idempotent and quick when they are already in .tools/. */
export async function ensureTemporalServerTools(log: (line: string) => void = console.log): Promise<TemporalServerTools & { built: boolean }> {
  const found = findTemporalServerTools();
  if (found) return { ...found, built: false };
  const env = goEnv();
  // Built into a private GOBIN and renamed: a concurrent or interrupted build never leaves half a binary in bin/.
  const scratch = path.join(toolsDir, `go-build-${process.pid}`);
  mkdirSync(binDir, { recursive: true });
  rmSync(scratch, { recursive: true, force: true });
  try {
    for (const { name, pkg, goName, envVar } of builds) {
      const target = path.join(binDir, name);
      if (process.env[envVar] || stamped(target)) continue;
      const started = Date.now();
      log(`building ${name} (${pkg}@${TEMPORAL_SERVER_VERSION} with ${goToolchain}; a few minutes the first time on this machine)…`);
      await runGo(['install', `${pkg}@${TEMPORAL_SERVER_VERSION}`], { ...env, GOBIN: scratch }, log);
      renameSync(path.join(scratch, goName), target);
      writeFileSync(`${target}.version`, `${stamp}\n`);
      log(`built ${name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    if (!process.env.TEMPORAL_SCHEMA_DIR) copySchemas(env);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const tools = findTemporalServerTools();
  if (!tools) throw new Error('the Temporal server tools are still missing after the build');
  return { ...tools, built: true };
}

if (require.main === module) {
  ensureTemporalServerTools()
    .then(({ server, sqlTool, postgresSchemaDir: schemas, built }) => {
      const how = built ? 'built' : `already installed (${TEMPORAL_SERVER_VERSION})`;
      console.log(`setup: ${'temporal-server'.padEnd(21)} ${server}  (${how})`);
      console.log(`setup: ${'temporal-sql-tool'.padEnd(21)} ${sqlTool}  (${how})`);
      console.log(`setup: ${'temporal schemas'.padEnd(21)} ${schemas}`);
    })
    .catch((error: unknown) => {
      console.error(`setup: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    });
}
