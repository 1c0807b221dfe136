/**
 * Reporting and observability over a read model whose right answers the test knows: period
 * exports (scope, period bounds, no form values), funders' indicators, Prometheus figures, and
 * request ids.
 */
import { parse } from 'csv-parse/sync';
import { expectProblem, json, startApiHarness, type ApiHarness } from './harness';

let api: ApiHarness;

// A canary in the form data: it must never appear in an export.
const canary = 'CANARY-Rossi-Mario-RSSMRA80A01H501U';

interface CaseRow {
  id: string;
  person?: string;
  area: string;
  group: string | null;
  status: string;
  started: string;
  closed?: string;
  outcome?: string;
  signed?: string;
}

const cases: CaseRow[] = [
  // Livorno, in the period (2026-03): two homeless, one family; one plan signed, one closed.
  // The first two cases are the same person's: one person taken in.
  { id: 'rep-li-1', person: 'p-rep-1', area: 'livorno', group: 'homeless', status: 'active', started: '2026-03-02T09:00:00Z', signed: '2026-03-20T10:00:00Z' },
  { id: 'rep-li-2', person: 'p-rep-1', area: 'livorno', group: 'homeless', status: 'closed', started: '2026-03-03T09:00:00Z', closed: '2026-03-25T10:00:00Z', outcome: 'plan_completed' },
  { id: 'rep-li-3', area: 'livorno', group: 'family_with_minors', status: 'active', started: '2026-03-31T21:30:00Z' }, // 23:30 in Rome: still March
  // Livorno, outside the period: started before and closed before it; started after it.
  { id: 'rep-li-4', area: 'livorno', group: 'homeless', status: 'closed', started: '2026-01-10T09:00:00Z', closed: '2026-02-10T09:00:00Z', outcome: 'moved_away' },
  { id: 'rep-li-5', area: 'livorno', group: 'homeless', status: 'active', started: '2026-03-31T22:30:00Z' }, // 00:30 on 1 April in Rome
  // Livorno, started before the period and still open during it: exported, not "taken in".
  { id: 'rep-li-6', area: 'livorno', group: 'homeless', status: 'active', started: '2026-02-15T09:00:00Z' },
  // Grosseto, in the period: never visible to Livorno's supervisor.
  { id: 'rep-gr-1', area: 'grosseto', group: 'homeless', status: 'cancelled', started: '2026-03-05T09:00:00Z', closed: '2026-03-06T09:00:00Z' },
];

beforeAll(async () => {
  api = await startApiHarness({ temporalDown: true });
  for (const row of cases) {
    await api.pool.query(
      `INSERT INTO cases (case_id, reference, pathway_key, pathway_version, area_id, status, outcome, started_at, updated_at, last_progress_at,
                          closed_at, version, data, open_step_ids, target_group, plan_signed_at, person_id)
       VALUES ($1, $2, 'oss-integrated-pathway', 1, $3, $4, $5, $6, $6, $6, $7, 1, $8, '{intake}', $9, $10, $11)`,
      [row.id, `RT-T-${row.id}`, row.area, row.status, row.outcome ?? null, row.started, row.closed ?? null, JSON.stringify({ case: { note: canary } }), row.group, row.signed ?? null, row.person ?? null],
    );
    await api.pool.query(
      `INSERT INTO tasks (task_id, case_id, step_id, token_id, area_id, service, role, status, created_at, due_at, completed_at, escalation_level, version)
       VALUES ($1, $2, 'intake', 't1', $3, 'oss', 'operator', $4, $5, $6, $7, $8, 1)`,
      [
        `${row.id}-task`,
        row.id,
        row.area,
        row.status === 'active' ? 'open' : 'completed',
        row.started,
        new Date(Date.parse(row.started) + 2 * 86_400_000).toISOString(),
        row.status === 'active' ? null : row.closed,
        row.id === 'rep-li-1' ? 2 : 0,
      ],
    );
    await api.pool.query(
      `INSERT INTO case_events (case_id, seq, type, at, actor_id, actor_kind, step_id, task_id, details) VALUES
         ($1, 1, 'case_started', $2, 'oss-operator-livorno', 'user', NULL, NULL, $3),
         ($1, 2, 'task_escalated', $2, 'system', 'system', 'intake', $4, '{}')`,
      [row.id, row.started, JSON.stringify({ data: { note: canary } }), `${row.id}-task`],
    );
  }
}, 120_000);

afterAll(async () => {
  await api?.close();
});

const march = 'from=2026-03-01&to=2026-04-01';

function csvOf(body: string): Array<Record<string, string>> {
  return parse<Record<string, string>>(body, { columns: true, skip_empty_lines: true });
}

describe('CSV exports', () => {
  it('exports the cases active during the period in the supervisor’s areas, codes only', async () => {
    const response = await api.request('supervisor-livorno', { method: 'GET', url: `/reports/cases.csv?${march}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toBe('attachment; filename="cases-2026-03-01-2026-04-01.csv"');
    const rows = csvOf(response.body);
    expect(rows.map((row) => row.case_id)).toEqual(['rep-li-6', 'rep-li-1', 'rep-li-2', 'rep-li-3']);
    expect(rows[2]).toMatchObject({ area_id: 'livorno', target_group: 'homeless', status: 'closed', outcome: 'plan_completed', closed_at: '2026-03-25T10:00:00.000Z' });
    expect(Object.keys(rows[0])).not.toContain('data');
    expect(response.body).not.toContain(canary);
  });

  it('exports tasks and events of the period without details', async () => {
    const tasks = csvOf((await api.request('admin', { method: 'GET', url: `/reports/tasks.csv?${march}` })).body);
    expect(tasks.map((row) => row.task_id).sort()).toEqual(['rep-gr-1-task', 'rep-li-1-task', 'rep-li-2-task', 'rep-li-3-task']);
    expect(tasks.find((row) => row.task_id === 'rep-li-2-task')).toMatchObject({ status: 'completed', completed_on_time: 'false' });
    const eventsResponse = await api.request('supervisor-livorno', { method: 'GET', url: `/reports/events.csv?${march}` });
    const events = csvOf(eventsResponse.body);
    expect(events).toHaveLength(6);
    expect(new Set(events.map((row) => row.case_id))).toEqual(new Set(['rep-li-1', 'rep-li-2', 'rep-li-3']));
    expect(Object.keys(events[0])).toEqual(['case_id', 'seq', 'type', 'at', 'actor_id', 'actor_kind', 'step_id', 'task_id']);
    expect(eventsResponse.body).not.toContain(canary);
  });

  it('streams large exports completely, in order', async () => {
    // 2,500 more tasks: more than two of the repository's batches.
    await api.pool.query(
      `INSERT INTO tasks (task_id, case_id, step_id, token_id, area_id, service, role, status, created_at, version)
       SELECT 'bulk-' || lpad(i::text, 5, '0'), 'rep-li-1', 'follow_up', 't' || i, 'livorno', 'social', 'operator', 'open',
              timestamptz '2026-05-01T00:00:00Z' + i * interval '1 second', 1
         FROM generate_series(1, 2500) AS i`,
    );
    const rows = csvOf((await api.request('admin', { method: 'GET', url: '/reports/tasks.csv?from=2026-05-01&to=2026-05-02' })).body);
    expect(rows).toHaveLength(2500);
    expect(rows[0].task_id).toBe('bulk-00001');
    expect(rows[2499].task_id).toBe('bulk-02500');
  });

  it('refuses a bad period with the field path, and operators', async () => {
    const backwards = expectProblem(await api.request('admin', { method: 'GET', url: '/reports/cases.csv?from=2026-04-01&to=2026-03-01' }), 400, 'validation_error');
    expect(backwards.issues).toEqual([expect.objectContaining({ path: ['to'], location: 'querystring' })]);
    const notADate = expectProblem(await api.request('admin', { method: 'GET', url: '/reports/cases.csv?from=2026-02-30&to=2026-03-01' }), 400, 'validation_error');
    expect(notADate.issues).toEqual([expect.objectContaining({ path: ['from'] })]);
    expectProblem(await api.request('oss-operator-livorno', { method: 'GET', url: `/reports/cases.csv?${march}` }), 403, 'forbidden');
    expectProblem(await api.request(null, { method: 'GET', url: `/reports/cases.csv?${march}` }), 401, 'unauthorized');
  });
});

describe("funders' indicators", () => {
  it('counts people taken in by area and target group, plans signed and closures', async () => {
    const supervisor = json(await api.request('supervisor-livorno', { method: 'GET', url: `/reports/indicators?${march}` }));
    expect(supervisor).toEqual({
      period: { from: '2026-03-01', to: '2026-04-01', timezone: 'Europe/Rome' },
      takenIn: [
        { areaId: 'livorno', targetGroup: 'family_with_minors', people: 1, cases: 1 },
        { areaId: 'livorno', targetGroup: 'homeless', people: 1, cases: 2 },
      ],
      plansSigned: [{ areaId: 'livorno', cases: 1 }],
      closures: [{ areaId: 'livorno', status: 'closed', outcome: 'plan_completed', cases: 1 }],
    });
    const admin = json<{ takenIn: unknown[]; closures: unknown[] }>(await api.request('admin', { method: 'GET', url: `/reports/indicators?${march}&areaId=grosseto` }));
    expect(admin.takenIn).toEqual([{ areaId: 'grosseto', targetGroup: 'homeless', people: 1, cases: 1 }]);
    expect(admin.closures).toEqual([{ areaId: 'grosseto', status: 'cancelled', outcome: null, cases: 1 }]);
  });
});

describe('observability', () => {
  it('exposes Prometheus metrics with route templates and read-model figures', async () => {
    await api.request('admin', { method: 'GET', url: '/cases/rep-li-1' });
    api.clock.now = new Date('2026-06-01T00:00:00Z');
    const response = await api.request(null, { method: 'GET', url: '/metrics' });
    api.clock.now = null;
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const metrics = response.body;
    expect(metrics).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/cases\/:caseId",status_code="200"\} 1/);
    expect(metrics).not.toContain('rep-li-1');
    // Open tasks in Livorno: rep-li-1, -3, -5, -6 plus the 2,500 bulk ones; all past due by June except the bulk ones (no deadline).
    expect(metrics).toContain('reticulate_open_tasks{area="livorno"} 2504');
    expect(metrics).toContain('reticulate_overdue_tasks{area="livorno"} 4');
    expect(metrics).toContain('reticulate_open_escalations{area="livorno",level="2"} 1');
    expect(metrics).toContain('reticulate_escalations_fired{area="grosseto"} 1');
    expect(metrics).toContain('reticulate_tasks_completed{area="livorno",service="oss"} 2');
    expect(metrics).toContain('reticulate_cases{area="livorno",status="active"} 4');
    expect(metrics).toContain('process_cpu_seconds_total');
  });

  it('echoes an acceptable request id and replaces anything else', async () => {
    const kept = await api.request('admin', { method: 'GET', url: '/me', headers: { 'x-request-id': 'gateway-7f3a9c21' } });
    expect(kept.headers['x-request-id']).toBe('gateway-7f3a9c21');
    const replaced = await api.request('admin', { method: 'GET', url: '/me', headers: { 'x-request-id': 'Mario Rossi <mario@example.org>' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
