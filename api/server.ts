/**
 * The API process: logger options, listen, graceful shutdown. `npm run api` runs it standalone
 * (migrating first); `npm start` calls `startApiServer` with its own pool.
 */
import closeWithGrace from 'close-with-grace';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type pg from 'pg';
import { assertApiConfig, type AppConfig } from '../infra/config';
import { ensurePersonKeys } from '../infra/codec/personal-data';
import { connectTemporalClient, coreRuntimeLogger } from '../infra/temporal-connection';
import buildApp, { options } from './app';
import { metricsHandler } from './plugins/metrics';

// The console's sign-in callback carries an authorization code in its query: single-use, but still a credential.
const credentialQueryPaths = ['/console/callback'];

/** A request URL as logged: without the query string of a path that carries credentials in it. */
export function loggedUrl(url: string): string {
  const [path, query] = url.split('?', 2);
  return query !== undefined && credentialQueryPaths.some((prefix) => path.startsWith(prefix)) ? `${path}?[redacted]` : url;
}

/** Pino options: no bodies are ever logged, and credentials are redacted from anything that is. */
export function loggerOptions(level: AppConfig['logLevel']): FastifyServerOptions['logger'] {
  return {
    level,
    serializers: {
      // Fastify's default request fields, with the URL through loggedUrl.
      req: (request: FastifyRequest) => ({ method: request.method, url: loggedUrl(request.url), host: request.host, remoteAddress: request.ip, remotePort: request.socket?.remotePort }),
    },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["idempotency-key"]',
        'res.headers["set-cookie"]',
        'headers.authorization',
        'headers.cookie',
        'authorization',
        // Client credentials and issued tokens, wherever a body or object carrying them is logged by mistake.
        'client_secret',
        'clientSecret',
        'access_token',
        '*.client_secret',
        '*.clientSecret',
        '*.access_token',
      ],
      censor: '[redacted]',
    },
  };
}

/** `/metrics` alone on its own address (METRICS_ADDRESS), reading the API instance's registry. */
async function startMetricsServer(app: FastifyInstance, config: AppConfig, address: { host: string; port: number }): Promise<{ server: FastifyInstance; url: string }> {
  const server = Fastify({ logger: loggerOptions(config.logLevel), return503OnClosing: true });
  server.get('/metrics', { logLevel: 'warn' }, metricsHandler(app.metricsRegistry, config.metrics.token));
  try {
    return { server, url: `${await server.listen(address)}/metrics` };
  } catch (error) {
    await server.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Checks the production rules, connects Temporal, builds the app and listens (and serves metrics on
 * their own address when configured); `close` stops accepting requests and disconnects.
 */
export async function startApiServer({ config, pool }: { config: AppConfig; pool: pg.Pool }): Promise<{ url: string; metricsUrl: string; close(): Promise<void> }> {
  // Before anything connects: a misconfigured production API never serves a request.
  assertApiConfig(config);
  const temporal = await connectTemporalClient(config, ensurePersonKeys(pool, config));
  const app = Fastify({ ...options, logger: loggerOptions(config.logLevel), ...(config.trustProxy ? { trustProxy: config.trustProxy } : {}) });
  let metrics: { server: FastifyInstance; url: string } | undefined;
  const closeAll = async () => {
    // Each is closed even if another fails: a port or a connection left open would outlive the process's intent.
    const results = await Promise.allSettled([metrics?.server.close(), app.close()]);
    await temporal.connection.close();
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  };
  try {
    await app.register(buildApp, { pool, temporal, config, taskQueue: config.taskQueue });
    const url = await app.listen({ port: config.port, host: config.host });
    if (config.metrics.address) metrics = await startMetricsServer(app, config, config.metrics.address);
    return { url, metricsUrl: metrics?.url ?? `${url}/metrics`, close: closeAll };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}

async function main(): Promise<void> {
  const { loadConfig } = await import('../infra/config');
  const { runMigrations } = await import('../infra/db/migrate');
  const { createPool } = await import('../infra/db/pool');
  const config = loadConfig();
  // Refused before migrating: nothing is touched by an API that would not start.
  assertApiConfig(config);
  // The Temporal client's core runtime, before its connection: close-with-grace below owns the
  // signals, and the core logs only warnings (it logs no payloads).
  const { Runtime } = await import('@temporalio/worker');
  Runtime.install({ shutdownSignals: [], logger: coreRuntimeLogger(config) });
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required for a standalone API (npm start runs the embedded stack)');
  await runMigrations(config.databaseUrl);
  const pool = createPool(config.databaseUrl);
  const server = await startApiServer({ config, pool });
  closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
    if (err) console.error(`API stopping after an error: ${err.message}`);
    else if (signal) console.error(`API stopping on ${signal}`);
    await server.close();
    await pool.end();
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
