/**
 * Audit of access over the real stack: reads of a case's personal data and every write leave one
 * audit_log row in the same request (who, when, which case, which field keys, the answer), refusals
 * included; no value ever reaches the log; auditors query their areas' entries, admins all; and a
 * read whose access cannot be recorded is refused rather than served.
 */
import type { CaseDetail, Page, TaskView } from '../support/api-types';
import { expectProblem, startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(120_000);

interface AuditEvent {
  id: string;
  at: string;
  actor: { id: string; kind: string };
  action: string;
  method: string;
  route: string;
  caseId: string | null;
  areaId: string | null;
  personId: string | null;
  fields: string[];
  outcome: number;
  requestId: string;
}

const CANARY_PLACE = 'Via del Canarino 13';
let api: ApiHarness;
let caseId: string;
let taskId: string;

/** Audit rows of a case straight from the table, oldest first. */
async function rowsOf(forCase: string) {
  const { rows } = await api.pool.query<{ actor_id: string; action: string; method: string; route: string; fields: string[]; outcome: number; area_id: string | null; request_id: string }>(
    'SELECT actor_id, action, method, route, fields, outcome, area_id, request_id FROM audit_log WHERE case_id = $1 ORDER BY id',
    [forCase],
  );
  return rows;
}

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
  const started = await api.request('outreach-operator-livorno', {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': 'audit-1' },
    payload: { pathwayKey: 'oss-integrated-pathway', areaId: 'livorno', data: { targetGroup: 'homeless' } },
  });
  expect(started.statusCode).toBe(201);
  const detail = started.json<CaseDetail>();
  caseId = detail.caseId;
  taskId = detail.openTasks[0].taskId;
}, 120_000);

afterAll(async () => {
  await api?.close();
});

describe('audit of access', () => {
  it('records the start and a completion as writes with the field keys written, never the values', async () => {
    const done = await api.request('outreach-operator-livorno', {
      method: 'POST',
      url: `/tasks/${taskId}/complete`,
      payload: { data: { source: 'street', place: CANARY_PLACE, urgent: false } },
    });
    expect(done.statusCode).toBe(200);
    const rows = await rowsOf(caseId);
    expect(rows[0]).toMatchObject({ actor_id: 'outreach-operator-livorno', action: 'cases.start', method: 'POST', route: '/cases', outcome: 201, area_id: 'livorno' });
    expect(rows[0].fields).toContain('case.targetGroup');
    const completion = rows.find((row) => row.route === '/tasks/:taskId/complete');
    expect(completion).toMatchObject({ action: 'tasks.act', outcome: 200, area_id: 'livorno' });
    expect(completion?.fields).toEqual(expect.arrayContaining(['outreach.place', 'outreach.source', 'outreach.urgent']));
    const { rows: leaks } = await api.pool.query(`SELECT id FROM audit_log WHERE array_to_string(fields, ' ') LIKE $1 OR route LIKE $1 OR coalesce(case_id, '') LIKE $1`, [`%Canarino%`]);
    expect(leaks).toEqual([]);
  });

  it("writes a task command's row in the transaction that writes its result, once; a refusal gets its own row", async () => {
    const next = (await api.request('oss-operator-livorno', { method: 'GET', url: `/tasks?caseId=${caseId}` })).json<Page<TaskView>>().items[0];
    expect(next).toBeDefined();
    const claimed = await api.request('oss-operator-livorno', { method: 'POST', url: `/tasks/${next.taskId}/claim` });
    expect(claimed.statusCode).toBe(200);
    const requestId = claimed.headers['x-request-id'];
    const { rows } = await api.pool.query<{ outcome: number; same_transaction: boolean }>(
      `SELECT a.outcome, a.at = t.projected_at AS same_transaction FROM audit_log a JOIN tasks t ON t.task_id = $2 WHERE a.request_id = $1`,
      [requestId, next.taskId],
    );
    // now() is the transaction's start: equal only when the row and the task were written by one statement.
    expect(rows).toEqual([{ outcome: 200, same_transaction: true }]);
    const again = await api.request('oss-operator-livorno', { method: 'POST', url: `/tasks/${next.taskId}/complete`, payload: { data: {} } });
    expect(again.statusCode).toBe(422);
    const refused = await api.pool.query<{ outcome: number }>('SELECT outcome FROM audit_log WHERE request_id = $1', [again.headers['x-request-id']]);
    expect(refused.rows).toEqual([{ outcome: 422 }]);
  });

  it("writes a case start's row in the statement that records the start, once; a keyed repeat and a refusal get rows of their own", async () => {
    const body = { pathwayKey: 'oss-integrated-pathway', areaId: 'livorno', data: { targetGroup: 'homeless' } };
    const started = await api.request('outreach-operator-livorno', { method: 'POST', url: '/cases', headers: { 'idempotency-key': 'audit-start-2' }, payload: body });
    expect(started.statusCode).toBe(201);
    const newCase = started.json<CaseDetail>();
    const { rows } = await api.pool.query<{ outcome: number; case_id: string; area_id: string; person_id: string; fields: string[]; same_transaction: boolean }>(
      `SELECT a.outcome, a.case_id, a.area_id, a.person_id, a.fields, a.at = s.created_at AS same_transaction
       FROM audit_log a JOIN case_start_requests s ON s.case_id = a.case_id WHERE a.request_id = $1`,
      [started.headers['x-request-id']],
    );
    // now() is the transaction's start: equal only when the row and the start record were written by one statement.
    expect(rows).toEqual([{ outcome: 201, case_id: newCase.caseId, area_id: 'livorno', person_id: newCase.personId, fields: ['case.targetGroup'], same_transaction: true }]);
    const repeated = await api.request('outreach-operator-livorno', { method: 'POST', url: '/cases', headers: { 'idempotency-key': 'audit-start-2' }, payload: body });
    expect(repeated.statusCode).toBe(200);
    expect(repeated.json<CaseDetail>().caseId).toBe(newCase.caseId);
    const repeatRows = await api.pool.query<{ outcome: number; case_id: string }>('SELECT outcome, case_id FROM audit_log WHERE request_id = $1', [repeated.headers['x-request-id']]);
    expect(repeatRows.rows).toEqual([{ outcome: 200, case_id: newCase.caseId }]);
    const refused = await api.request('outreach-operator-livorno', { method: 'POST', url: '/cases', headers: { 'idempotency-key': 'audit-start-3' }, payload: { ...body, areaId: 'grosseto' } });
    expect(refused.statusCode).toBe(403);
    const refusedRows = await api.pool.query<{ outcome: number; case_id: string | null; fields: string[] }>('SELECT outcome, case_id, fields FROM audit_log WHERE request_id = $1', [refused.headers['x-request-id']]);
    expect(refusedRows.rows).toEqual([{ outcome: 403, case_id: null, fields: [] }]);
  });

  it('records each read of the case detail and timeline with the fields returned and the request id', async () => {
    const detail = await api.request('social-worker-livorno', { method: 'GET', url: `/cases/${caseId}` });
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain(CANARY_PLACE);
    const timeline = await api.request('social-worker-livorno', { method: 'GET', url: `/cases/${caseId}/timeline` });
    expect(timeline.statusCode).toBe(200);
    const reads = (await rowsOf(caseId)).filter((row) => row.actor_id === 'social-worker-livorno');
    expect(reads.map((row) => [row.action, row.route, row.outcome])).toEqual([
      ['cases.read', '/cases/:caseId', 200],
      ['cases.read', '/cases/:caseId/timeline', 200],
    ]);
    expect(reads[0].fields).toEqual(expect.arrayContaining(['case.targetGroup', 'outreach.place', 'outreach.source']));
    expect(reads[0].request_id).toBeTruthy();
    expect(detail.headers['x-request-id']).toBeTruthy();
    expect(reads[0].request_id).toBe(detail.headers['x-request-id']);
  });

  it("lists every access to a person's cases by person, for a data subject's access request", async () => {
    const personId = (await api.request('admin', { method: 'GET', url: `/cases/${caseId}` })).json<CaseDetail>().personId as string;
    expect(personId).toBeTruthy();
    const byPerson = (await api.request('auditor-livorno', { method: 'GET', url: `/audit/events?personId=${personId}&limit=100` })).json<Page<AuditEvent>>();
    const routes = byPerson.items.map((event) => `${event.actor.id} ${event.route}`);
    // Task work and timeline reads name the case only; the person is found from it when the entry is written.
    expect(routes).toEqual(
      expect.arrayContaining([
        'outreach-operator-livorno /cases',
        'outreach-operator-livorno /tasks/:taskId/complete',
        'social-worker-livorno /cases/:caseId',
        'social-worker-livorno /cases/:caseId/timeline',
      ]),
    );
    expect(byPerson.items.every((event) => event.personId === personId && event.caseId === caseId)).toBe(true);
    const nobody = (await api.request('auditor-livorno', { method: 'GET', url: '/audit/events?personId=00000000-0000-4000-8000-000000000000' })).json<Page<AuditEvent>>();
    expect(nobody.items).toEqual([]);
  });

  it('records refused attempts too: another area answers 404 and the attempt is logged', async () => {
    const foreign = await api.request('social-worker-lucca', { method: 'GET', url: `/cases/${caseId}` });
    expectProblem(foreign, 404, 'not_found');
    const denied = await api.request('auditor-livorno', { method: 'POST', url: `/cases/${caseId}/notes`, payload: { text: 'prova' } });
    expectProblem(denied, 403, 'forbidden');
    const rows = await rowsOf(caseId);
    // The attempt is filed under the case's area, so the auditors of Livorno see who from elsewhere tried.
    expect(rows.find((row) => row.actor_id === 'social-worker-lucca')).toMatchObject({ outcome: 404, fields: [], area_id: 'livorno' });
    expect(rows.find((row) => row.actor_id === 'auditor-livorno')).toMatchObject({ outcome: 403, action: 'cases.command' });
  });

  it('lets auditors query the entries of their areas, admins all, and nobody else', async () => {
    const own = await api.request('auditor-livorno', { method: 'GET', url: `/audit/events?caseId=${caseId}&limit=100` });
    expect(own.statusCode).toBe(200);
    const events = own.json<Page<AuditEvent>>().items;
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(events.every((event) => event.caseId === caseId && event.areaId === 'livorno')).toBe(true);
    // Newest first; the start is the oldest.
    expect(events.at(-1)).toMatchObject({ action: 'cases.start', actor: { id: 'outreach-operator-livorno', kind: 'user' }, route: '/cases', outcome: 201 });

    const other = await api.request('auditor-lucca', { method: 'GET', url: `/audit/events?caseId=${caseId}` });
    expect(other.json<Page<AuditEvent>>().items).toEqual([]);

    expect(events.some((event) => event.actor.id === 'social-worker-lucca' && event.outcome === 404)).toBe(true);

    // Entries with no area (pathway edits) are for admins only.
    // The reference pathway is regional: only an admin changes it.
    const edit = await api.request('admin', { method: 'POST', url: '/pathways/oss-integrated-pathway/versions/1/retire' });
    expect(edit.statusCode).toBe(200);
    const adminView = (await api.request('admin', { method: 'GET', url: '/audit/events?action=pathways.edit' })).json<Page<AuditEvent>>();
    expect(adminView.items[0]).toMatchObject({ actor: { id: 'admin' }, route: '/pathways/:key/versions/:version/retire', caseId: null, areaId: null, outcome: 200 });
    expect((await api.request('auditor-livorno', { method: 'GET', url: '/audit/events?action=pathways.edit' })).json<Page<AuditEvent>>().items).toEqual([]);

    for (const user of ['social-worker-livorno', 'supervisor-livorno', 'coordinator-livorno']) {
      expectProblem(await api.request(user, { method: 'GET', url: '/audit/events' }), 403, 'forbidden');
    }
  });

  it('filters by actor, action and time, and pages with a cursor', async () => {
    const byActor = (await api.request('admin', { method: 'GET', url: '/audit/events?actorId=social-worker-livorno&action=cases.read' })).json<Page<AuditEvent>>();
    expect(byActor.items.map((event) => event.route).sort()).toEqual(['/cases/:caseId', '/cases/:caseId/timeline']);

    const future = (await api.request('admin', { method: 'GET', url: `/audit/events?from=${encodeURIComponent('2099-01-01T00:00:00Z')}` })).json<Page<AuditEvent>>();
    expect(future.items).toEqual([]);
    expectProblem(await api.request('admin', { method: 'GET', url: '/audit/events?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z' }), 400, 'validation_error');
    expectProblem(await api.request('admin', { method: 'GET', url: '/audit/events?cursor=bm9wZQ' }), 400, 'validation_error');

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/audit/events?caseId=${caseId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page: Page<AuditEvent> = (await api.request('auditor-livorno', { method: 'GET', url })).json<Page<AuditEvent>>();
      seen.push(...page.items.map((event) => event.id));
      cursor = page.nextCursor;
    } while (cursor);
    const whole = (await api.request('auditor-livorno', { method: 'GET', url: `/audit/events?caseId=${caseId}&limit=100` })).json<Page<AuditEvent>>();
    expect(seen).toEqual(whole.items.map((event) => event.id));
    // Newest first by number, also across a change in the number of digits (here ids below and above 10).
    const ids = whole.items.map((event) => Number(event.id));
    expect(ids.some((id) => id < 10) && ids.some((id) => id >= 10)).toBe(true);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it('refuses a read whose access cannot be recorded (no access without a record)', async () => {
    await api.pool.query('ALTER TABLE audit_log RENAME TO audit_log_unavailable');
    try {
      const response = await api.request('social-worker-livorno', { method: 'GET', url: `/cases/${caseId}` });
      expectProblem(response, 503, 'service_unavailable');
      expect(response.body).not.toContain(CANARY_PLACE);
    } finally {
      await api.pool.query('ALTER TABLE audit_log_unavailable RENAME TO audit_log');
    }
    const again = await api.request('social-worker-livorno', { method: 'GET', url: `/cases/${caseId}` });
    expect(again.statusCode).toBe(200);
  });

  it('records who decoded Temporal payloads through the codec endpoint', async () => {
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"x"').toString('base64') };
    const decoded = await api.request('admin', { method: 'POST', url: '/codec/decode', headers: { 'x-namespace': 'default' }, payload: { payloads: [plain] } });
    expect(decoded.statusCode).toBe(200);
    const entries = (await api.request('admin', { method: 'GET', url: '/audit/events?action=codec.use' })).json<Page<AuditEvent>>();
    expect(entries.items[0]).toMatchObject({ actor: { id: 'admin' }, route: '/codec/decode', method: 'POST', outcome: 200 });
  });

  it('records who exported case-level CSV rows', async () => {
    const exported = await api.request('supervisor-livorno', { method: 'GET', url: '/reports/cases.csv?from=2020-01-01&to=2020-02-01' });
    expect(exported.statusCode).toBe(200);
    const entries = (await api.request('admin', { method: 'GET', url: '/audit/events?action=reports.export' })).json<Page<AuditEvent>>();
    expect(entries.items.map((entry) => [entry.actor.id, entry.method, entry.route, entry.outcome])).toEqual([['supervisor-livorno', 'GET', '/reports/cases.csv', 200]]);
  });

  it('does not log lists, which carry no personal data', async () => {
    const before = (await api.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_log')).rows[0].n;
    const inbox = await api.request('oss-operator-livorno', { method: 'GET', url: '/tasks' });
    expect(inbox.json<Page<TaskView>>().items.length).toBeGreaterThan(0);
    expect((await api.request('oss-operator-livorno', { method: 'GET', url: '/cases' })).statusCode).toBe(200);
    const after = (await api.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_log')).rows[0].n;
    expect(after).toBe(before);
    const total = (await api.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_log')).rows[0].n;
    console.log(`audit: ${total} entries recorded for the requests of this file, 0 personal values`);
  });
});
