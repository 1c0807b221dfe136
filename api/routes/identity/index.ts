/**
 * The embedded issuer's public routes: OIDC discovery, its JWKS (current and previous keys), the
 * OAuth 2.0 token endpoint (client credentials for service accounts, RFC 6749 §4.4; authorization
 * code with PKCE for the web console, §4.1 and RFC 7636), which takes form-encoded or JSON bodies
 * and answers short-lived bearer tokens, and the console's sign-in: in embedded mode the
 * authorization endpoint sends the browser to the console's page where a demo user is picked.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { saveAuthorizationCode, takeAuthorizationCode } from '../../../infra/db/authorization-code-repository';
import { findActivePerson, listActivePeople } from '../../../infra/db/directory-repository';
import { LOCAL_ISSUER_ALGORITHM, SERVICE_TOKEN_TTL_SECONDS, USER_TOKEN_TTL_SECONDS } from '../../../infra/local-issuer';
import { findClientSecretHash } from '../../../infra/db/service-account-repository';
import { verifyClientSecret } from '../../auth/client-secrets';
import { bodyLimits } from '../../plugins/limits';
import { problem, sendProblem } from '../../plugins/problems';
import {
  authorizationRequestSchema,
  clientIdSchema,
  CONSOLE_CALLBACK_PATH,
  CONSOLE_CLIENT_ID,
  demoSignInRequestSchema,
  demoSignInResponseSchema,
  demoUserListSchema,
  discoveryDocumentSchema,
  jwksSchema,
  tokenRequestSchema,
  tokenResponseSchema,
} from '../../schemas/identity';
import { problemResponse, problemResponses, problemTypes, titleOf } from '../../schemas/problem';

const formContentType = 'application/x-www-form-urlencoded';
// Long enough to finish a redirect, short enough that a leaked code is worthless (RFC 6749 §4.1.2 says at most 10 minutes).
const AUTHORIZATION_CODE_TTL_SECONDS = 60;

/** RFC 7636 §4.6: BASE64URL(SHA256(verifier)) must equal the challenge sent with the authorization request. */
function pkceMatches(verifier: string, challenge: string): boolean {
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

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
  const demoSignIn = fastify.appConfig.console.demoSignIn;
  const consoleRedirectUri = `${issuerUrl}${CONSOLE_CALLBACK_PATH}`;
  const demoSignInOff = 'the embedded sign-in (demo users) is off on this server (CONSOLE_DEMO_SIGN_IN)';

  fastify.get('/.well-known/openid-configuration', {
    schema: { tags: ['identity'], summary: 'OIDC discovery document of the embedded issuer', response: { 200: discoveryDocumentSchema } },
    handler: async (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=300');
      return {
        issuer: issuerUrl,
        jwks_uri: `${issuerUrl}/.well-known/jwks.json`,
        token_endpoint: `${issuerUrl}/oauth/token`,
        ...(demoSignIn ? { authorization_endpoint: `${issuerUrl}/oauth/authorize`, code_challenge_methods_supported: ['S256'] } : {}),
        grant_types_supported: demoSignIn ? ['client_credentials', 'authorization_code'] : ['client_credentials'],
        token_endpoint_auth_methods_supported: demoSignIn ? ['client_secret_post', 'none'] : ['client_secret_post'],
        id_token_signing_alg_values_supported: [LOCAL_ISSUER_ALGORITHM],
        response_types_supported: demoSignIn ? ['token', 'code'] : ['token'],
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
      const grant = request.body;
      void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      if (grant.grant_type === 'authorization_code') {
        // Refused alike whatever is wrong (unknown, used, expired code, other client or redirect, PKCE mismatch): RFC 6749 §5.2.
        const issued = demoSignIn ? await takeAuthorizationCode(fastify.db, grant.code) : null;
        const user = issued ? await findActivePerson(fastify.db, issued.userId) : null;
        if (!issued || !user || issued.clientId !== grant.client_id || issued.redirectUri !== grant.redirect_uri || !pkceMatches(grant.code_verifier, issued.codeChallenge)) {
          await fastify.countAuthenticationFailure(request);
          return sendProblem(request, reply, { type: problemTypes.validationError, title: titleOf(400), status: 400, detail: 'invalid, expired or used authorization code', error: 'invalid_grant' });
        }
        const accessToken = await fastify.localIssuer.issueUserToken(user.id);
        return { access_token: accessToken, token_type: 'Bearer' as const, expires_in: USER_TOKEN_TTL_SECONDS, scope: issued.scope };
      }
      const { client_id: clientId, client_secret: clientSecret } = grant;
      const hash = clientIdSchema.safeParse(clientId).success ? await findClientSecretHash(fastify.db, clientId) : null;
      // Unknown ids cost one scrypt too (verifyClientSecret hashes a decoy), so timing tells nothing.
      if (!(await verifyClientSecret(clientSecret, hash))) {
        await fastify.countAuthenticationFailure(request);
        return sendProblem(request, reply, { type: problemTypes.unauthorized, title: titleOf(401), status: 401, detail: 'invalid client credentials', error: 'invalid_client' });
      }
      const accessToken = await fastify.localIssuer.issue({ subject: clientId, ttlSeconds: SERVICE_TOKEN_TTL_SECONDS, claims: { client_id: clientId } });
      return { access_token: accessToken, token_type: 'Bearer' as const, expires_in: SERVICE_TOKEN_TTL_SECONDS };
    },
  });

  fastify.get('/oauth/authorize', {
    schema: {
      tags: ['identity'],
      summary: 'Authorization endpoint of the embedded issuer (authorization code + PKCE, embedded mode only)',
      description: `Validates the console's request and sends the browser to the console's sign-in page, where a demo user is picked. The only client is \`${CONSOLE_CLIENT_ID}\`, the only redirect URI the console's callback on this issuer's origin.`,
      querystring: authorizationRequestSchema,
      response: { 302: z.null().describe('To the sign-in page'), ...problemResponses(400, 404, 429) },
    },
    handler: async (request, reply) => {
      if (!demoSignIn) throw problem.notFound(demoSignInOff);
      assertConsoleRedirect(request.query.redirect_uri);
      const query = new URLSearchParams(Object.entries(request.query).filter((entry): entry is [string, string] => entry[1] !== undefined));
      return reply.redirect(`/console/sign-in?${query.toString()}`, 302);
    },
  });

  fastify.get('/oauth/demo-users', {
    schema: { tags: ['identity'], summary: 'The people one may sign in as on the embedded sign-in page (embedded mode only)', response: { 200: demoUserListSchema, ...problemResponses(404, 429) } },
    handler: async () => {
      if (!demoSignIn) throw problem.notFound(demoSignInOff);
      const people = await listActivePeople(fastify.db);
      return { users: people.map(({ id, name, roles, areas, services }) => ({ id, name, roles, areas, services })) };
    },
  });

  fastify.post('/oauth/authorize', {
    bodyLimit: bodyLimits.credentials,
    schema: {
      tags: ['identity'],
      summary: 'Sign in as a demo user: answers where the browser goes next, with the authorization code (embedded mode only)',
      body: demoSignInRequestSchema,
      response: { 200: demoSignInResponseSchema, ...problemResponses(400, 404, 413, 415, 429) },
    },
    handler: async (request) => {
      if (!demoSignIn) throw problem.notFound(demoSignInOff);
      const { user_id: userId, redirect_uri: redirectUri, client_id: clientId, code_challenge: codeChallenge, state, scope } = request.body;
      assertConsoleRedirect(redirectUri);
      if (!(await findActivePerson(fastify.db, userId))) {
        throw problem.badRequest('unknown user', [{ path: ['user_id'], message: 'no active person has this id', location: 'body' }]);
      }
      const code = randomBytes(32).toString('base64url');
      await saveAuthorizationCode(fastify.db, code, { userId, clientId, redirectUri, codeChallenge, scope: scope ?? '' }, AUTHORIZATION_CODE_TTL_SECONDS);
      const target = new URL(redirectUri);
      target.searchParams.set('code', code);
      if (state !== undefined) target.searchParams.set('state', state);
      return { redirectTo: target.toString() };
    },
  });

  /** The console's callback on this issuer's origin is the only redirect URI: codes never leave for another site. */
  function assertConsoleRedirect(redirectUri: string): void {
    if (redirectUri !== consoleRedirectUri) {
      throw problem.badRequest('unregistered redirect URI', [{ path: ['redirect_uri'], message: `must be ${consoleRedirectUri}`, location: 'querystring' }]);
    }
  }
};

export default identityRoutes;
