/**
 * Request rate limits (@fastify/rate-limit, in memory per API instance): each authenticated
 * actor has RATE_LIMIT_MAX requests per RATE_LIMIT_WINDOW; public routes count per client address,
 * and so do refused credentials (a token or client-secret guesser is slowed by address, since it has
 * no actor). Health and metrics routes are exempt so probes never fail on load. Over the limit:
 * 429 problem+json with Retry-After.
 *
 * The limiter runs as a route-level onRequest hook, i.e. after the protected scope's `authenticate`,
 * which is what lets it key on the actor.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AppConfig } from '../../infra/config';
import { problemTypes } from '../schemas/problem';
import { ProblemError } from './problems';

declare module 'fastify' {
  interface FastifyInstance {
    /** Counts a refused credential against the caller's address; throws 429 once over the limit. */
    countAuthenticationFailure: (request: FastifyRequest) => Promise<void>;
  }
}

/** Body size caps tighter than the global 1 MiB, for routes whose bodies are small by nature. */
export const bodyLimits = {
  /** Client credentials. */
  credentials: 4 * 1024,
  /** Small JSON documents (accounts, commands). */
  small: 16 * 1024,
} as const;

const exemptRoutes = new Set(['/healthz', '/readyz', '/metrics']);

function tooManyRequests(retryAfterSeconds: number): ProblemError {
  return new ProblemError(429, problemTypes.tooManyRequests, `too many requests; retry after ${retryAfterSeconds} s`);
}

export default fp<{ config: AppConfig }>(
  async function limits(fastify, { config }) {
    const { max, windowMs } = config.rateLimit;
    await fastify.register(rateLimit, {
      global: true,
      max,
      timeWindow: windowMs,
      keyGenerator: (request) => (request.actor ? `${request.actor.kind}:${request.actor.id}` : `address:${request.ip}`),
      allowList: (request) => exemptRoutes.has(request.routeOptions.url ?? ''),
      errorResponseBuilder: (_request, context) => tooManyRequests(Math.max(1, Math.ceil(context.ttl / 1000))),
    });

    const failures = fastify.createRateLimit({ max, timeWindow: windowMs, keyGenerator: (request) => `refused:${request.ip}` });
    const retryAfterOf = new WeakMap<FastifyRequest, number>();
    fastify.decorate('countAuthenticationFailure', async (request: FastifyRequest) => {
      const result = await failures(request);
      if (result.isAllowed || !result.isExceeded) return;
      const retryAfter = Math.max(1, result.ttlInSeconds);
      retryAfterOf.set(request, retryAfter);
      throw tooManyRequests(retryAfter);
    });
    // The route limiter sets Retry-After itself; a 429 for refused credentials gets it here.
    fastify.addHook('onSend', async (request, reply) => {
      const retryAfter = retryAfterOf.get(request);
      if (retryAfter !== undefined && reply.statusCode === 429 && !reply.hasHeader('retry-after')) void reply.header('retry-after', String(retryAfter));
    });
  },
  { name: 'limits' },
);
