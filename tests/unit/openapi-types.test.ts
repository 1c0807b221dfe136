/**
 * The console's API types (web/src/api/schema.d.ts) are generated from the routes: this fails when
 * a route changed and `npm run openapi` was not run, so the console never compiles against a
 * stale API. (A child process: openapi-typescript is ESM only, which jest's sandbox cannot load.)
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');
const check = () => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/openapi.ts', '--check'], { cwd: repoRoot, encoding: 'utf8' });

it('web/src/api/schema.d.ts matches the API routes (regenerate with `npm run openapi`)', () => {
  const result = check();
  expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, stderr: '' });
}, 60_000);
