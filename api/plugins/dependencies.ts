/**
 * What the app is given from outside (database pool, Temporal client, configuration, task queue),
 * made available to every route as decorations.
 */
import type { Client } from '@temporalio/client';
import fp from 'fastify-plugin';
import type pg from 'pg';
import type { AppConfig } from '../../infra/config';

export interface AppDependencies {
  pool: pg.Pool;
  temporal: Client;
  config: AppConfig;
  taskQueue: string;
  /** The clock of the read side (overdue, stalled); injectable for tests. */
  now?: () => Date;
}

declare module 'fastify' {
  interface FastifyInstance {
    db: pg.Pool;
    temporal: Client;
    appConfig: AppConfig;
    taskQueue: string;
    now: () => Date;
  }
}

export default fp<AppDependencies>(
  async function dependencies(fastify, deps) {
    fastify.decorate('db', deps.pool);
    fastify.decorate('temporal', deps.temporal);
    fastify.decorate('appConfig', deps.config);
    fastify.decorate('taskQueue', deps.taskQueue);
    fastify.decorate('now', deps.now ?? (() => new Date()));
  },
  { name: 'dependencies' },
);
