/**
 * The console's sign-in at the embedded issuer (OAuth 2.0 authorization code + PKCE, RFC 7636)
 * and how the API serves the console: over HTTP against the real app and PostgreSQL. The browser
 * side of the same flow is tests/e2e/console/sign-in.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expectProblem, json, startApiHarness, type ApiHarness } from './harness';

const verifier = () => randomBytes(48).toString('base64url');
const challengeOf = (codeVerifier: string) => createHash('sha256').update(codeVerifier).digest('base64url');

/** A built console stand-in: the API serves whatever index.html and assets the folder holds. */
function fakeConsole(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'reticulate-console-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Reticulate</title><div id="root"></div><script type="module" src="/assets/app-abc123.js"></script>');
  writeFileSync(path.join(dir, 'assets', 'app-abc123.js'), 'console.log("console")');
  return dir;
}

let api: ApiHarness;
let callback: string;

beforeAll(async () => {
  api = await startApiHarness({ env: { CONSOLE_DIR: fakeConsole() } });
  callback = `${api.config.localIssuer.url}/console/callback`;
});

afterAll(async () => {
  await api?.close();
});

function authorizationQuery(overrides: Record<string, string> = {}, codeVerifier = verifier()) {
  return new URLSearchParams({
    response_type: 'code',
    client_id: 'reticulate-console',
    redirect_uri: callback,
    code_challenge: challengeOf(codeVerifier),
    code_challenge_method: 'S256',
    state: '/console/inbox',
    scope: 'console',
    ...overrides,
  });
}

/** Picks a demo user on the sign-in page: the code and state the browser is sent back with. */
async function signInAs(userId: string, codeVerifier: string) {
  const response = await api.request(null, { method: 'POST', url: '/oauth/authorize', payload: { ...Object.fromEntries(authorizationQuery({}, codeVerifier)), user_id: userId } });
  expect(response.statusCode).toBe(200);
  const target = new URL(json<{ redirectTo: string }>(response).redirectTo);
  expect(`${target.origin}${target.pathname}`).toBe(callback);
  return { code: target.searchParams.get('code') as string, state: target.searchParams.get('state') };
}

function exchange(code: string, codeVerifier: string, overrides: Record<string, string> = {}) {
  return api.request(null, {
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: codeVerifier, client_id: 'reticulate-console', redirect_uri: callback, ...overrides }).toString(),
  });
}

describe('authorization code + PKCE at the embedded issuer', () => {
  it('advertises the flow in its discovery document and tells the console how to sign in', async () => {
    const discovery = json<Record<string, unknown>>(await api.request(null, { method: 'GET', url: '/.well-known/openid-configuration' }));
    expect(discovery).toMatchObject({ authorization_endpoint: `${api.config.localIssuer.url}/oauth/authorize`, code_challenge_methods_supported: ['S256'] });
    expect(discovery.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'client_credentials']));
    const config = json(await api.request(null, { method: 'GET', url: '/console-config' }));
    expect(config).toEqual({ authority: api.config.localIssuer.url, clientId: 'reticulate-console', scope: 'console', demoSignIn: true, consoleOrigin: new URL(api.config.localIssuer.url).origin });
  });

  it('sends the browser to the sign-in page, and refuses requests it must not honour with the field at fault', async () => {
    const query = authorizationQuery();
    const response = await api.request(null, { method: 'GET', url: `/oauth/authorize?${query}` });
    expect(response.statusCode).toBe(302);
    const location = new URL(response.headers.location, 'http://x');
    expect(location.pathname).toBe('/console/sign-in');
    expect(location.searchParams.get('code_challenge')).toBe(query.get('code_challenge'));

    const cases: Array<[Record<string, string>, string]> = [
      [{ redirect_uri: 'https://evil.example/console/callback' }, 'redirect_uri'],
      [{ code_challenge_method: 'plain' }, 'code_challenge_method'],
      [{ client_id: 'someone-else' }, 'client_id'],
      [{ response_type: 'token' }, 'response_type'],
      [{ code_challenge: 'short' }, 'code_challenge'],
    ];
    for (const [override, field] of cases) {
      const problem = expectProblem(await api.request(null, { method: 'GET', url: `/oauth/authorize?${authorizationQuery(override)}` }), 400, 'validation_error');
      expect(problem.issues?.map((issue) => issue.path.join('.'))).toEqual([field]);
    }
  });

  it('lists people, never service accounts, on the sign-in page', async () => {
    const { users } = json<{ users: Array<{ id: string; roles: string[] }> }>(await api.request(null, { method: 'GET', url: '/oauth/demo-users' }));
    const ids = users.map((user) => user.id);
    expect(ids).toEqual(expect.arrayContaining(['oss-operator-grosseto', 'supervisor-livorno', 'coordinator-lucca', 'admin']));
    expect(ids).not.toContain('demo-shelter-integration');
  });

  it('exchanges a code once, for a token of the person picked, only with the right verifier', async () => {
    const codeVerifier = verifier();
    const { code, state } = await signInAs('social-worker-pistoia', codeVerifier);
    expect(state).toBe('/console/inbox');

    const issued = exchange(code, codeVerifier);
    const token = json<{ access_token: string; token_type: string; expires_in: number }>(await issued);
    expect(token.token_type).toBe('Bearer');
    const me = await api.app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${token.access_token}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: 'social-worker-pistoia', kind: 'user' });

    // Used once: the same code again is refused, as RFC 6749 §4.1.2 requires.
    const replay = expectProblem(await exchange(code, codeVerifier), 400, 'validation_error');
    expect(replay).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a wrong verifier, another redirect URI or an expired code, and burns the code on the attempt', async () => {
    const codeVerifier = verifier();
    const first = await signInAs('oss-operator-grosseto', codeVerifier);
    expect(expectProblem(await exchange(first.code, verifier()), 400, 'validation_error')).toMatchObject({ error: 'invalid_grant' });
    // An attacker who tried a wrong verifier leaves nothing usable behind.
    expectProblem(await exchange(first.code, codeVerifier), 400, 'validation_error');

    const second = await signInAs('oss-operator-grosseto', codeVerifier);
    expectProblem(await exchange(second.code, codeVerifier, { redirect_uri: `${api.config.localIssuer.url}/elsewhere` }), 400, 'validation_error');

    const third = await signInAs('oss-operator-grosseto', codeVerifier);
    await api.pool.query("UPDATE authorization_codes SET expires_at = now() - interval '1 second'");
    expectProblem(await exchange(third.code, codeVerifier), 400, 'validation_error');
    expect((await api.pool.query('SELECT count(*)::int AS n FROM authorization_codes')).rows[0].n).toBe(0);

    const malformed = expectProblem(await exchange('x', 'too-short'), 400, 'validation_error');
    expect(malformed.issues?.map((issue) => issue.path.join('.'))).toEqual(['code_verifier']);
  });

  it('refuses to sign in as an unknown person or a service account', async () => {
    for (const userId of ['nobody-here', 'demo-shelter-integration']) {
      const response = await api.request(null, { method: 'POST', url: '/oauth/authorize', payload: { ...Object.fromEntries(authorizationQuery()), user_id: userId } });
      const problem = expectProblem(response, 400, 'validation_error');
      expect(problem.issues?.map((issue) => issue.path.join('.'))).toEqual(['user_id']);
    }
  });
});

describe('serving the console', () => {
  it('answers its page at / and every /console address, with a CSP of its own, and fingerprinted assets cached for a year', async () => {
    for (const url of ['/', '/console/inbox', '/console/tasks/3f2c', '/console/callback?code=x&state=y']) {
      const page = await api.request(null, { method: 'GET', url });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('<div id="root">');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
      expect(page.headers['cache-control']).toBe('no-cache');
    }
    const asset = await api.request(null, { method: 'GET', url: '/assets/app-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    // API routes are untouched by the console's paths.
    expect((await api.request(null, { method: 'GET', url: '/tasks' })).statusCode).toBe(401);
    expectProblem(await api.request(null, { method: 'GET', url: '/assets/missing.js' }), 404, 'not_found');
  });
});

describe('with demo sign-in off and an OIDC provider for the console', () => {
  let production: ApiHarness;

  beforeAll(async () => {
    production = await startApiHarness({
      // No CONSOLE_DEMO_SIGN_IN: with an identity provider configured, the demo sign-in is off by default.
      env: { OIDC_ISSUER: 'https://id.example.org/realms/sds', OIDC_JWKS_URL: 'https://id.example.org/realms/sds/keys', OIDC_CONSOLE_CLIENT_ID: 'reticulate-console-prod', CONSOLE_DIR: path.join(tmpdir(), 'no-console-here') },
    });
  });

  afterAll(async () => {
    await production?.close();
  });

  it('points the console at the provider, closes the embedded sign-in, and says the console is not built here', async () => {
    expect(json(await production.request(null, { method: 'GET', url: '/console-config' }))).toEqual({
      authority: 'https://id.example.org/realms/sds',
      clientId: 'reticulate-console-prod',
      scope: 'openid profile',
      demoSignIn: false,
      consoleOrigin: null,
    });
    expectProblem(await production.request(null, { method: 'GET', url: `/oauth/authorize?${authorizationQuery()}` }), 404, 'not_found');
    expectProblem(await production.request(null, { method: 'GET', url: '/oauth/demo-users' }), 404, 'not_found');
    expectProblem(await production.request(null, { method: 'POST', url: '/oauth/authorize', payload: { ...Object.fromEntries(authorizationQuery()), user_id: 'admin' } }), 404, 'not_found');
    const discovery = json<Record<string, unknown>>(await production.request(null, { method: 'GET', url: '/.well-known/openid-configuration' }));
    expect(discovery.authorization_endpoint).toBeUndefined();
    expect(discovery.grant_types_supported).toEqual(['client_credentials']);
    expectProblem(await production.request(null, { method: 'GET', url: '/' }), 404, 'not_found');
  });
});
