/**
 * Problem+json everywhere: authentication, validation with field paths, unknown routes, unreadable
 * bodies, and a fuzz of garbage bodies that must never produce a 500. Also health, /me and the
 * OpenAPI document.
 */
import { SignJWT, generateKeyPair } from 'jose';
import { startApiHarness, json, type ApiHarness, expectProblem } from './harness';

let api: ApiHarness;

beforeAll(async () => {
  // No worker runs for this file: a command waits for one until this deadline, then answers 503.
  api = await startApiHarness({ temporalTimeoutMs: 1_500 });
}, 120_000);

afterAll(async () => {
  await api?.close();
});

describe('health', () => {
  it('answers /healthz and /readyz without a token', async () => {
    expect(json(await api.request(null, { method: 'GET', url: '/healthz' }))).toEqual({ status: 'ok' });
    const ready = await api.request(null, { method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(json(ready)).toEqual({ status: 'ready', checks: { database: 'ok', temporal: 'ok' } });
  });
});

describe('authentication', () => {
  it('refuses a missing token with 401 problem+json', async () => {
    const body = expectProblem(await api.request(null, { method: 'GET', url: '/me' }), 401, 'unauthorized');
    expect(body.detail).toMatch(/bearer/i);
  });

  it('refuses tampered, foreign, expired, misaddressed and unknown-user tokens, saying which check failed', async () => {
    const good = await api.tokenFor('oss-operator-livorno');
    const [header, payload] = good.split('.');
    const { issuer } = api;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ sub: 'admin', iss: issuer.url, aud: issuer.audience, iat: Math.floor(Date.now() / 1000), exp: 9_999_999_999 })).toString('base64url')}.${good.split('.')[2]}`;
    const noneAlg = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    // Another key claiming the issuer's key id.
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: issuer.currentKeyId })
      .setSubject('admin')
      .setIssuer(issuer.url)
      .setAudience(issuer.audience)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign((await generateKeyPair('ES256')).privateKey);
    const expired = await issuer.issueUserToken('admin', new Date(Date.now() - 13 * 60 * 60 * 1000));
    // Signed with the right key, but meant for someone else.
    const signed = (claims: { iss: string; aud: string }) => {
      const now = Math.floor(Date.now() / 1000);
      return issuer.sign({ sub: 'admin', iss: claims.iss, aud: claims.aud, iat: now, exp: now + 3600 });
    };
    const otherIssuer = await signed({ iss: 'someone-else', aud: issuer.audience });
    const otherAudience = await signed({ iss: issuer.url, aud: 'another-api' });
    const ghost = await api.tokenFor('nobody-here');
    const refusals: Array<[string, RegExp]> = [
      [tampered, /signature/],
      [noneAlg, /algorithm/],
      [foreign, /signature/],
      [expired, /expired/],
      [otherIssuer, /issuer/],
      [otherAudience, /audience/],
      [ghost, /no active user/],
      ['garbage', /malformed/],
      ['a.b.c', /malformed/],
    ];
    for (const [token, detail] of refusals) {
      const body = expectProblem(await api.request(null, { method: 'GET', url: '/me', headers: { authorization: `Bearer ${token}` } }), 401, 'unauthorized');
      expect(body.detail).toMatch(detail);
    }
    expectProblem(await api.request(null, { method: 'GET', url: '/cases', headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }), 401, 'unauthorized');
  });

  it('returns the actor of a valid token from the users table', async () => {
    const me = await api.request('social-worker-grosseto', { method: 'GET', url: '/me' });
    expect(me.statusCode).toBe(200);
    expect(json(me)).toEqual({
      id: 'social-worker-grosseto',
      kind: 'user',
      name: 'Assistente sociale Grosseto',
      roles: ['operator'],
      areas: ['grosseto'],
      services: ['social'],
    });
  });
});

describe('problem details', () => {
  it('answers unknown routes with 404 problem+json', async () => {
    expectProblem(await api.request('admin', { method: 'GET', url: '/no/such/route' }), 404, 'not_found');
  });

  it('locates query-string errors by field path', async () => {
    const body = expectProblem(await api.request('admin', { method: 'GET', url: '/cases?limit=0&status=sleeping' }), 400, 'validation_error');
    expect(body.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ['limit'], location: 'querystring' }),
        expect.objectContaining({ path: ['status'], location: 'querystring' }),
      ]),
    );
  });

  it('locates body errors by field path, nested ones too', async () => {
    const body = expectProblem(
      await api.request('supervisor-livorno', {
        method: 'POST',
        url: '/tasks/some-task/extend',
        payload: { by: { amount: -1, unit: 'fortnights' }, reason: 'x' },
      }),
      400,
      'validation_error',
    );
    const paths = body.issues?.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining([['by', 'amount'], ['by', 'unit'], ['reason']]));
    expect(body.issues?.every((issue) => issue.location === 'body')).toBe(true);
    // A deadline no read model could store (year 9999) is refused at the edge, not after the workflow took it.
    const farFuture = expectProblem(
      await api.request('supervisor-livorno', {
        method: 'POST',
        url: '/tasks/some-task/extend',
        payload: { newDueAt: '9999-12-31T00:00:00Z', reason: 'for ever' },
      }),
      400,
      'validation_error',
    );
    expect(farFuture.issues?.map((issue) => issue.path)).toEqual([['newDueAt']]);
  });

  it('answers an invalid cursor with 400 and the cursor path', async () => {
    const body = expectProblem(await api.request('admin', { method: 'GET', url: '/cases?cursor=not-a-cursor' }), 400, 'validation_error');
    expect(body.issues).toEqual([expect.objectContaining({ path: ['cursor'], location: 'querystring' })]);
  });

  it('answers unreadable bodies and content types with 400/415, never echoing the body', async () => {
    const malformed = expectProblem(
      await api.request('admin', { method: 'POST', url: '/cases', headers: { 'content-type': 'application/json', 'idempotency-key': 'k' }, payload: '{"pathwayKey": "secret-name' }),
      400,
      'malformed_body',
    );
    expect(JSON.stringify(malformed)).not.toContain('secret-name');
    expectProblem(
      await api.request('admin', { method: 'POST', url: '/cases', headers: { 'content-type': 'text/csv', 'idempotency-key': 'k' }, payload: 'a,b' }),
      415,
      'unsupported_media_type',
    );
    expectProblem(
      await api.request('coordinator-livorno', { method: 'POST', url: '/pathways', headers: { 'content-type': 'application/yaml' }, payload: 'key: [unclosed' }),
      400,
      'malformed_body',
    );
  });

  it('refuses prototype-poisoning bodies without a 500', async () => {
    const response = await api.request('admin', {
      method: 'POST',
      url: '/cases',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'proto' },
      payload: '{"__proto__": {"isAdmin": true}, "pathwayKey": "oss-integrated-pathway", "areaId": "livorno"}',
    });
    expect(response.statusCode).toBe(400);
  });

  it('refuses text PostgreSQL cannot store (NUL, lone surrogates) with its path, before any query', async () => {
    const nulInParam = expectProblem(await api.request('admin', { method: 'GET', url: '/cases/abc%00def' }), 400, 'validation_error');
    expect(nulInParam.issues).toEqual([expect.objectContaining({ path: ['caseId'], location: 'params' })]);
    expectProblem(await api.request('admin', { method: 'GET', url: '/tasks?stepId=in%00take' }), 400, 'validation_error');
    const nulInBody = expectProblem(
      await api.request('admin', {
        method: 'POST',
        url: '/cases',
        headers: { 'idempotency-key': 'nul', 'content-type': 'application/json' },
        payload: '{"pathwayKey":"oss-integrated-pathway","areaId":"livorno","data":{"targetGroup":"home\\u0000less"}}',
      }),
      400,
      'validation_error',
    );
    expect(nulInBody.issues).toEqual([expect.objectContaining({ path: ['data', 'targetGroup'], location: 'body' })]);
    const surrogate = expectProblem(
      await api.request('admin', {
        method: 'POST',
        url: '/cases/x/notes',
        headers: { 'content-type': 'application/json' },
        payload: '{"text":"broken \\ud800 text"}',
      }),
      400,
      'validation_error',
    );
    expect(surrogate.issues).toEqual([expect.objectContaining({ path: ['text'] })]);
    // A well-formed cursor carrying an impossible position is still just an invalid cursor.
    for (const position of [{ s: 'yesterday', id: 'x' }, { s: '2026-01-01T00:00:00Z', id: 'a\u0000b' }, { s: '0000-01-01T00:00:00Z', id: 'x' }]) {
      const cursor = Buffer.from(JSON.stringify(position)).toString('base64url');
      expectProblem(await api.request('admin', { method: 'GET', url: `/cases?cursor=${cursor}` }), 400, 'validation_error');
    }
    // The same for the inbox, whose cursor carries a due date.
    const inboxCursor = Buffer.from(JSON.stringify({ d: '0000-01-01T00:00:00Z', id: 'x' })).toString('base64url');
    expectProblem(await api.request('admin', { method: 'GET', url: `/tasks?cursor=${inboxCursor}` }), 400, 'validation_error');
    expectProblem(
      await api.request('admin', {
        method: 'POST',
        url: '/cases',
        headers: { 'idempotency-key': 'big-version' },
        payload: { pathwayKey: 'oss-integrated-pathway', version: 1e20, areaId: 'livorno' },
      }),
      400,
      'validation_error',
    );
  });

  it('never answers a garbage body with a 500', async () => {
    const garbage: unknown[] = [
      null,
      [],
      [1, 2, 3],
      'text',
      42,
      true,
      {},
      { data: 'not-an-object' },
      { pathwayKey: 123, areaId: { nested: [] }, data: [] },
      { pathwayKey: 'x'.repeat(10_000) },
      { reason: null, outcome: 5, areaId: [], text: { a: 1 }, assigneeId: 7, newDueAt: 'tomorrow', by: 'soon' },
      { key: 'ok-key', title: 'not-localized', steps: [], start: 7 },
      { constructor: { prototype: { polluted: true } } },
      JSON.parse('{"a":'.repeat(50) + '1' + '}'.repeat(50)),
    ];
    const routes = [
      { method: 'POST' as const, url: '/cases', headers: { 'idempotency-key': 'fuzz' } },
      { method: 'POST' as const, url: '/pathways' },
      { method: 'PUT' as const, url: '/pathways/oss-integrated-pathway/draft' },
      { method: 'POST' as const, url: '/cases/00000000-0000-0000-0000-000000000000/suspend' },
      { method: 'POST' as const, url: '/cases/00000000-0000-0000-0000-000000000000/close' },
      { method: 'POST' as const, url: '/cases/00000000-0000-0000-0000-000000000000/transfer' },
      { method: 'POST' as const, url: '/cases/00000000-0000-0000-0000-000000000000/notes' },
      { method: 'POST' as const, url: '/tasks/t-1/complete' },
      { method: 'POST' as const, url: '/tasks/t-1/reassign' },
      { method: 'POST' as const, url: '/tasks/t-1/extend' },
    ];
    const failures: Array<{ route: string; payload: unknown; status: number; contentType: string }> = [];
    for (const route of routes) {
      for (const payload of garbage) {
        const response = await api.request('admin', {
          ...route,
          headers: { 'content-type': 'application/json', ...(route.headers ?? {}) },
          payload: JSON.stringify(payload) ?? 'null',
        });
        const contentType = String(response.headers['content-type']);
        if (response.statusCode < 400 || response.statusCode >= 500 || !contentType.startsWith('application/problem+json')) {
          failures.push({ route: `${route.method} ${route.url}`, payload, status: response.statusCode, contentType });
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('availability', () => {
  it('answers 503 (not a hang, not a 500) when no worker takes a command in time', async () => {
    const started = await api.request('outreach-operator-livorno', {
      method: 'POST',
      url: '/cases',
      headers: { 'idempotency-key': 'no-worker' },
      payload: { pathwayKey: 'oss-integrated-pathway', areaId: 'livorno', data: { targetGroup: 'homeless' } },
    });
    // Starting needs no worker: the API computes the first state itself.
    expect(started.statusCode).toBe(201);
    const [task] = json<{ openTasks: Array<{ taskId: string }> }>(started).openTasks;
    const began = Date.now();
    const claim = await api.request('outreach-operator-livorno', { method: 'POST', url: `/tasks/${task.taskId}/claim` });
    expectProblem(claim, 503, 'service_unavailable');
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(claim.headers['retry-after']).toBe('5');
  });
});

describe('OpenAPI', () => {
  it('documents every route with its responses, and serves the docs UI', async () => {
    const response = await api.request(null, { method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const spec = json<{ openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>(response);
    expect(spec.openapi).toMatch(/^3\./);
    const expected: Array<[string, string]> = [
      ['/healthz', 'get'],
      ['/readyz', 'get'],
      ['/me', 'get'],
      ['/pathways', 'get'],
      ['/pathways', 'post'],
      ['/pathways/{key}/versions', 'get'],
      ['/pathways/{key}/versions/{version}', 'get'],
      ['/pathways/{key}/draft', 'get'],
      ['/pathways/{key}/draft', 'put'],
      ['/pathways/{key}/draft/validate', 'post'],
      ['/pathways/{key}/draft/publish', 'post'],
      ['/pathways/{key}/versions/{version}/retire', 'post'],
      ['/cases', 'post'],
      ['/cases', 'get'],
      ['/cases/{caseId}', 'get'],
      ['/cases/{caseId}/timeline', 'get'],
      ['/cases/{caseId}/suspend', 'post'],
      ['/cases/{caseId}/resume', 'post'],
      ['/cases/{caseId}/cancel', 'post'],
      ['/cases/{caseId}/close', 'post'],
      ['/cases/{caseId}/transfer', 'post'],
      ['/cases/{caseId}/notes', 'post'],
      ['/tasks', 'get'],
      ['/tasks/{taskId}', 'get'],
      ['/tasks/{taskId}/claim', 'post'],
      ['/tasks/{taskId}/release', 'post'],
      ['/tasks/{taskId}/complete', 'post'],
      ['/tasks/{taskId}/reassign', 'post'],
      ['/tasks/{taskId}/extend', 'post'],
      ['/supervision/stalled', 'get'],
    ];
    for (const [path, method] of expected) {
      expect({ path, method, documented: Boolean(spec.paths[path]?.[method]) }).toEqual({ path, method, documented: true });
    }
    // Protected routes document 401; every route documents a success code.
    expect(Object.keys(spec.paths['/cases'].post.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '401', '403', '409', '422', '503']));
    const docs = await api.request(null, { method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(docs.statusCode);
  });
});
