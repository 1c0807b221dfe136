/**
 * Authentication: every protected request carries `Authorization: Bearer <token>`; the token names
 * a user, whose roles, areas and services come from the users table. Routes read `request.actor`.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ActorCache, type AuthenticatedActor } from '../auth/actor-cache';
import { InvalidTokenError, verifyAccessToken } from '../auth/tokens';
import { problem } from './problems';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate`; null on public routes. */
    actor: AuthenticatedActor | null;
  }
  interface FastifyInstance {
    /** onRequest hook for protected route scopes. */
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
}

/** The actor of an authenticated request (routes behind `authenticate` only). */
export function actorOf(request: FastifyRequest): AuthenticatedActor {
  if (!request.actor) throw problem.unauthorized('authentication required');
  return request.actor;
}

export default fp(
  async function auth(fastify) {
    const actors = new ActorCache(fastify.db);
    fastify.decorateRequest('actor', null);
    fastify.decorate('authenticate', async function authenticate(request: FastifyRequest) {
      const header = request.headers.authorization;
      const match = header ? /^Bearer ([^\s]+)$/i.exec(header.trim()) : null;
      if (!match) throw problem.unauthorized('send a bearer token: Authorization: Bearer <token>');
      let userId: string;
      try {
        ({ userId } = await verifyAccessToken(fastify.appConfig.authSecret, match[1]));
      } catch (error) {
        if (error instanceof InvalidTokenError) throw problem.unauthorized(error.message);
        throw error;
      }
      const actor = await actors.resolve(userId);
      if (!actor) throw problem.unauthorized('the token names no active user');
      request.actor = actor;
    });
  },
  { name: 'auth', dependencies: ['dependencies'] },
);
