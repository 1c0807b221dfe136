/**
 * A small OIDC provider on a real port for the console's sign-in against an external identity
 * provider: discovery, JWKS, an authorization endpoint that signs in a fixed person (as a provider
 * with an open session would), a token endpoint that checks PKCE (S256) before issuing an
 * RS256 access token and ID token, and an end-session endpoint. Browser-facing answers carry CORS headers, as real providers'
 * token endpoints do for single-page apps.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

export interface TestOidcProvider {
  issuer: string;
  /** What the provider saw: authorization requests (with their PKCE method) and token exchanges. */
  seen: { authorizations: Array<{ clientId: string; method: string | null }>; exchanges: number; refusedExchanges: number; logouts: number };
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Starts the provider; every sign-in is `username` (its `preferred_username` claim). */
export async function startTestOidcProvider({ clientId, username, audience }: { clientId: string; username: string; audience: string }): Promise<TestOidcProvider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'test-provider-key';
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  const codes = new Map<string, { challenge: string; redirectUri: string; nonce: string | null }>();
  const seen: TestOidcProvider['seen'] = { authorizations: [], exchanges: 0, refusedExchanges: 0, logouts: 0 };
  let issuer = '';
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).setIssuer(issuer).setIssuedAt().setExpirationTime('10m').sign(privateKey);

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', issuer);
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type, authorization' };
    const json = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json', ...cors }).end(JSON.stringify(body));
    if (request.method === 'OPTIONS') return void response.writeHead(204, { ...cors, 'access-control-allow-methods': 'GET, POST' }).end();
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        end_session_endpoint: `${issuer}/logout`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        id_token_signing_alg_values_supported: ['RS256'],
        subject_types_supported: ['public'],
      });
    }
    if (url.pathname === '/jwks') return json(200, jwks);
    if (url.pathname === '/logout') {
      seen.logouts += 1;
      return void response.writeHead(302, { location: url.searchParams.get('post_logout_redirect_uri') ?? issuer }).end();
    }
    if (url.pathname === '/authorize') {
      const params = url.searchParams;
      seen.authorizations.push({ clientId: params.get('client_id') ?? '', method: params.get('code_challenge_method') });
      const redirectUri = params.get('redirect_uri') ?? '';
      if (params.get('client_id') !== clientId || params.get('code_challenge_method') !== 'S256' || !params.get('code_challenge')) return json(400, { error: 'invalid_request' });
      const code = randomBytes(16).toString('base64url');
      codes.set(code, { challenge: params.get('code_challenge') as string, redirectUri, nonce: params.get('nonce') });
      const target = new URL(redirectUri);
      target.searchParams.set('code', code);
      if (params.get('state')) target.searchParams.set('state', params.get('state') as string);
      return void response.writeHead(302, { location: target.toString() }).end();
    }
    if (url.pathname === '/token' && request.method === 'POST') {
      void bodyOf(request).then(async (form) => {
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (!grant || grant.redirectUri !== form.get('redirect_uri') || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) {
          seen.refusedExchanges += 1;
          return json(400, { error: 'invalid_grant' });
        }
        seen.exchanges += 1;
        const accessToken = await sign({ sub: `provider-subject-${username}`, preferred_username: username, aud: audience, azp: clientId });
        const idToken = await sign({ sub: `provider-subject-${username}`, preferred_username: username, aud: clientId, ...(grant.nonce ? { nonce: grant.nonce } : {}) });
        json(200, { access_token: accessToken, id_token: idToken, token_type: 'Bearer', expires_in: 600, scope: 'openid profile' });
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    issuer,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
