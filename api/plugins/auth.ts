/**
 * Authentication: every protected request carries `Authorization: Bearer <token>`, a JWT of a
 * trusted issuer verified against that issuer's JWKS (api/auth/tokens.ts): the embedded local
 * issuer always, and the external OIDC provider when OIDC_ISSUER is set. The token names a user or
 * service account, whose roles, areas and services come from the users table. Routes read
 * `request.actor`.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { openLocalIssuer, USER_TOKEN_TTL_SECONDS, LOCAL_ISSUER_ALGORITHM, type LocalIssuer } from '../../infra/local-issuer';
import { ActorCache, type AuthenticatedActor } from '../auth/actor-cache';
import { createTokenVerifier, InvalidTokenError, KeysUnavailableError, remoteKeySet, type TrustedIssuer } from '../auth/tokens';
import { problem } from './problems';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate`; null on public routes. */
    actor: AuthenticatedActor | null;
  }
  interface FastifyInstance {
    /** onRequest hook for protected route scopes. */
    authenticate: (request: FastifyRequest) => Promise<void>;
    /** The embedded issuer: signs service-account tokens, publishes its JWKS. */
    localIssuer: LocalIssuer;
  }
}

/** The actor of an authenticated request (routes behind `authenticate` only). */
export function actorOf(request: FastifyRequest): AuthenticatedActor {
  if (!request.actor) throw problem.unauthorized('authentication required');
  return request.actor;
}

export default fp(
  async function auth(fastify) {
    const config = fastify.appConfig;
    const localIssuer = await openLocalIssuer(config);
    const issuers: TrustedIssuer[] = [
      {
        issuer: localIssuer.url,
        audience: localIssuer.audience,
        algorithms: [LOCAL_ISSUER_ALGORITHM],
        keys: localIssuer.keySet,
        userClaim: 'sub',
        local: true,
        maxTokenAgeSeconds: USER_TOKEN_TTL_SECONDS,
      },
    ];
    const { oidc } = config;
    if (oidc.issuer) {
      if (oidc.issuer === localIssuer.url) throw new Error('OIDC_ISSUER must differ from the local issuer URL (RETICULATE_ISSUER_URL)');
      issuers.push({
        issuer: oidc.issuer,
        audience: oidc.audience,
        algorithms: oidc.algorithms,
        keys: remoteKeySet({ issuer: oidc.issuer, jwksUrl: oidc.jwksUrl }),
        userClaim: oidc.userClaim,
        local: false,
      });
    }
    const verifier = createTokenVerifier(issuers);
    const actors = new ActorCache(fastify.db);
    fastify.decorate('localIssuer', localIssuer);
    fastify.decorateRequest('actor', null);

    /** A refused credential counts against the caller's address; too many in a window answer 429 instead of 401. */
    const refuse = async (request: FastifyRequest, detail: string): Promise<never> => {
      await fastify.countAuthenticationFailure(request);
      throw problem.unauthorized(detail);
    };

    fastify.decorate('authenticate', async function authenticate(request: FastifyRequest) {
      const header = request.headers.authorization;
      const match = header ? /^Bearer ([^\s]+)$/i.exec(header.trim()) : null;
      if (!match) return refuse(request, 'send a bearer token: Authorization: Bearer <token>');
      let verified;
      try {
        verified = await verifier.verify(match[1]);
      } catch (error) {
        if (error instanceof InvalidTokenError) return refuse(request, error.message);
        if (error instanceof KeysUnavailableError) {
          request.log.warn({ err: { type: error.name, message: error.message } }, 'token issuer keys unavailable');
          throw problem.unavailable('the token issuer cannot be reached; retry later');
        }
        throw error;
      }
      const actor = await actors.resolve(verified.subject, verified.kind);
      if (!actor) return refuse(request, verified.kind === 'service' ? 'the token names no active service account' : 'the token names no active user');
      request.actor = actor;
    });
  },
  { name: 'auth', dependencies: ['dependencies', 'limits'] },
);
