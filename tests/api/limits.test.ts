/**
 * Limits of the API against the real app: per-actor rate limits (429 problem+json with
 * Retry-After, users independent, health exempt, refused credentials counted per address), body
 * size caps (413 problem+json), CORS by configured origin, security headers, pagination caps, and
 * credentials kept out of the logs.
 */
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import buildApp, { options } from '../../api/app';
import { loggerOptions } from '../../api/server';
import { expectProblem, startApiHarness, type ApiHarness, type ApiResponse } from './harness';

const maxPerWindow = 5;
const allowedOrigin = 'https://inbox.reticulate.example';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness({ env: { RATE_LIMIT_MAX: String(maxPerWindow), RATE_LIMIT_WINDOW: '10 minutes', CORS_ORIGINS: `${allowedOrigin}, https://other.example` } });
}, 120_000);

afterAll(async () => {
  await api?.close();
});

/** A request from a given client address (the limiter keys anonymous callers by address). */
async function fromAddress(remoteAddress: string, request: { method: 'GET' | 'POST' | 'OPTIONS'; url: string; headers?: Record<string, string>; payload?: string }): Promise<ApiResponse> {
  const response = await api.app.inject({ ...request, remoteAddress });
  return {
    statusCode: response.statusCode,
    headers: Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)])),
    body: response.body,
    json: <T>() => JSON.parse(response.body) as T,
  };
}

describe('rate limits', () => {
  it('gives each user a budget of their own: over it, 429 problem+json with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < maxPerWindow; i += 1) statuses.push((await api.request('oss-operator-grosseto', { method: 'GET', url: '/me' })).statusCode);
    expect(statuses).toEqual(Array(maxPerWindow).fill(200));
    const over = await api.request('oss-operator-grosseto', { method: 'GET', url: '/me' });
    const body = expectProblem(over, 429, 'too_many_requests');
    expect(body.detail).toMatch(/retry after \d+ s/);
    const retryAfter = Number(over.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    // Another user, same address: untouched.
    expect((await api.request('oss-operator-lucca', { method: 'GET', url: '/me' })).statusCode).toBe(200);
    console.log(`rate limit: ${maxPerWindow} requests then 429 (Retry-After ${retryAfter} s); another user unaffected`);
  });

  it('never limits the health checks', async () => {
    for (let i = 0; i < maxPerWindow * 3; i += 1) expect((await fromAddress('10.1.0.1', { method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('counts anonymous callers by address, public routes and refused tokens alike', async () => {
    for (let i = 0; i < maxPerWindow; i += 1) expect((await fromAddress('10.1.0.2', { method: 'GET', url: '/.well-known/jwks.json' })).statusCode).toBe(200);
    const over = await fromAddress('10.1.0.2', { method: 'GET', url: '/.well-known/jwks.json' });
    expectProblem(over, 429, 'too_many_requests');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect((await fromAddress('10.1.0.3', { method: 'GET', url: '/.well-known/jwks.json' })).statusCode).toBe(200);

    // A token guesser has no actor: its refusals count by address, then it gets 429 instead of 401.
    const guess = { method: 'GET' as const, url: '/me', headers: { authorization: 'Bearer not.a.token' } };
    for (let i = 0; i < maxPerWindow; i += 1) expectProblem(await fromAddress('10.1.0.4', guess), 401, 'unauthorized');
    const blocked = await fromAddress('10.1.0.4', guess);
    expectProblem(blocked, 429, 'too_many_requests');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // A valid token from that address still works: the budget is the actor's.
    const token = await api.tokenFor('supervisor-lucca');
    expect((await fromAddress('10.1.0.4', { method: 'GET', url: '/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
  });
});

describe('body size caps', () => {
  it('refuses bodies over the global 1 MiB with 413 problem+json', async () => {
    const big = JSON.stringify({ key: 'big', definition: { padding: 'x'.repeat(1024 * 1024) } });
    expectProblem(await api.request('coordinator-lucca', { method: 'POST', url: '/pathways', headers: { 'content-type': 'application/json' }, payload: big }), 413, 'payload_too_large');
  });

  it('holds small-by-nature bodies to tighter caps', async () => {
    const credentials = `grant_type=client_credentials&client_id=x&client_secret=${'s'.repeat(5 * 1024)}`;
    expectProblem(
      await fromAddress('10.1.0.5', { method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: credentials }),
      413,
      'payload_too_large',
    );
    const account = { id: 'too-big', name: 'n'.repeat(20 * 1024), roles: ['operator'] };
    expectProblem(await api.request('admin', { method: 'POST', url: '/service-accounts', payload: account }), 413, 'payload_too_large');
  });
});

describe('pagination caps', () => {
  it('refuses a page size over the cap with 400 and the field path', async () => {
    for (const url of ['/cases?limit=1000', '/tasks?areaId=livorno&limit=101', '/supervision/stalled?limit=0']) {
      const body = expectProblem(await api.request('supervisor-livorno', { method: 'GET', url }), 400, 'validation_error');
      expect(body.issues).toEqual([expect.objectContaining({ path: ['limit'], location: 'querystring' })]);
    }
    expect((await api.request('admin', { method: 'GET', url: '/cases?limit=100' })).statusCode).toBe(200);
  });
});

describe('CORS', () => {
  it('answers a configured origin, preflight included, with its CORS headers', async () => {
    const simple = await fromAddress('10.2.0.1', { method: 'GET', url: '/healthz', headers: { origin: allowedOrigin } });
    expect(simple.headers['access-control-allow-origin']).toBe(allowedOrigin);
    expect(simple.headers.vary).toMatch(/origin/i);
    const preflight = await fromAddress('10.2.0.1', {
      method: 'OPTIONS',
      url: '/cases',
      headers: { origin: allowedOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, idempotency-key' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(allowedOrigin);
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(preflight.headers['access-control-allow-headers']).toContain('authorization');
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives any other origin no CORS headers, and its preflight a 404', async () => {
    const simple = await fromAddress('10.2.0.2', { method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example' } });
    expect(simple.statusCode).toBe(200);
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await fromAddress('10.2.0.2', {
      method: 'OPTIONS',
      url: '/cases',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expectProblem(preflight, 404, 'not_found');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('security headers', () => {
  it('sets helmet headers everywhere, and no-store on authenticated answers', async () => {
    for (const response of [await fromAddress('10.3.0.1', { method: 'GET', url: '/healthz' }), await api.request('auditor-pistoia', { method: 'GET', url: '/me' })]) {
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
      });
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
    expect((await api.request('auditor-pistoia', { method: 'GET', url: '/me' })).headers['cache-control']).toBe('no-store');
    const unauthenticated = await api.request(null, { method: 'GET', url: '/me' });
    expect(unauthenticated.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('secrets in logs', () => {
  it('never writes bearer tokens or client secrets to the log', async () => {
    let logged = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    // The production logger options (api/server.ts) at the most verbose level.
    const logger = { ...(loggerOptions('trace') as object), stream };
    const app = Fastify({ ...options, logger });
    await app.register(buildApp, { pool: api.pool, temporal: api.temporal, config: { ...api.config, rateLimit: { max: 1_000, windowMs: 60_000 } }, taskQueue: api.config.taskQueue });
    await app.ready();
    try {
      const created = await app.inject({
        method: 'POST',
        url: '/service-accounts',
        headers: { authorization: `Bearer ${await api.tokenFor('admin')}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ id: 'log-canary', name: 'Canary', roles: ['auditor'], areas: ['lucca'] }),
      });
      expect(created.statusCode).toBe(201);
      const { clientSecret } = JSON.parse(created.body) as { clientSecret: string };
      const issued = await app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'log-canary', client_secret: clientSecret }).toString(),
      });
      const accessToken = (JSON.parse(issued.body) as { access_token: string }).access_token;
      await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${accessToken}` } });
      await app.inject({ method: 'GET', url: '/me', headers: { authorization: 'Bearer forged.canary.token', cookie: 'session=canary-cookie' } });
      // The log is there (requests were logged), and none of the credentials are in it.
      expect(logged).toContain('incoming request');
      for (const secret of [clientSecret, accessToken, 'forged.canary.token', 'canary-cookie']) expect(logged).not.toContain(secret);
    } finally {
      await app.close();
    }
  });
});
