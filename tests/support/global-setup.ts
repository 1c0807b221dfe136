/**
 * Jest globalSetup: one PostgreSQL and one Temporal dev server for the whole run, started in
 * parallel on free ports in a temp dir. Servers already given through the env vars in `stackEnv`
 * (e.g. by CI) are used as they are and nothing is started for them.
 */
import { chmod, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../infra/embedded-postgres';
import { resolveTestServer } from '../../infra/temporal-binaries';
import { startTemporalDevServer } from '../../infra/temporal-dev-server';
import { stackEnv } from './stack';

/** What global-teardown.ts has to stop; jest shares globalThis between globalSetup and globalTeardown. */
export interface TestStack {
  tempDir?: string;
  stops: Array<() => Promise<void>>;
}

declare global {
  var reticulateTestStack: TestStack | undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export default async function globalSetup(): Promise<void> {
  const stack: TestStack = { stops: [] };
  globalThis.reticulateTestStack = stack;
  const needPostgres = !process.env[stackEnv.databaseUrl];
  const needTemporal = !process.env[stackEnv.temporalAddress];
  if (!process.env[stackEnv.timeSkippingServer]) {
    try {
      process.env[stackEnv.timeSkippingServer] = resolveTestServer();
    } catch {
      // Only workflow tests need it; timeSkippingServerPath() repeats the "run npm run setup" hint there.
    }
  }
  if (!needPostgres && !needTemporal) return;

  const tempDir = await mkdtemp(path.join(tmpdir(), 'reticulate-test-'));
  // PostgreSQL runs as the unprivileged `postgres` user when we are root: it must reach its data dir.
  await chmod(tempDir, 0o755);
  stack.tempDir = tempDir;

  const starting: Array<Promise<void>> = [];
  if (needPostgres) {
    starting.push(
      (async () => {
        const postgres = await startEmbeddedPostgres({ dataDir: path.join(tempDir, 'postgres'), port: await freePort(), database: 'reticulate', ephemeral: true, ownProcessGroup: false });
        stack.stops.push(() => postgres.stop());
        process.env[stackEnv.databaseUrl] = postgres.adminUrl;
      })(),
    );
  }
  if (needTemporal) {
    starting.push(
      (async () => {
        const temporal = await startTemporalDevServer({ dbFile: path.join(tempDir, 'temporal.db'), port: await freePort(), ownProcessGroup: false });
        stack.stops.push(() => temporal.stop());
        process.env[stackEnv.temporalAddress] = temporal.address;
      })(),
    );
  }
  const results = await Promise.allSettled(starting);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    // Jest skips globalTeardown when globalSetup throws: do not leave a server running.
    const { default: globalTeardown } = await import('./global-teardown');
    await globalTeardown();
    throw failure.reason;
  }
}
