/**
 * What the app is given from outside (database pool, Temporal client, configuration, task queue),
 * made available to every route as decorations.
 */
import type { Client } from '@temporalio/client';
import fp from 'fastify-plugin';
import type pg from 'pg';
import type { PersonKeyStore } from '../../infra/codec/person-key-store';
import { ensurePersonKeys } from '../../infra/codec/personal-data';
import type { AppConfig } from '../../infra/config';

export interface AppDependencies {
  pool: pg.Pool;
  temporal: Client;
  config: AppConfig;
  taskQueue: string;
  /** The clock of the read side (overdue, stalled); injectable for tests. */
  now?: () => Date;
  /** How long a request waits for Temporal (start, update) before answering 503; default 15 s. */
  temporalTimeoutMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    db: pg.Pool;
    temporal: Client;
    appConfig: AppConfig;
    taskQueue: string;
    now: () => Date;
    /** Per-person data keys (infra/codec), shared with the Temporal client's codec and the repositories of `db`. */
    personKeys: PersonKeyStore;
    /** Runs Temporal calls under the request deadline, so an unreachable cluster or worker becomes a 503, not a hang. */
    withTemporalDeadline: <T>(work: () => Promise<T>) => Promise<T>;
  }
}

export default fp<AppDependencies>(
  async function dependencies(fastify, deps) {
    fastify.decorate('db', deps.pool);
    fastify.decorate('temporal', deps.temporal);
    fastify.decorate('appConfig', deps.config);
    fastify.decorate('taskQueue', deps.taskQueue);
    fastify.decorate('now', deps.now ?? (() => new Date()));
    fastify.decorate('personKeys', ensurePersonKeys(deps.pool, deps.config));
    const timeoutMs = deps.temporalTimeoutMs ?? 15_000;
    fastify.decorate('withTemporalDeadline', <T>(work: () => Promise<T>) => deps.temporal.connection.withDeadline(Date.now() + timeoutMs, work));
  },
  { name: 'dependencies' },
);
