/**
 * Property-based fuzzing of every route of the live route table (so later routes are covered too):
 * random and valid ids in the path, random query strings, JSON and non-JSON bodies, content types,
 * idempotency keys and headers, sent with the tokens of every role (and with none or a broken one)
 * through the real app, database and Temporal worker. Nothing a caller sends may produce a 5xx,
 * and every 4xx is problem+json.
 */
import fc from 'fast-check';
import { ossReferencePathway } from '../../infra/reference-pathway';
import type { RouteEntry } from '../../api/plugins/authorization';
import type { CaseDetail } from '../support/api-types';
import { startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(900_000);

const PATHWAY = 'oss-integrated-pathway';
const RUNS = 10_000;
const users = ['outreach-operator-grosseto', 'cpi-counsellor-grosseto', 'social-worker-pistoia', 'supervisor-grosseto', 'coordinator-pistoia', 'auditor-grosseto', 'admin'];

let api: ApiHarness;
const ids = { cases: [] as string[], tasks: [] as string[], persons: [] as string[] };
const tokens = new Map<string, string>();

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
  for (const [index, areaId] of ['grosseto', 'pistoia'].entries()) {
    const response = await api.request('admin', {
      method: 'POST',
      url: '/cases',
      headers: { 'idempotency-key': `fuzz-fixture-${index}` },
      payload: { pathwayKey: PATHWAY, areaId, data: { targetGroup: 'homeless' } },
    });
    expect(response.statusCode).toBe(201);
    const detail = response.json<CaseDetail>();
    ids.cases.push(detail.caseId);
    ids.tasks.push(...detail.openTasks.map((task) => task.taskId));
    if (detail.personId) ids.persons.push(detail.personId);
  }
  // Signed once per user: the fuzz measures the API, not token signing.
  for (const user of users) tokens.set(user, await api.tokenFor(user));
}, 300_000);

afterAll(async () => {
  await api?.close();
});

const ascii = (maxLength: number) => fc.string({ unit: 'grapheme-ascii', maxLength });

/** A path parameter: a real id, a plausible one, or something hostile (raw segments are sent unencoded). */
const paramValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...['0', '1', '2', '-1', '99999999999999999999', PATHWAY, 'no-such-pathway']).map((value) => ({ value, raw: false })) },
  { weight: 4, arbitrary: fc.constant(null).map(() => ({ value: '', raw: false, real: true })) },
  { weight: 2, arbitrary: fc.uuid().map((value) => ({ value, raw: false })) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map((value) => ({ value, raw: false })) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 20 }).map((value) => ({ value, raw: false })) },
  { weight: 1, arbitrary: fc.string({ minLength: 190, maxLength: 260 }).map((value) => ({ value, raw: false })) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%ZZ', '..', '%2e%2e', '%00', '%C0%AE', '%F0%9F%98', '%uD800').map((value) => ({ value, raw: true })) },
);

const queryKeys = [
  'areaId', 'limit', 'cursor', 'status', 'assignee', 'overdue', 'escalated', 'stepId', 'caseId', 'pathwayKey', 'service',
  'noProgressDays', 'from', 'to', 'action', 'actorId', 'version', 'format', 'q',
];
const queryValue = fc.oneof(
  ascii(30),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary-ascii', maxLength: 10 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('true', 'false', 'me', 'unassigned', 'open,claimed', 'grosseto', 'pistoia', 'nowhere', '2026-01-01T00:00:00Z', '9999-12-31T23:59:59Z', 'cases.read', 'csv', ''),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url')),
);
const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...queryKeys), ascii(8)), queryValue), { maxLength: 5 });

const reason = fc.oneof(ascii(40), fc.constant(''), fc.string({ minLength: 2000, maxLength: 2100 }));
/** Bodies close to valid ones, so handlers (not only schemas) are reached. */
const plausibleBody = fc.oneof(
  fc.record({ pathwayKey: fc.constantFrom(PATHWAY, 'nope', ''), areaId: fc.constantFrom('grosseto', 'pistoia', 'nowhere', 'Bad Area'), data: fc.oneof(fc.constant({ targetGroup: 'homeless' }), fc.jsonValue()) }, { requiredKeys: [] }),
  fc.record({ reason }, { requiredKeys: [] }),
  fc.record({ outcome: fc.constantFrom('job', 'housing', 'nope', ''), reason }, { requiredKeys: [] }),
  fc.record({ areaId: fc.constantFrom('livorno', 'grosseto', 'nowhere'), reason }, { requiredKeys: [] }),
  fc.record({ text: fc.oneof(ascii(50), fc.string({ minLength: 5000, maxLength: 5100 })) }, { requiredKeys: [] }),
  fc.record({ data: fc.oneof(fc.constant({ source: 'street', urgent: false }), fc.dictionary(ascii(12), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 })) }, { requiredKeys: [] }),
  fc.record({ assigneeId: fc.oneof(fc.constant(null), fc.constantFrom(...users), ascii(20)), reason }, { requiredKeys: [] }),
  fc.record(
    { newDueAt: fc.oneof(fc.constant('2030-01-01T00:00:00Z'), ascii(20)), by: fc.record({ amount: fc.integer({ min: -5, max: 1_000_000 }), unit: fc.constantFrom('calendarDays', 'workingDays', 'years') }), reason },
    { requiredKeys: [] },
  ),
  fc.constant(ossReferencePathway as unknown),
  fc.constant({ ...ossReferencePathway, start: 'nowhere' }),
);
const body = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: plausibleBody },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', 'null', '[]', 'key: [unclosed', '&&&', '"\\ud800"', '{"__proto__":{"x":1}}', `${'['.repeat(200)}${']'.repeat(200)}`) },
);
const contentType = fc.option(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'text/plain',
    'application/yaml',
    'text/yaml',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/problem+json',
    'application/octet-stream',
    ';;;',
  ),
  { freq: 3 },
);
const auth = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...users).map((user) => ({ user, header: '' })) },
  { weight: 1, arbitrary: fc.constantFrom('Bearer garbage', 'Bearer a.b.c', 'Basic YWRtaW46YWRtaW4=', 'Bearer', '').map((header) => ({ user: null, header })) },
);
const extraHeaders = fc.dictionary(fc.constantFrom('accept', 'accept-language', 'if-none-match', 'x-request-id', 'x-forwarded-for', 'origin', 'x-custom'), ascii(60), { maxKeys: 3 });
const idempotencyKey = fc.option(fc.oneof(ascii(40), fc.uuid(), fc.string({ minLength: 201, maxLength: 260 }), fc.constant('')), { freq: 2 });
/** Mostly the route's own method; sometimes another one. */
const otherMethod = fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH') });

function pathOf(entry: RouteEntry, values: Array<{ value: string; raw: boolean; real?: boolean }>, pick: number): string {
  let index = 0;
  return entry.url.replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => {
    const chosen = values[index % values.length] ?? { value: '', raw: false, real: true };
    index += 1;
    if (chosen.real) {
      // A real object of the right kind, from either area.
      const byName: Record<string, string[]> = { taskId: ids.tasks, personId: ids.persons, key: [PATHWAY], version: ['1'] };
      const pool = byName[name]?.length ? byName[name] : ids.cases;
      return encodeURIComponent(pool[pick % pool.length]);
    }
    return chosen.raw ? chosen.value : encodeURIComponent(chosen.value);
  });
}

describe('fuzzing every route', () => {
  it(`answers ${RUNS} random requests without a 5xx, every 4xx as problem+json`, async () => {
    const routes = api.app.routeTable.filter((entry) => entry.method !== 'HEAD' && !entry.url.startsWith('/docs') && entry.url !== '*');
    expect(routes.length).toBeGreaterThanOrEqual(25);
    let sent = 0;
    const statuses = new Map<number, number>();
    const failures: string[] = [];

    const request = fc.record({
      route: fc.constantFrom(...routes),
      method: otherMethod,
      params: fc.array(paramValue, { minLength: 1, maxLength: 3 }),
      pick: fc.nat(),
      query,
      body,
      contentType,
      auth,
      extraHeaders,
      idempotencyKey,
    });

    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        // PATCH is not in the harness's method list, but inject sends any method.
        const method = (r.method ?? r.route.method) as 'GET' | 'POST' | 'PUT' | 'DELETE';
        const search = new URLSearchParams(r.query).toString();
        const url = `${pathOf(r.route, r.params, r.pick)}${search ? `?${search}` : ''}`;
        const headers: Record<string, string> = { ...r.extraHeaders };
        headers.authorization = r.auth.user !== null ? `Bearer ${tokens.get(r.auth.user)}` : r.auth.header;
        if (r.idempotencyKey !== null) headers['idempotency-key'] = r.idempotencyKey;
        let payload: string | undefined;
        if (r.body !== undefined && method !== 'GET') {
          payload = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
          headers['content-type'] = r.contentType ?? 'application/json';
        }
        const response = await api.request(null, { method, url, headers, payload });
        sent += 1;
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        const label = `${method} ${url.slice(0, 120)} → ${response.statusCode}`;
        if (response.statusCode >= 500) failures.push(`${label}: ${response.body.slice(0, 200)}`);
        if (response.statusCode >= 400) {
          const isProblem = /^application\/problem\+json/.test(response.headers['content-type'] ?? '');
          if (!isProblem) failures.push(`${label}: not problem+json (${response.headers['content-type']})`);
          else if (response.json<{ status?: number }>().status !== response.statusCode) failures.push(`${label}: problem status differs`);
        }
        // Failures are collected rather than thrown, so one run reports every failing request, not the first.
        return true;
      }),
      { numRuns: RUNS },
    );

    const fiveHundreds = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, count]) => sum + count, 0);
    const summary = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(' ');
    console.log(`fuzz: ${sent} requests, ${fiveHundreds} 5xx (${routes.length} routes; statuses ${summary})`);
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(RUNS);
  });
});
