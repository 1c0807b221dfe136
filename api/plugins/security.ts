/**
 * Security headers and CORS. Helmet sets its headers on every response (Swagger UI sets its own,
 * stricter CSP on /docs); answers to authenticated requests carry `Cache-Control: no-store`, since
 * they hold personal data no shared cache may keep. CORS is off unless CORS_ORIGINS lists exact
 * origins: a browser on any other origin gets no CORS headers and its preflight a 404. One
 * @fastify/cors for the whole app; a route group with other callers (the Temporal UI on the codec
 * routes) adds its own policy for its path prefix with `allowCrossOrigin`.
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** Who may call a group of routes from a browser on another origin. */
export interface CrossOriginPolicy {
  /** Routes whose path starts with this (e.g. `/codec/`). */
  pathPrefix: string;
  origins: Iterable<string>;
  methods: string[];
  allowedHeaders: string[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Admits other origins for the routes under a path prefix (instead of CORS_ORIGINS). */
    allowCrossOrigin(policy: CrossOriginPolicy): void;
  }
}

const exposedHeaders = ['location', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];

export default fp<{ corsOrigins: readonly string[] }>(
  async function security(fastify, { corsOrigins }) {
    await fastify.register(helmet, { global: true });
    const appPolicy = { origins: new Set(corsOrigins), methods: ['GET', 'POST', 'PUT', 'DELETE'], allowedHeaders: ['authorization', 'content-type', 'idempotency-key'] };
    const policies: Array<{ pathPrefix: string; origins: Set<string>; methods: string[]; allowedHeaders: string[] }> = [];
    fastify.decorate('allowCrossOrigin', (policy: CrossOriginPolicy) => {
      policies.push({ ...policy, origins: new Set(policy.origins) });
    });
    await fastify.register(cors, {
      delegator: (request: FastifyRequest, callback) => {
        const path = request.url.split('?')[0];
        const policy = policies.find((candidate) => path.startsWith(candidate.pathPrefix)) ?? appPolicy;
        const { origin } = request.headers;
        callback(null, {
          origin: origin !== undefined && policy.origins.has(origin) ? origin : false,
          methods: policy.methods,
          allowedHeaders: policy.allowedHeaders,
          exposedHeaders,
          // Bearer tokens, not cookies: browsers never need to send credentials.
          credentials: false,
          maxAge: 600,
        });
      },
    });
    fastify.addHook('onSend', async (request, reply) => {
      if (request.headers.authorization !== undefined && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    });
  },
  { name: 'security' },
);
