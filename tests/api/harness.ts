/**
 * Builds the API against the real shared PostgreSQL (a fresh, migrated, seeded database per test
 * file) and the real Temporal dev server (a task queue per file, optionally with a real case
 * worker), and sends requests as a named demo user through `app.inject`.
 */
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import type pg from 'pg';
import buildApp, { options } from '../../api/app';
import { loggerOptions } from '../../api/server';
import type { AppConfig } from '../../infra/config';
import type { Problem } from '../../api/schemas/problem';
import { runMigrations } from '../../infra/db/migrate';
import { createPool } from '../../infra/db/pool';
import { openLocalIssuer, type LocalIssuer } from '../../infra/local-issuer';
import { ensurePersonKeys } from '../../infra/codec/personal-data';
import { connectTemporalClient } from '../../infra/temporal-connection';
import { seedDemoData } from '../../scripts/seed';
import { runCaseWorker } from '../../workers/worker';
import { createTestDatabase, testConfig, uniqueName } from '../support/stack';

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are (set content-type yourself). */
  payload?: unknown;
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export interface ApiHarness {
  app: FastifyInstance;
  pool: pg.Pool;
  config: AppConfig;
  temporal: Client;
  /** The read side's clock; set it to see deadlines pass without waiting. */
  clock: { now: Date | null };
  /** The embedded token issuer the app trusts (same key file). */
  issuer: LocalIssuer;
  tokenFor(userId: string): Promise<string>;
  /** Sends a request as the user (no Authorization header when userId is null). */
  request(userId: string | null, request: ApiRequest): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Log as the API server does (its pino options, level info) into this stream. */
  logStream?: NodeJS.WritableStream;
  /** Run a real case worker on the file's task queue. */
  worker?: boolean;
  /** Give the app a client of a Temporal address where nothing listens (retrying briefly). */
  temporalDown?: boolean;
  /** How long the app waits for Temporal before answering 503. */
  temporalTimeoutMs?: number;
  /** Extra configuration variables (e.g. RATE_LIMIT_MAX, CORS_ORIGINS, OIDC_ISSUER). */
  env?: Record<string, string>;
}

/** Starts the harness on a fresh database, seeded with the demo data. */
export async function startApiHarness({ worker = false, temporalDown = false, temporalTimeoutMs, env = {}, logStream }: HarnessOptions = {}): Promise<ApiHarness> {
  const database = await createTestDatabase();
  await runMigrations(database.url);
  const pool = createPool(database.url);
  await seedDemoData(pool);
  const taskQueue = uniqueName('api-test');
  // Tests send bursts far beyond a person's pace: rate limits only where a test sets RATE_LIMIT_MAX.
  const config = testConfig({ DATABASE_URL: database.url, TEMPORAL_TASK_QUEUE: taskQueue, RATE_LIMIT_MAX: '1000000', ...env });
  const temporal = temporalDown
    ? new Client({
        connection: Connection.lazy({
          address: '127.0.0.1:1',
          connectTimeout: '500ms',
          interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 2 }))],
        }),
      })
    : await connectTemporalClient(config, ensurePersonKeys(pool, config));
  const runningWorker = worker ? await runCaseWorker({ config, pool }) : undefined;
  const clock: { now: Date | null } = { now: null };
  const app = Fastify({ ...options, logger: logStream ? { ...(loggerOptions('info') as object), stream: logStream } : false });
  await app.register(buildApp, { pool, temporal, config, taskQueue, now: () => clock.now ?? new Date(), temporalTimeoutMs });
  await app.ready();
  const issuer = await openLocalIssuer(config);
  const tokenFor = (userId: string) => issuer.issueUserToken(userId);

  async function request(userId: string | null, { method, url, headers = {}, payload }: ApiRequest): Promise<ApiResponse> {
    const isJson = payload !== undefined && typeof payload !== 'string';
    const response = await app.inject({
      method,
      url,
      headers: {
        ...(isJson ? { 'content-type': 'application/json' } : {}),
        ...(userId ? { authorization: `Bearer ${await tokenFor(userId)}` } : {}),
        ...headers,
      },
      payload: payload === undefined ? undefined : isJson ? JSON.stringify(payload) : String(payload),
    });
    const { body } = response;
    return {
      statusCode: response.statusCode,
      // One string per header, as a client sees them.
      headers: Object.fromEntries(
        Object.entries(response.headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : String(value)]])),
      ),
      body,
      json: <T>() => JSON.parse(body) as T,
    };
  }

  return {
    app,
    pool,
    config,
    temporal,
    clock,
    issuer,
    tokenFor,
    request,
    async close() {
      await app.close();
      await runningWorker?.shutdown();
      // The client's gRPC retry may still have a backoff timer pending; closing the channel under it would throw from that timer.
      if (temporalDown) await new Promise((resolve) => setTimeout(resolve, 1_000));
      await temporal.connection.close();
      await pool.end();
      await database.drop();
    },
  };
}

/** The parsed JSON body of a response. */
export function json<T = Record<string, unknown>>(response: ApiResponse): T {
  return response.json<T>();
}

/** Asserts a problem+json answer with this status and type (and a title), and returns its body. */
export function expectProblem(response: ApiResponse, status: number, type: string): Problem {
  expect(response.statusCode).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = response.json<Problem>();
  expect(body).toMatchObject({ type, status, title: expect.any(String) });
  return body;
}
