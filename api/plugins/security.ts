/**
 * Security headers on every response (helmet). Swagger UI sets its own, stricter CSP on /docs.
 */
import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

export default fp(
  async function security(fastify) {
    await fastify.register(helmet, { global: true });
  },
  { name: 'security' },
);
