/**
 * Liveness (the process answers) and readiness (PostgreSQL and Temporal answer), both public.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { livenessSchema, readinessSchema } from '../../schemas/health';

const checkTimeoutMs = 2_000;

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('check timed out')), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const healthRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/healthz', {
    schema: { tags: ['health'], summary: 'The process is up', response: { 200: livenessSchema } },
    handler: async () => ({ status: 'ok' as const }),
  });

  fastify.get('/readyz', {
    schema: {
      tags: ['health'],
      summary: 'PostgreSQL and Temporal are reachable',
      response: { 200: readinessSchema, 503: readinessSchema.describe('At least one dependency is unreachable') },
    },
    handler: async (_request, reply) => {
      const [database, temporal] = await Promise.all([
        withTimeout(fastify.db.query('SELECT 1'), checkTimeoutMs).then(() => 'ok' as const, () => 'unavailable' as const),
        // The deadline ends the call itself (a native client would otherwise keep retrying it in the background).
        withTimeout(
          fastify.temporal.connection.withDeadline(Date.now() + checkTimeoutMs, () => fastify.temporal.workflowService.getSystemInfo({})),
          checkTimeoutMs,
        ).then(() => 'ok' as const, () => 'unavailable' as const),
      ]);
      const ready = database === 'ok' && temporal === 'ok';
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: { database, temporal } });
    },
  });
};

export default healthRoutes;
