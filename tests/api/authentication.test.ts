/**
 * Authentication against real servers: bearer JWTs verified against a JWKS, for the embedded issuer
 * (its own discovery document and JWKS, key rotation) and for an external OIDC provider played by a
 * real HTTP server with its own key pair; every kind of bad token refused with 401 problem+json;
 * service accounts from creation to a client-credentials token that acts on the API.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT, createLocalJWKSet, exportJWK, exportSPKI, generateKeyPair, importJWK, jwtVerify, type JWTPayload } from 'jose';
import { LocalIssuer, rotateIssuerKey } from '../../infra/local-issuer';
import { expectProblem, json, startApiHarness, type ApiHarness, type ApiResponse } from './harness';

const hour = 60 * 60;
const nowSeconds = () => Math.floor(Date.now() / 1000);

function asBearer(api: ApiHarness, token: string, url = '/me'): Promise<ApiResponse> {
  return api.request(null, { method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
}

/** An OIDC provider on a real port: discovery document, JWKS, and a signer with its own RSA key. */
interface FakeProvider {
  issuer: string;
  hits: { discovery: number; jwks: number };
  sign(payload: JWTPayload, options?: { kid?: string; key?: Parameters<SignJWT['sign']>[0]; alg?: string }): Promise<string>;
  close(): Promise<void>;
}

async function startProvider(): Promise<FakeProvider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'provider-key-1';
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  const hits = { discovery: 0, jwks: 0 };
  let issuer = '';
  const server: Server = createServer((request, response) => {
    const send = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.url === '/.well-known/openid-configuration') {
      hits.discovery += 1;
      send({ issuer, jwks_uri: `${issuer}/protocol/keys`, id_token_signing_alg_values_supported: ['RS256'] });
    } else if (request.url === '/protocol/keys') {
      hits.jwks += 1;
      send(jwks);
    } else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    issuer,
    hits,
    sign: (payload, options = {}) =>
      new SignJWT(payload).setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? kid, typ: 'JWT' }).sign(options.key ?? privateKey),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('the embedded issuer', () => {
  let api: ApiHarness;
  let keyFile: string;

  beforeAll(async () => {
    // A key file of this file's own: the rotation below must not touch other test files' issuer.
    keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'reticulate-auth-test-')), 'issuer', 'keys.json');
    api = await startApiHarness({ env: { RETICULATE_ISSUER_KEY_FILE: keyFile } });
  }, 120_000);

  afterAll(async () => {
    await api?.close();
  });

  it('publishes a discovery document and a JWKS (with kid) that verify its tokens', async () => {
    const discovery = await api.request(null, { method: 'GET', url: '/.well-known/openid-configuration' });
    expect(discovery.statusCode).toBe(200);
    const document = json<{ issuer: string; jwks_uri: string; token_endpoint: string }>(discovery);
    expect(document.issuer).toBe(api.config.localIssuer.url);
    expect(document.jwks_uri).toBe(`${api.config.localIssuer.url}/.well-known/jwks.json`);
    expect(document.token_endpoint).toBe(`${api.config.localIssuer.url}/oauth/token`);

    const jwks = json<{ keys: Array<{ kid: string; kty: string; alg: string; d?: string }> }>(await api.request(null, { method: 'GET', url: '/.well-known/jwks.json' }));
    expect(jwks.keys[0]).toMatchObject({ kid: api.issuer.currentKeyId, kty: 'EC', alg: 'ES256' });
    expect(jwks.keys.every((key) => key.d === undefined)).toBe(true);
    // Anyone holding only the published JWKS can verify a demo token: no shortcut, no shared secret.
    const token = await api.tokenFor('social-worker-grosseto');
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks as never), { issuer: document.issuer, audience: 'reticulate-api' });
    expect(payload.sub).toBe('social-worker-grosseto');
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: api.issuer.currentKeyId });
  });

  it('accepts a valid token and answers with the user from the users table', async () => {
    const me = await asBearer(api, await api.tokenFor('cpi-counsellor-lucca'));
    expect(me.statusCode).toBe(200);
    expect(json(me)).toMatchObject({ id: 'cpi-counsellor-lucca', kind: 'user', roles: ['operator'], areas: ['lucca'], services: ['employment'] });
  });

  it('rejects every bad token with 401 problem+json, saying which check failed', async () => {
    const { issuer } = api;
    const now = nowSeconds();
    const claims = { sub: 'admin', iss: issuer.url, aud: issuer.audience, iat: now, exp: now + hour };
    const good = await issuer.sign(claims);
    const [header, body, signature] = good.split('.');
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const intruder = await generateKeyPair('ES256');
    const publicJwk = json<{ keys: Array<Record<string, unknown>> }>(await api.request(null, { method: 'GET', url: '/.well-known/jwks.json' })).keys[0];
    const publicPem = await exportSPKI(await importJWK(publicJwk as never, 'ES256', { extractable: true }));
    const hmacWith = (secret: string) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: issuer.currentKeyId }).sign(new TextEncoder().encode(secret));
    const { sub: _sub, ...withoutSubject } = claims;
    const { exp: _exp, ...withoutExpiry } = claims;

    const cases: Array<{ name: string; token: string; detail: RegExp }> = [
      { name: 'wrong issuer', token: await issuer.sign({ ...claims, iss: 'https://idp.elsewhere.example' }), detail: /issuer/ },
      { name: 'wrong audience', token: await issuer.sign({ ...claims, aud: 'another-api' }), detail: /audience/ },
      { name: 'expired', token: await issuer.sign({ ...claims, iat: now - 2 * hour, exp: now - hour }), detail: /expired/ },
      { name: 'not yet valid', token: await issuer.sign({ ...claims, nbf: now + hour }), detail: /not yet valid/ },
      { name: 'issued too long ago', token: await issuer.sign({ ...claims, iat: now - 13 * hour, exp: now + hour }), detail: /expired/ },
      {
        name: 'bad signature (another key claiming our kid)',
        token: await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: issuer.currentKeyId }).sign(intruder.privateKey),
        detail: /signature/,
      },
      { name: 'tampered payload', token: `${header}.${encode({ ...claims, sub: 'supervisor-lucca' })}.${signature}`, detail: /signature/ },
      { name: 'alg none', token: `${encode({ alg: 'none', typ: 'JWT' })}.${body}.`, detail: /algorithm/ },
      { name: 'alg none with our kid', token: `${encode({ alg: 'none', kid: issuer.currentKeyId })}.${body}.`, detail: /algorithm/ },
      { name: 'HS256 with the public key (PEM) as secret', token: await hmacWith(publicPem), detail: /algorithm/ },
      { name: 'HS256 with the public JWK as secret', token: await hmacWith(JSON.stringify(publicJwk)), detail: /algorithm/ },
      { name: 'missing sub', token: await issuer.sign(withoutSubject), detail: /subject/ },
      { name: 'missing exp', token: await issuer.sign(withoutExpiry), detail: /expiry/ },
      { name: 'unknown kid', token: await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'no-such-key' }).sign(intruder.privateKey), detail: /signing key/ },
      { name: 'unknown user', token: await issuer.sign({ ...claims, sub: 'nobody-here' }), detail: /no active user/ },
      { name: "a person's id claiming to be a service account", token: await issuer.sign({ ...claims, client_id: 'admin' }), detail: /no active service account/ },
      { name: 'client_id not matching sub', token: await issuer.sign({ ...claims, client_id: 'demo-shelter-integration' }), detail: /claims/ },
      { name: 'garbage', token: 'not-a-jwt', detail: /malformed/ },
      { name: 'three empty-ish parts', token: 'a.b.c', detail: /malformed/ },
    ];
    let rejected = 0;
    for (const { name, token, detail } of cases) {
      const response = await asBearer(api, token);
      const problem = expectProblem(response, 401, 'unauthorized');
      expect({ name, detail: problem.detail }).toEqual({ name, detail: expect.stringMatching(detail) });
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      rejected += 1;
    }
    console.log(`bad tokens rejected: ${rejected}/${cases.length}`);
    expect(rejected).toBe(cases.length);
    // The same claims, correctly signed, pass: the refusals above are the checks, not a broken setup.
    expect((await asBearer(api, good)).statusCode).toBe(200);
  });

  it('rotates its key: new tokens carry the new kid, tokens of the previous key stay valid, both keys are published', async () => {
    const before = await api.tokenFor('supervisor-pistoia');
    const oldKid = api.issuer.currentKeyId;
    const newKid = await rotateIssuerKey(keyFile);
    // Another process (npm run token) signing with the rotated file; the running API picks the key up from the file.
    const rotated = await LocalIssuer.open({ url: api.config.localIssuer.url, audience: api.config.oidc.audience, keyFile });
    expect(rotated.currentKeyId).toBe(newKid);
    const after = await rotated.issueUserToken('supervisor-pistoia');
    expect(JSON.parse(Buffer.from(after.split('.')[0], 'base64url').toString())).toMatchObject({ kid: newKid });
    expect((await asBearer(api, after)).statusCode).toBe(200);
    expect((await asBearer(api, before)).statusCode).toBe(200);
    const jwks = json<{ keys: Array<{ kid: string }> }>(await api.request(null, { method: 'GET', url: '/.well-known/jwks.json' }));
    expect(jwks.keys.map((key) => key.kid)).toEqual([newKid, oldKid]);
    // The retired key can no longer sign: the file keeps only its public half.
    const stored = JSON.parse(readFileSync(keyFile, 'utf8')) as { keys: Array<{ kid: string; privateJwk?: unknown }> };
    expect(stored.keys.map((key) => [key.kid, key.privateJwk !== undefined])).toEqual([
      [newKid, true],
      [oldKid, false],
    ]);
  });
});

describe('service accounts', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApiHarness();
  }, 120_000);

  afterAll(async () => {
    await api?.close();
  });

  const tokenRequest = (body: Record<string, string>, form = true) =>
    api.request(null, {
      method: 'POST',
      url: '/oauth/token',
      ...(form ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(body).toString() } : { payload: body }),
    });

  it('lets an admin create one, whose client-credentials token acts with its roles and areas', async () => {
    expectProblem(await api.request('supervisor-livorno', { method: 'POST', url: '/service-accounts', payload: { id: 'x-bridge', name: 'X', roles: ['operator'] } }), 403, 'forbidden');
    const invalid = expectProblem(
      await api.request('admin', { method: 'POST', url: '/service-accounts', payload: { id: 'lucca-cpi-sync', name: 'CPI sync', roles: ['operator'], areas: ['lucca', 'atlantis'], services: ['employment'] } }),
      422,
      'invalid_data',
    );
    expect(invalid.issues).toEqual([expect.objectContaining({ path: ['areas', 1] })]);

    const created = await api.request('admin', {
      method: 'POST',
      url: '/service-accounts',
      payload: { id: 'lucca-cpi-sync', name: 'CPI sync', roles: ['operator'], areas: ['lucca'], services: ['employment'] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const { account, clientSecret } = json<{ account: { id: string; kind: string; createdBy: string }; clientSecret: string }>(created);
    expect(account).toMatchObject({ id: 'lucca-cpi-sync', kind: 'service', createdBy: 'admin' });
    expect(clientSecret.length).toBeGreaterThanOrEqual(40);
    // Stored hashed, never in clear.
    const { rows } = await api.pool.query<{ client_secret_hash: string }>('SELECT client_secret_hash FROM users WHERE id = $1', ['lucca-cpi-sync']);
    expect(rows[0].client_secret_hash).toMatch(/^scrypt\$/);
    expect(rows[0].client_secret_hash).not.toContain(clientSecret);
    expectProblem(await api.request('admin', { method: 'POST', url: '/service-accounts', payload: { id: 'lucca-cpi-sync', name: 'Again', roles: ['operator'] } }), 409, 'conflict');
    expectProblem(await api.request('admin', { method: 'POST', url: '/service-accounts', payload: { id: 'admin', name: 'Taken by a person', roles: ['operator'] } }), 409, 'conflict');
    const adminAccount = expectProblem(
      await api.request('admin', { method: 'POST', url: '/service-accounts', payload: { id: 'all-powerful-bridge', name: 'Admin bridge', roles: ['operator', 'admin'] } }),
      422,
      'invalid_data',
    );
    expect(adminAccount.issues?.map((issue) => issue.path)).toEqual([['roles', 1]]);

    const listed = json<{ items: Array<{ id: string }> }>(await api.request('admin', { method: 'GET', url: '/service-accounts' }));
    expect(listed.items.map((item) => item.id)).toEqual(expect.arrayContaining(['lucca-cpi-sync', 'demo-shelter-integration']));
    expect(JSON.stringify(listed)).not.toContain('scrypt');

    // Form-encoded, as RFC 6749 has it, and JSON.
    for (const form of [true, false]) {
      const issued = await tokenRequest({ grant_type: 'client_credentials', client_id: 'lucca-cpi-sync', client_secret: clientSecret }, form);
      expect(issued.statusCode).toBe(200);
      expect(issued.headers['cache-control']).toBe('no-store');
      const { access_token: accessToken, token_type: tokenType, expires_in: expiresIn } = json<{ access_token: string; token_type: string; expires_in: number }>(issued);
      expect(tokenType).toBe('Bearer');
      expect(expiresIn).toBeLessThanOrEqual(15 * 60);
      const me = await asBearer(api, accessToken);
      expect(json(me)).toMatchObject({ id: 'lucca-cpi-sync', kind: 'service', roles: ['operator'], areas: ['lucca'], services: ['employment'] });
      expect((await asBearer(api, accessToken, '/tasks?areaId=lucca')).statusCode).toBe(200);
      // Its roles, not a token claim, decide: an operator may not manage accounts.
      expectProblem(await asBearer(api, accessToken, '/service-accounts'), 403, 'forbidden');
    }

    const wrong = expectProblem(await tokenRequest({ grant_type: 'client_credentials', client_id: 'lucca-cpi-sync', client_secret: 'guess' }), 401, 'unauthorized');
    expect(wrong).toMatchObject({ error: 'invalid_client' });
    expectProblem(await tokenRequest({ grant_type: 'client_credentials', client_id: 'no-such-client', client_secret: clientSecret }), 401, 'unauthorized');
    // A person's id is no client id, even with a secret of some account.
    expectProblem(await tokenRequest({ grant_type: 'client_credentials', client_id: 'admin', client_secret: clientSecret }), 401, 'unauthorized');
    const badGrant = expectProblem(await tokenRequest({ grant_type: 'password', client_id: 'lucca-cpi-sync', client_secret: clientSecret }), 400, 'validation_error');
    expect(badGrant.issues).toEqual([expect.objectContaining({ path: ['grant_type'] })]);
    const missing = expectProblem(await tokenRequest({ grant_type: 'client_credentials', client_id: 'lucca-cpi-sync' }), 400, 'validation_error');
    expect(missing.issues).toEqual([expect.objectContaining({ path: ['client_secret'] })]);
    const repeated = await api.request(null, {
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=client_credentials&client_id=lucca-cpi-sync&client_id=other&client_secret=${clientSecret}`,
    });
    expect(expectProblem(repeated, 400, 'validation_error').issues).toEqual([expect.objectContaining({ path: ['client_id'] })]);
    const poisoned = await api.request(null, {
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `__proto__=x&constructor=y&grant_type=client_credentials&client_id=lucca-cpi-sync&client_secret=${clientSecret}`,
    });
    expect(poisoned.statusCode).toBe(200);

    // A new secret replaces the old one at once.
    const renewed = json<{ clientSecret: string }>(await api.request('admin', { method: 'POST', url: '/service-accounts/lucca-cpi-sync/secret' }));
    expectProblem(await tokenRequest({ grant_type: 'client_credentials', client_id: 'lucca-cpi-sync', client_secret: clientSecret }), 401, 'unauthorized');
    expect((await tokenRequest({ grant_type: 'client_credentials', client_id: 'lucca-cpi-sync', client_secret: renewed.clientSecret })).statusCode).toBe(200);

    // Deleted: no more tokens, and not found.
    expect((await api.request('admin', { method: 'DELETE', url: '/service-accounts/lucca-cpi-sync' })).statusCode).toBe(204);
    expectProblem(await tokenRequest({ grant_type: 'client_credentials', client_id: 'lucca-cpi-sync', client_secret: renewed.clientSecret }), 401, 'unauthorized');
    expectProblem(await api.request('admin', { method: 'GET', url: '/service-accounts/lucca-cpi-sync' }), 404, 'not_found');
    expectProblem(await api.request('admin', { method: 'DELETE', url: '/service-accounts/lucca-cpi-sync' }), 404, 'not_found');
  });

  it('seeds a demo service account that works once an admin issues its secret, and keeps people and accounts apart', async () => {
    expectProblem(await tokenRequest({ grant_type: 'client_credentials', client_id: 'demo-shelter-integration', client_secret: 'anything' }), 401, 'unauthorized');
    const { clientSecret } = json<{ clientSecret: string }>(await api.request('admin', { method: 'POST', url: '/service-accounts/demo-shelter-integration/secret' }));
    const issued = json<{ access_token: string }>(await tokenRequest({ grant_type: 'client_credentials', client_id: 'demo-shelter-integration', client_secret: clientSecret }));
    expect(json(await asBearer(api, issued.access_token))).toMatchObject({ id: 'demo-shelter-integration', kind: 'service', areas: ['livorno'] });
    // A user token (no client_id) naming the account is not the account.
    expectProblem(await asBearer(api, await api.tokenFor('demo-shelter-integration')), 401, 'unauthorized');
  });
});

describe('an external OIDC provider', () => {
  let provider: FakeProvider;
  let api: ApiHarness;

  beforeAll(async () => {
    provider = await startProvider();
    api = await startApiHarness({ env: { OIDC_ISSUER: provider.issuer, OIDC_AUDIENCE: 'reticulate-api', OIDC_USER_CLAIM: 'preferred_username' } });
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await provider?.close();
  });

  const claims = () => ({ iss: provider.issuer, aud: 'reticulate-api', sub: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6', preferred_username: 'oss-operator-pistoia', iat: nowSeconds(), exp: nowSeconds() + hour });

  it("accepts its tokens (keys from its discovered JWKS, user from the configured claim) and still the local issuer's", async () => {
    const me = await asBearer(api, await provider.sign(claims()));
    expect(me.statusCode).toBe(200);
    expect(json(me)).toMatchObject({ id: 'oss-operator-pistoia', kind: 'user', areas: ['pistoia'] });
    for (let i = 0; i < 3; i += 1) expect((await asBearer(api, await provider.sign(claims()))).statusCode).toBe(200);
    // Discovered once, JWKS fetched once and cached by jose.
    expect(provider.hits).toEqual({ discovery: 1, jwks: 1 });
    expect((await asBearer(api, await api.tokenFor('admin'))).statusCode).toBe(200);
  });

  it('refuses tokens it did not sign or that do not fit, with 401 problem+json', async () => {
    const intruder = await generateKeyPair('RS256');
    const ecIntruder = await generateKeyPair('ES256');
    const { preferred_username: _name, ...nameless } = claims();
    const refused: Array<[string, string, RegExp]> = [
      ['another key with its kid', await provider.sign(claims(), { key: intruder.privateKey }), /signature/],
      ['another key, unknown kid', await provider.sign(claims(), { key: ecIntruder.privateKey, kid: 'rogue', alg: 'ES256' }), /signing key/],
      ['wrong audience', await provider.sign({ ...claims(), aud: 'someone-else' }), /audience/],
      ['expired', await provider.sign({ ...claims(), iat: nowSeconds() - 2 * hour, exp: nowSeconds() - hour }), /expired/],
      ['issuer spelled differently', await provider.sign({ ...claims(), iss: `${provider.issuer}/` }), /issuer/],
      // One trusted issuer passing itself off as the other: checked against the named issuer's keys, which did not sign it.
      ['the provider claiming to be the local issuer', await provider.sign({ ...claims(), iss: api.issuer.url, sub: 'admin' }), /signing key|signature|algorithm/],
      ['the local issuer claiming to be the provider', await api.issuer.sign({ ...claims(), iss: provider.issuer }), /signing key|signature/],
      ['no user claim', await provider.sign(nameless), /preferred_username/],
      ['unknown user', await provider.sign({ ...claims(), preferred_username: 'stranger' }), /no active user/],
      // The provider's tokens always name people: a service account's id is not one, whatever else the token says.
      ['a service account id', await provider.sign({ ...claims(), preferred_username: 'demo-shelter-integration', client_id: 'demo-shelter-integration' }), /no active user/],
    ];
    for (const [name, token, detail] of refused) {
      const problem = expectProblem(await asBearer(api, token), 401, 'unauthorized');
      expect({ name, detail: problem.detail }).toEqual({ name, detail: expect.stringMatching(detail) });
    }
    console.log(`external provider: ${refused.length}/${refused.length} foreign or unfit tokens rejected`);
  });

  it('answers 503 problem+json, never 401 or 500, while the provider cannot be reached', async () => {
    const down = await startApiHarness({ env: { OIDC_ISSUER: 'http://127.0.0.1:9/realm', OIDC_JWKS_URL: 'http://127.0.0.1:9/keys' } });
    try {
      const token = await provider.sign({ ...claims(), iss: 'http://127.0.0.1:9/realm' });
      expectProblem(await asBearer(down, token), 503, 'service_unavailable');
      // The local issuer does not depend on it.
      expect((await asBearer(down, await down.tokenFor('admin'))).statusCode).toBe(200);
    } finally {
      await down.close();
    }
  }, 120_000);
});
