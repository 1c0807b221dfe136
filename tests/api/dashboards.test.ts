/**
 * Dashboards over the API against the real PostgreSQL: read-model rows with known dates are
 * inserted directly, and every figure is computed by hand below (counts, ageing buckets, on-time
 * rates across the daily rollup and the partial days at the period's ends, median and 90th
 * percentile to a signed plan, escalations by level, the weekly trend). Scope: a supervisor of
 * another area sees none of it; operators are refused.
 */
import { startApiHarness, json, expectProblem, type ApiHarness } from './harness';

jest.setTimeout(60_000);

let api: ApiHarness;

const NOW = new Date('2026-12-10T10:00:00Z');
const OSS = 'oss-integrated-pathway';
const day = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * day).toISOString();

async function insertCase(row: {
  id: string;
  area: string;
  status?: string;
  startedAt?: string;
  closedAt?: string | null;
  steps?: string[];
  planSignedAt?: string | null;
}): Promise<void> {
  await api.pool.query(
    `INSERT INTO cases (case_id, reference, pathway_key, pathway_version, area_id, status, started_at, updated_at, last_progress_at,
       closed_at, version, open_step_ids, plan_signed_at)
     VALUES ($1, $1, $2, 1, $3, $4, $5, $5, $5, $6, 1, $7, $8)`,
    [row.id, OSS, row.area, row.status ?? 'active', row.startedAt ?? '2026-10-01T09:00:00Z', row.closedAt ?? null, row.steps ?? [], row.planSignedAt ?? null],
  );
}

async function insertTask(task: {
  id: string;
  caseId: string;
  area: string;
  step: string;
  status: string;
  createdAt?: string;
  dueAt?: string | null;
  completedAt?: string | null;
  escalationLevel?: number;
}): Promise<void> {
  await api.pool.query(
    `INSERT INTO tasks (task_id, case_id, step_id, token_id, area_id, service, role, status, created_at, due_at, escalation_level, completed_at, version)
     VALUES ($1, $2, $3, 'tok', $4, 'social', 'operator', $5, $6, $7, $8, $9, 1)`,
    [
      task.id,
      task.caseId,
      task.step,
      task.area,
      task.status,
      task.createdAt ?? '2026-10-01T09:00:00Z',
      task.dueAt === undefined ? null : task.dueAt,
      task.escalationLevel ?? 0,
      task.completedAt ?? null,
    ],
  );
}

beforeAll(async () => {
  api = await startApiHarness();
  // Open cases and their open tasks (Grosseto and Pistoia).
  await insertCase({ id: 'gc1', area: 'grosseto', steps: ['intake'] });
  await insertCase({ id: 'gc2', area: 'grosseto', steps: ['intake'] });
  await insertCase({ id: 'gc3', area: 'grosseto', steps: ['eligibility', 'intake'] });
  await insertCase({ id: 'gc4', area: 'grosseto', status: 'suspended', steps: ['eligibility'] });
  await insertCase({ id: 'gcx', area: 'grosseto', status: 'closed', closedAt: '2026-10-20T09:00:00Z' });
  await insertCase({ id: 'pc1', area: 'pistoia', steps: ['intake'] });
  await insertTask({ id: 'g1', caseId: 'gc1', area: 'grosseto', step: 'intake', status: 'open', createdAt: ago(1) });
  await insertTask({ id: 'g2', caseId: 'gc2', area: 'grosseto', step: 'intake', status: 'open', createdAt: ago(2.5), escalationLevel: 1 });
  await insertTask({ id: 'g3', caseId: 'gc3', area: 'grosseto', step: 'intake', status: 'claimed', createdAt: ago(5), escalationLevel: 1 });
  await insertTask({ id: 'g4', caseId: 'gc3', area: 'grosseto', step: 'eligibility', status: 'open', createdAt: ago(10), escalationLevel: 2 });
  await insertTask({ id: 'p1', caseId: 'pc1', area: 'pistoia', step: 'intake', status: 'open', createdAt: ago(40) });
  // Closed work that must not count as open: a completed task with an old escalation.
  await insertTask({ id: 'gx', caseId: 'gcx', area: 'grosseto', step: 'intake', status: 'completed', completedAt: '2026-10-10T09:00:00Z', escalationLevel: 1 });
  // Referrals: one pending and escalated (counts), one accepted (does not).
  await api.pool.query(
    `INSERT INTO referrals (referral_id, case_id, step_id, area_id, from_service, to_service, status, created_at, accept_due_at, escalation_level, version)
     VALUES ('gr1', 'gc1', 'joint-plan', 'grosseto', 'social', 'employment', 'pending', $1, $1, 1, 1),
            ('gr2', 'gc2', 'joint-plan', 'grosseto', 'social', 'employment', 'accepted', $1, $1, 1, 1)`,
    [ago(5)],
  );

  // Completions for the on-time rate over [1 Nov 00:00Z, 1 Dec 00:00Z): the ends cut local (Rome) days.
  const done = (id: string, area: string, step: string, completedAt: string, dueAt: string | null) =>
    insertTask({ id, caseId: 'gcx', area, step, status: 'completed', completedAt, dueAt });
  await done('t1', 'grosseto', 'intake', '2026-11-01T10:00:00Z', '2026-11-02T10:00:00Z'); // partial first day, on time
  await done('t3', 'grosseto', 'intake', '2026-11-30T23:30:00Z', '2026-12-01T10:00:00Z'); // partial last day, on time
  await done('t4', 'grosseto', 'intake', '2026-12-01T00:30:00Z', '2026-12-01T10:00:00Z'); // after the period
  await done('t5', 'grosseto', 'intake', '2026-10-31T23:30:00Z', '2026-11-02T10:00:00Z'); // before the period
  await done('t6', 'grosseto', 'intake', '2026-11-20T10:00:00Z', null); // no due date
  await done('t7', 'grosseto', 'eligibility', '2026-11-10T10:00:00Z', '2026-11-12T10:00:00Z'); // on time
  await done('t8', 'grosseto', 'eligibility', '2026-11-11T10:00:00Z', '2026-11-10T10:00:00Z'); // late
  await done('t9', 'grosseto', 'eligibility', '2026-11-12T10:00:00Z', '2026-11-12T10:00:00Z'); // exactly at the deadline: on time
  await done('p2', 'pistoia', 'intake', '2026-11-15T10:00:00Z', '2026-11-16T10:00:00Z'); // on time
  // t2 arrives as the projection writes it: first open, then completed late; a repeat of the same state changes nothing.
  await insertTask({ id: 't2', caseId: 'gcx', area: 'grosseto', step: 'intake', status: 'open', dueAt: '2026-11-14T10:00:00Z' });
  await api.pool.query(`UPDATE tasks SET status = 'completed', completed_at = '2026-11-15T10:00:00Z', version = 2 WHERE task_id = 't2'`);
  await api.pool.query(`UPDATE tasks SET version = 3 WHERE task_id = 't2'`);
  // t10's completion time is corrected to 2 December: it moves out of the period.
  await done('t10', 'grosseto', 'eligibility', '2026-11-13T10:00:00Z', '2026-11-20T10:00:00Z');
  await api.pool.query(`UPDATE tasks SET completed_at = '2026-12-02T10:00:00Z', version = 2 WHERE task_id = 't10'`);

  // Signed joint plans in November: Grosseto after 10, 20, 30 and 40 days; Pistoia after 15; one outside the period.
  const plan = (id: string, area: string, days: number, signedAt = '2026-11-20T10:00:00Z') =>
    insertCase({ id, area, status: 'closed', closedAt: '2026-11-25T10:00:00Z', startedAt: new Date(Date.parse(signedAt) - days * day).toISOString(), planSignedAt: signedAt });
  await plan('gp1', 'grosseto', 10);
  await plan('gp2', 'grosseto', 20);
  await plan('gp3', 'grosseto', 30);
  await plan('gp4', 'grosseto', 40);
  await plan('gp5', 'grosseto', 5, '2026-12-05T10:00:00Z');
  await plan('pp1', 'pistoia', 15);

  // Lucca, for the weekly trend: cases started, ended and going overdue in the weeks of 16 and 23 November.
  await insertCase({ id: 'ln1', area: 'lucca', startedAt: '2026-11-17T10:00:00Z' });
  await insertCase({ id: 'ln2', area: 'lucca', startedAt: '2026-11-22T22:30:00Z' }); // Sunday 23:30 in Rome: week of 16 Nov
  await insertCase({ id: 'ln3', area: 'lucca', startedAt: '2026-11-22T23:30:00Z' }); // Monday 00:30 in Rome: week of 23 Nov
  await insertCase({ id: 'ln4', area: 'lucca', startedAt: '2026-11-25T10:00:00Z' });
  await insertCase({ id: 'lc1', area: 'lucca' });
  await insertCase({ id: 'lc2', area: 'lucca' });
  await insertCase({ id: 'lx1', area: 'lucca', status: 'closed', closedAt: '2026-11-24T10:00:00Z' });
  await insertCase({ id: 'lx2', area: 'lucca', status: 'cancelled', closedAt: '2026-11-18T10:00:00Z' });
  const lucca = (id: string, caseId: string, status: string, dueAt: string, completedAt: string | null = null) =>
    insertTask({ id, caseId, area: 'lucca', step: 'intake', status, dueAt, completedAt });
  await lucca('l1', 'lc1', 'open', '2026-11-18T10:00:00Z'); // overdue in week 16, still open
  await lucca('l2', 'lc2', 'completed', '2026-11-19T10:00:00Z', '2026-11-21T10:00:00Z'); // completed late: week 16
  await lucca('l3', 'lc1', 'completed', '2026-11-19T10:00:00Z', '2026-11-20T10:00:00Z'); // same case again in week 16
  await lucca('l4', 'lc2', 'completed', '2026-11-24T10:00:00Z', '2026-11-23T10:00:00Z'); // on time: not stalled
  await lucca('l5', 'lc2', 'cancelled', '2026-11-25T10:00:00Z'); // cancelled: not stalled
  await lucca('l6', 'lc1', 'completed', '2026-11-26T10:00:00Z', '2026-11-27T10:00:00Z'); // late: week 23
}, 180_000);

afterAll(async () => {
  await api?.close();
});

async function get<T>(user: string, url: string): Promise<T> {
  api.clock.now = NOW;
  try {
    const response = await api.request(user, { method: 'GET', url });
    expect(response.statusCode).toBe(200);
    return json<T>(response);
  } finally {
    api.clock.now = null;
  }
}

const november = 'from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z';

describe('dashboards', () => {
  it('counts open tasks and open cases by area × step × status', async () => {
    const all = await get<{ tasks: unknown[]; cases: unknown[] }>('admin', '/dashboards/counts');
    expect(all.tasks).toEqual([
      { areaId: 'grosseto', stepId: 'eligibility', status: 'open', count: 1 },
      { areaId: 'grosseto', stepId: 'intake', status: 'claimed', count: 1 },
      { areaId: 'grosseto', stepId: 'intake', status: 'open', count: 2 },
      { areaId: 'lucca', stepId: 'intake', status: 'open', count: 1 },
      { areaId: 'pistoia', stepId: 'intake', status: 'open', count: 1 },
    ]);
    expect(all.cases).toEqual([
      { areaId: 'grosseto', stepId: 'eligibility', status: 'active', count: 1 },
      { areaId: 'grosseto', stepId: 'eligibility', status: 'suspended', count: 1 },
      { areaId: 'grosseto', stepId: 'intake', status: 'active', count: 3 },
      { areaId: 'pistoia', stepId: 'intake', status: 'active', count: 1 },
    ]);
    const pistoia = await get<{ tasks: unknown[]; cases: unknown[] }>('supervisor-pistoia', '/dashboards/counts');
    expect(pistoia).toEqual({
      tasks: [{ areaId: 'pistoia', stepId: 'intake', status: 'open', count: 1 }],
      cases: [{ areaId: 'pistoia', stepId: 'intake', status: 'active', count: 1 }],
    });
    expect(await get('admin', `/dashboards/counts?pathwayKey=${OSS}&areaId=pistoia`)).toEqual(pistoia);
    expect(await get('admin', '/dashboards/counts?pathwayKey=no-such-pathway')).toEqual({ tasks: [], cases: [] });
  });

  it('puts open tasks into ageing buckets by whole days since creation', async () => {
    const ageing = await get<{ buckets: string[]; items: unknown[] }>('coordinator-grosseto', '/dashboards/ageing');
    expect(ageing).toEqual({
      buckets: ['0-2', '3-7', '8-30', '>30'],
      items: [
        { areaId: 'grosseto', bucket: '0-2', count: 2 },
        { areaId: 'grosseto', bucket: '3-7', count: 1 },
        { areaId: 'grosseto', bucket: '8-30', count: 1 },
      ],
    });
    expect((await get<{ items: unknown[] }>('admin', '/dashboards/ageing?areaId=pistoia')).items).toEqual([{ areaId: 'pistoia', bucket: '>30', count: 1 }]);
  });

  it('computes the on-time rate per step over the period, whole days and partial ends alike', async () => {
    const grosseto = await get<{ period: unknown; items: unknown[] }>('supervisor-grosseto', `/dashboards/on-time?${november}`);
    expect(grosseto).toEqual({
      period: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
      items: [
        { stepId: 'eligibility', completed: 3, onTime: 2, rate: 2 / 3 },
        { stepId: 'intake', completed: 3, onTime: 2, rate: 2 / 3 },
      ],
    });
    const all = await get<{ items: unknown[] }>('admin', `/dashboards/on-time?${november}`);
    // Everywhere: Pistoia adds one on time; Lucca (the trend's data below) four, one of them on time.
    expect(all.items).toEqual([
      { stepId: 'eligibility', completed: 3, onTime: 2, rate: 2 / 3 },
      { stepId: 'intake', completed: 8, onTime: 4, rate: 0.5 },
    ]);
    // The pathway filter reads tasks alone: the same figures.
    expect((await get<{ items: unknown[] }>('admin', `/dashboards/on-time?${november}&pathwayKey=${OSS}`)).items).toEqual(all.items);
    // A period inside one day, and one of whole days only.
    expect((await get<{ items: unknown[] }>('admin', '/dashboards/on-time?from=2026-11-11T00:00:00Z&to=2026-11-11T23:00:00Z')).items).toEqual([
      { stepId: 'eligibility', completed: 1, onTime: 0, rate: 0 },
    ]);
    expect((await get<{ items: unknown[] }>('admin', '/dashboards/on-time?from=2026-11-09T23:00:00Z&to=2026-11-12T23:00:00Z')).items).toEqual([
      { stepId: 'eligibility', completed: 3, onTime: 2, rate: 2 / 3 },
    ]);
  });

  it('gives median and 90th percentile days from first contact to a signed plan per area', async () => {
    const plans = await get<{ items: unknown[] }>('admin', `/dashboards/plan-time?${november}`);
    // Grosseto: 10, 20, 30, 40 days → median 25; p90 = 30 + 0.7 × (40 − 30) = 37 (percentile_cont).
    expect(plans.items).toEqual([
      { areaId: 'grosseto', plans: 4, medianDays: 25, p90Days: expect.closeTo(37, 9) },
      { areaId: 'pistoia', plans: 1, medianDays: 15, p90Days: 15 },
    ]);
    expect((await get<{ items: unknown[] }>('supervisor-lucca', `/dashboards/plan-time?${november}`)).items).toEqual([]);
    // Default period: the 90 days before now, which also holds the plan signed on 5 December.
    expect((await get<{ items: Array<{ areaId: string; plans: number }> }>('admin', '/dashboards/plan-time')).items[0]).toMatchObject({ areaId: 'grosseto', plans: 5 });
  });

  it('counts open escalations by area and level', async () => {
    expect((await get<{ items: unknown[] }>('admin', '/dashboards/escalations')).items).toEqual([
      { areaId: 'grosseto', level: 1, tasks: 2, referrals: 1 },
      { areaId: 'grosseto', level: 2, tasks: 1, referrals: 0 },
    ]);
    expect((await get<{ items: unknown[] }>('supervisor-pistoia', '/dashboards/escalations')).items).toEqual([]);
  });

  it('traces new, closed, cancelled and stalled cases per Rome week', async () => {
    const trend = await get<{ timezone: string; items: unknown[] }>('supervisor-lucca', '/dashboards/weekly-trend?from=2026-11-16T00:00:00Z&to=2026-11-29T23:00:00Z');
    expect(trend.timezone).toBe('Europe/Rome');
    expect(trend.items).toEqual([
      { weekStart: '2026-11-16', new: 2, closed: 0, cancelled: 1, stalled: 2 },
      { weekStart: '2026-11-23', new: 2, closed: 1, cancelled: 0, stalled: 1 },
    ]);
    const elsewhere = await get<{ items: Array<{ new: number; stalled: number }> }>('supervisor-pistoia', '/dashboards/weekly-trend?from=2026-11-16T00:00:00Z&to=2026-11-29T23:00:00Z');
    expect(elsewhere.items.map((week) => week.new + week.stalled)).toEqual([0, 0]);
  });

  it('refuses operators and bad periods', async () => {
    for (const path of ['counts', 'ageing', 'on-time', 'plan-time', 'escalations', 'weekly-trend']) {
      expectProblem(await api.request('oss-operator-grosseto', { method: 'GET', url: `/dashboards/${path}` }), 403, 'forbidden');
    }
    const reversed = expectProblem(
      await api.request('admin', { method: 'GET', url: '/dashboards/on-time?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z' }),
      400,
      'validation_error',
    );
    expect(reversed.issues?.[0]?.path).toEqual(['to']);
    const tooLong = expectProblem(
      await api.request('admin', { method: 'GET', url: '/dashboards/weekly-trend?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z' }),
      400,
      'validation_error',
    );
    expect(tooLong.issues?.[0]?.path).toEqual(['to']);
    const notADate = expectProblem(await api.request('admin', { method: 'GET', url: '/dashboards/plan-time?from=yesterday' }), 400, 'validation_error');
    expect(notADate.issues?.[0]?.path).toEqual(['from']);
  });

  it('documents every dashboard route in /openapi.json', async () => {
    const spec = json<{ paths: Record<string, Record<string, unknown>> }>(await api.request(null, { method: 'GET', url: '/openapi.json' }));
    for (const path of ['counts', 'ageing', 'on-time', 'plan-time', 'escalations', 'weekly-trend']) expect(spec.paths[`/dashboards/${path}`]?.get).toBeDefined();
    expect(spec.paths['/supervision/stall-rules']?.put).toBeDefined();
    expect(spec.paths['/supervision/stalled']?.get).toBeDefined();
  });

  // Last: it changes rows. Every case here is on the OSS pathway, so the pathway-filtered counts (read from the rows)
  // must equal the unfiltered ones (read from the trigger-kept rollups) after every kind of write.
  it('keeps the count and ageing rollups in step with inserts, upserts, updates and deletes', async () => {
    type Counts = { tasks: CountRowLike[]; cases: CountRowLike[] };
    type CountRowLike = { areaId: string; stepId: string; status: string; count: number };
    const agree = async () => {
      const fromRollups = await get<Counts>('admin', '/dashboards/counts');
      expect(fromRollups).toEqual(await get<Counts>('admin', `/dashboards/counts?pathwayKey=${OSS}`));
      expect(await get('admin', '/dashboards/ageing')).toEqual(await get('admin', `/dashboards/ageing?pathwayKey=${OSS}`));
      return fromRollups;
    };
    await insertCase({ id: 'rk1', area: 'livorno', steps: ['intake', 'joint-plan'] });
    // Created exactly at two bucket boundaries (a boundary instant belongs to the older bucket).
    await insertTask({ id: 'rk1-t1', caseId: 'rk1', area: 'livorno', step: 'intake', status: 'open', createdAt: ago(3) });
    await insertTask({ id: 'rk1-t2', caseId: 'rk1', area: 'livorno', step: 'joint-plan', status: 'open', createdAt: ago(31) });
    const before = await agree();
    expect(before.tasks).toContainEqual({ areaId: 'livorno', stepId: 'joint-plan', status: 'open', count: 1 });
    expect(before.cases).toContainEqual({ areaId: 'livorno', stepId: 'joint-plan', status: 'active', count: 1 });
    expect((await get<{ items: unknown[] }>('admin', '/dashboards/ageing?areaId=livorno')).items).toEqual([
      { areaId: 'livorno', bucket: '3-7', count: 1 },
      { areaId: 'livorno', bucket: '>30', count: 1 },
    ]);
    // An upsert as the projection writes it: one task claimed, the other unchanged, a third inserted.
    await api.pool.query(
      `INSERT INTO tasks (task_id, case_id, step_id, token_id, area_id, service, role, status, created_at, version)
       SELECT id, 'rk1', step, 'tok', 'livorno', 'social', 'operator', status, '2026-12-01T09:00:00Z', 2
       FROM (VALUES ('rk1-t1', 'intake', 'claimed'), ('rk1-t2', 'joint-plan', 'open'), ('rk1-t3', 'checkin', 'open')) v(id, step, status)
       ON CONFLICT (task_id) DO UPDATE SET status = EXCLUDED.status, step_id = EXCLUDED.step_id, version = EXCLUDED.version`,
    );
    await api.pool.query(`UPDATE cases SET open_step_ids = '{checkin,intake,joint-plan}' WHERE case_id = 'rk1'`);
    expect((await agree()).tasks).toContainEqual({ areaId: 'livorno', stepId: 'intake', status: 'claimed', count: 1 });
    await api.pool.query(`UPDATE tasks SET status = 'completed', completed_at = '2026-12-09T09:00:00Z' WHERE task_id IN ('rk1-t1', 'rk1-t3')`);
    await api.pool.query(`UPDATE cases SET status = 'suspended', open_step_ids = '{joint-plan}' WHERE case_id = 'rk1'`);
    expect((await agree()).cases).toContainEqual({ areaId: 'livorno', stepId: 'joint-plan', status: 'suspended', count: 1 });
    await api.pool.query(`DELETE FROM tasks WHERE task_id = 'rk1-t2'`);
    await api.pool.query(`DELETE FROM cases WHERE case_id = 'rk1'`);
    const after = await agree();
    expect(after).toEqual({ tasks: before.tasks.filter((row) => row.areaId !== 'livorno'), cases: before.cases.filter((row) => row.areaId !== 'livorno') });
  });
});
