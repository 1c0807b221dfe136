/**
 * The embedded issuer's public routes: OIDC discovery, its JWKS (current and previous keys), and
 * the OAuth 2.0 client-credentials token endpoint for service accounts (RFC 6749 §4.4), which
 * takes form-encoded or JSON bodies and answers short-lived bearer tokens.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LOCAL_ISSUER_ALGORITHM, SERVICE_TOKEN_TTL_SECONDS } from '../../../infra/local-issuer';
import { findClientSecretHash } from '../../../infra/db/service-account-repository';
import { verifyClientSecret } from '../../auth/client-secrets';
import { bodyLimits } from '../../plugins/limits';
import { problem, sendProblem } from '../../plugins/problems';
import { clientIdSchema, discoveryDocumentSchema, jwksSchema, tokenRequestSchema, tokenResponseSchema } from '../../schemas/identity';
import { problemResponse, problemResponses, problemTypes, titleOf } from '../../schemas/problem';

const formContentType = 'application/x-www-form-urlencoded';

/** A form body as an object; a parameter sent twice is refused (RFC 6749 §3.2). */
function parseForm(body: string): Record<string, string> {
  // No prototype: a parameter named __proto__ or constructor is just an unknown field (ignored, as RFC 6749 asks).
  const fields = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(fields, name)) throw problem.badRequest('a parameter is repeated', [{ path: [name], message: 'send each parameter once', location: 'body' }]);
    fields[name] = value;
  }
  return fields;
}

const identityRoutes: FastifyPluginAsyncZod = async (fastify) => {
  // Encapsulated: only the token endpoint accepts form bodies.
  fastify.addContentTypeParser(formContentType, { parseAs: 'string', bodyLimit: bodyLimits.credentials }, (_request, body, done) => {
    try {
      done(null, parseForm(String(body)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  const issuerUrl = fastify.localIssuer.url;

  fastify.get('/.well-known/openid-configuration', {
    schema: { tags: ['identity'], summary: 'OIDC discovery document of the embedded issuer', response: { 200: discoveryDocumentSchema } },
    handler: async (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=300');
      return {
        issuer: issuerUrl,
        jwks_uri: `${issuerUrl}/.well-known/jwks.json`,
        token_endpoint: `${issuerUrl}/oauth/token`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        id_token_signing_alg_values_supported: [LOCAL_ISSUER_ALGORITHM],
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
      };
    },
  });

  fastify.get('/.well-known/jwks.json', {
    schema: { tags: ['identity'], summary: 'Public signing keys of the embedded issuer (current first, then previous ones)', response: { 200: jwksSchema } },
    handler: async (_request, reply) => {
      // Short: after a rotation verifiers see the new key within minutes.
      void reply.header('cache-control', 'public, max-age=300');
      return fastify.localIssuer.publishedJwks() as { keys: Array<{ kty: string; kid: string; alg: string; use: string }> };
    },
  });

  fastify.post('/oauth/token', {
    bodyLimit: bodyLimits.credentials,
    schema: {
      tags: ['identity'],
      summary: 'Client-credentials token for a service account',
      description: `Form-encoded (${formContentType}) or JSON. The access token is valid for ${SERVICE_TOKEN_TTL_SECONDS / 60} minutes; ask again when it expires.`,
      body: tokenRequestSchema,
      response: {
        200: tokenResponseSchema,
        ...problemResponses(400, 413, 415, 429, 503),
        401: problemResponse('Unknown client or wrong secret (`unauthorized`, with `error: "invalid_client"` as RFC 6749 asks).'),
      },
    },
    handler: async (request, reply) => {
      const { client_id: clientId, client_secret: clientSecret } = request.body;
      const hash = clientIdSchema.safeParse(clientId).success ? await findClientSecretHash(fastify.db, clientId) : null;
      // Unknown ids cost one scrypt too (verifyClientSecret hashes a decoy), so timing tells nothing.
      if (!(await verifyClientSecret(clientSecret, hash))) {
        await fastify.countAuthenticationFailure(request);
        return sendProblem(request, reply, { type: problemTypes.unauthorized, title: titleOf(401), status: 401, detail: 'invalid client credentials', error: 'invalid_client' });
      }
      const accessToken = await fastify.localIssuer.issue({ subject: clientId, ttlSeconds: SERVICE_TOKEN_TTL_SECONDS, claims: { client_id: clientId } });
      void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return { access_token: accessToken, token_type: 'Bearer' as const, expires_in: SERVICE_TOKEN_TTL_SECONDS };
    },
  });
};

export default identityRoutes;
