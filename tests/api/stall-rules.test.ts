/**
 * Stalled-case rules over the API against the real PostgreSQL: read-model rows with known dates are
 * inserted directly (the rule engine reads only the read model), so every broken rule, its since,
 * its owners, the urgency order, the pages, the filters and the scope are known in advance. One
 * case goes through the real stack: started over the API, its first task goes overdue.
 */
import { startApiHarness, json, expectProblem, type ApiHarness } from './harness';
import type { CaseDetail, Page } from '../support/api-types';
import type { StalledCaseView } from '../../infra/db/supervision-repository';
import type { StallRuleRecord } from '../../infra/db/stall-rule-repository';

jest.setTimeout(60_000);

let api: ApiHarness;

const NOW = new Date('2026-12-10T10:00:00Z'); // Thursday, 11:00 in Rome; Tuesday 8 December was a holiday
const OSS = 'oss-integrated-pathway';
const SECONDARY = 'test-secondary';
const defaults = [
  { pathwayKey: null, areaId: null, kind: 'overdue_task', threshold: 0, enabled: true },
  { pathwayKey: null, areaId: null, kind: 'no_progress', threshold: 10, enabled: true },
  { pathwayKey: null, areaId: null, kind: 'no_contact', threshold: 30, enabled: true },
  { pathwayKey: null, areaId: null, kind: 'escalated', threshold: 1, enabled: true },
  { pathwayKey: null, areaId: null, kind: 'referral_not_accepted', threshold: 0, enabled: true },
  { pathwayKey: null, areaId: null, kind: 'suspended_too_long', threshold: 30, enabled: true },
];

interface CaseRowInput {
  id: string;
  area?: string;
  pathway?: string;
  status?: string;
  startedAt?: string;
  lastProgressAt?: string;
  lastContactAt?: string | null;
  suspendedAt?: string | null;
  escalationLevel?: number;
  nextDeadline?: string | null;
}

async function insertCase(row: CaseRowInput): Promise<void> {
  const startedAt = row.startedAt ?? '2026-11-01T09:00:00Z';
  await api.pool.query(
    `INSERT INTO cases (case_id, reference, pathway_key, pathway_version, area_id, status, started_at, updated_at, last_progress_at,
       suspended_at, version, open_step_ids, next_deadline, escalation_level, last_contact_at)
     VALUES ($1, $1, $2, 1, $3, $4, $5, $5, $6, $7, 1, '{}', $8, $9, $10)`,
    [
      row.id,
      row.pathway ?? OSS,
      row.area ?? 'livorno',
      row.status ?? 'active',
      startedAt,
      row.lastProgressAt ?? '2026-12-09T09:00:00Z',
      row.suspendedAt ?? null,
      row.nextDeadline ?? null,
      row.escalationLevel ?? 0,
      row.lastContactAt === undefined ? '2026-12-09T09:00:00Z' : row.lastContactAt,
    ],
  );
}

async function insertTask(task: {
  id: string;
  caseId: string;
  area?: string;
  step?: string;
  service?: string;
  assignee?: string | null;
  status?: string;
  dueAt: string | null;
  escalations?: Array<{ level: number; firedAt: string }>;
}): Promise<void> {
  const escalations = (task.escalations ?? []).map((e) => ({ level: e.level, at: e.firedAt, firedAt: e.firedAt, role: 'supervisor', service: 'social', reassign: false }));
  await api.pool.query(
    `INSERT INTO tasks (task_id, case_id, step_id, token_id, area_id, service, role, assignee_id, status, created_at, due_at, escalations, escalation_level, version)
     VALUES ($1, $2, $3, 'tok', $4, $5, 'operator', $6, $7, '2026-11-02T09:00:00Z', $8, $9, $10, 1)`,
    [
      task.id,
      task.caseId,
      task.step ?? 'social-assessment',
      task.area ?? 'livorno',
      task.service ?? 'social',
      task.assignee ?? null,
      task.status ?? 'open',
      task.dueAt,
      JSON.stringify(escalations),
      escalations.reduce((max, e) => Math.max(max, e.level), 0),
    ],
  );
}

async function insertReferral(referral: { id: string; caseId: string; acceptDueAt: string; status?: string }): Promise<void> {
  await api.pool.query(
    `INSERT INTO referrals (referral_id, case_id, step_id, area_id, from_service, to_service, status, created_at, accept_due_at, version)
     VALUES ($1, $2, 'joint-plan', 'livorno', 'social', 'employment', $3, '2026-12-01T09:00:00Z', $4, 1)`,
    [referral.id, referral.caseId, referral.status ?? 'pending', referral.acceptDueAt],
  );
}

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
  await api.pool.query(
    `INSERT INTO pathway_versions (key, version, definition, published_by)
     SELECT $1, 1, jsonb_set(definition, '{key}', to_jsonb($1::text)), 'test' FROM pathway_versions WHERE key = $2 AND version = 1`,
    [SECONDARY, OSS],
  );
  // A: an overdue task, held by a named social worker.
  await insertCase({ id: 'st-a', nextDeadline: '2026-12-05T10:00:00Z', lastContactAt: '2026-12-01T09:00:00Z' });
  await insertTask({ id: 'st-a-t1', caseId: 'st-a', assignee: 'social-worker-livorno', dueAt: '2026-12-05T10:00:00Z' });
  // B: no progress for 13 working days, never contacted since the start 39 days ago; its task waits in the OSS queue.
  await insertCase({ id: 'st-b', lastProgressAt: '2026-11-20T09:00:00Z', lastContactAt: null, nextDeadline: '2026-12-20T10:00:00Z' });
  await insertTask({ id: 'st-b-t1', caseId: 'st-b', step: 'eligibility', service: 'oss', dueAt: '2026-12-20T10:00:00Z' });
  // C: overdue and escalated twice (level 1 on 6 December, level 2 on 8 December).
  await insertCase({ id: 'st-c', nextDeadline: '2026-12-05T23:00:00Z', escalationLevel: 2, lastProgressAt: '2026-12-04T09:00:00Z' });
  await insertTask({
    id: 'st-c-t1',
    caseId: 'st-c',
    dueAt: '2026-12-05T23:00:00Z',
    escalations: [
      { level: 1, firedAt: '2026-12-06T07:00:00Z' },
      { level: 2, firedAt: '2026-12-08T07:00:00Z' },
    ],
  });
  // D (second pathway): a referral to the job centre not accepted by its deadline; another one still in time. As the
  // engine projects it, the case's next deadline is the late referral's: that alone is no overdue task.
  await insertCase({ id: 'st-d', pathway: SECONDARY, nextDeadline: '2026-12-07T23:00:00Z' });
  await insertTask({ id: 'st-d-t1', caseId: 'st-d', dueAt: '2026-12-30T10:00:00Z' });
  await insertReferral({ id: 'st-d-r1', caseId: 'st-d', acceptDueAt: '2026-12-07T23:00:00Z' });
  await insertReferral({ id: 'st-d-r2', caseId: 'st-d', acceptDueAt: '2026-12-20T23:00:00Z' });
  await insertReferral({ id: 'st-d-r3', caseId: 'st-d', acceptDueAt: '2026-12-01T23:00:00Z', status: 'accepted' });
  // E: suspended for 35 days.
  await insertCase({ id: 'st-e', status: 'suspended', suspendedAt: '2026-11-05T09:00:00Z', nextDeadline: '2026-12-01T10:00:00Z' });
  await insertTask({ id: 'st-e-t1', caseId: 'st-e', dueAt: '2026-12-01T10:00:00Z' });
  // Not stalled: F is fine, G is closed, H has been suspended for 9 days only.
  await insertCase({ id: 'st-f', nextDeadline: '2026-12-20T10:00:00Z' });
  await insertCase({ id: 'st-g', status: 'closed', nextDeadline: '2026-11-20T10:00:00Z', lastContactAt: null, lastProgressAt: '2026-11-01T09:00:00Z' });
  await insertTask({ id: 'st-g-t1', caseId: 'st-g', dueAt: '2026-11-20T10:00:00Z' });
  await insertCase({ id: 'st-h', status: 'suspended', suspendedAt: '2026-12-01T09:00:00Z' });
  // Lucca: an overdue case only Lucca's supervisor sees.
  await insertCase({ id: 'st-i', area: 'lucca', nextDeadline: '2026-12-01T10:00:00Z' });
  await insertTask({ id: 'st-i-t1', caseId: 'st-i', area: 'lucca', dueAt: '2026-12-01T10:00:00Z' });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

async function stalled(user: string, query = ''): Promise<Page<StalledCaseView>> {
  api.clock.now = NOW;
  try {
    const response = await api.request(user, { method: 'GET', url: `/supervision/stalled${query}` });
    expect(response.statusCode).toBe(200);
    return json<Page<StalledCaseView>>(response);
  } finally {
    api.clock.now = null;
  }
}

async function putRules(user: string, rules: unknown[]) {
  return api.request(user, { method: 'PUT', url: '/supervision/stall-rules', payload: { rules } });
}

const idsOf = (page: Page<StalledCaseView>) => page.items.map((item) => item.case.caseId);

describe('GET /supervision/stalled', () => {
  it('lists every broken rule with since, threshold and owners, most urgent first', async () => {
    const page = await stalled('supervisor-livorno', '?limit=100');
    expect(idsOf(page)).toEqual(['st-b', 'st-e', 'st-a', 'st-c', 'st-d']);
    expect(page.nextCursor).toBeNull();
    const byId = new Map(page.items.map((item) => [item.case.caseId, item]));

    expect(byId.get('st-b')).toMatchObject({
      since: '2026-11-01T09:00:00.000Z',
      reasons: [
        {
          type: 'no_progress',
          since: '2026-11-20T09:00:00.000Z',
          threshold: 10,
          workingDays: 13,
          owners: [{ kind: 'task', taskId: 'st-b-t1', stepId: 'eligibility', service: 'oss', role: 'operator', assigneeId: null }],
        },
        { type: 'no_contact', since: '2026-11-01T09:00:00.000Z', threshold: 30, days: 39, lastContactAt: null },
      ],
    });
    expect(byId.get('st-b')!.reasons).toHaveLength(2);

    expect(byId.get('st-e')!.reasons).toEqual([
      {
        type: 'suspended_too_long',
        since: '2026-11-05T09:00:00.000Z',
        threshold: 30,
        days: 35,
        owners: [{ kind: 'task', taskId: 'st-e-t1', stepId: 'social-assessment', service: 'social', role: 'operator', assigneeId: null, dueAt: '2026-12-01T10:00:00.000Z' }],
      },
    ]);

    expect(byId.get('st-a')!.reasons).toEqual([
      {
        type: 'overdue_task',
        since: '2026-12-05T10:00:00.000Z',
        threshold: 0,
        taskIds: ['st-a-t1'],
        owners: [
          { kind: 'task', taskId: 'st-a-t1', stepId: 'social-assessment', service: 'social', role: 'operator', assigneeId: 'social-worker-livorno', dueAt: '2026-12-05T10:00:00.000Z' },
        ],
      },
    ]);

    expect(byId.get('st-c')).toMatchObject({
      since: '2026-12-05T23:00:00.000Z',
      reasons: [
        { type: 'overdue_task', since: '2026-12-05T23:00:00.000Z', taskIds: ['st-c-t1'] },
        { type: 'escalated', since: '2026-12-06T07:00:00.000Z', threshold: 1, level: 2, owners: [{ kind: 'task', taskId: 'st-c-t1' }] },
      ],
    });
    expect(byId.get('st-c')!.reasons).toHaveLength(2);

    expect(byId.get('st-d')!.reasons).toEqual([
      {
        type: 'referral_not_accepted',
        since: '2026-12-07T23:00:00.000Z',
        threshold: 0,
        referralIds: ['st-d-r1'],
        owners: [{ kind: 'referral', referralId: 'st-d-r1', stepId: 'joint-plan', service: 'employment', role: 'operator', assigneeId: null, dueAt: '2026-12-07T23:00:00.000Z' }],
      },
    ]);
  });

  it('pages with cursors in urgency order', async () => {
    const seen: string[] = [];
    let query = '?limit=2';
    const sizes: number[] = [];
    for (let guard = 0; guard < 5; guard += 1) {
      const page = await stalled('supervisor-livorno', query);
      sizes.push(page.items.length);
      seen.push(...idsOf(page));
      if (!page.nextCursor) break;
      query = `?limit=2&cursor=${page.nextCursor}`;
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(['st-b', 'st-e', 'st-a', 'st-c', 'st-d']);
    expectProblem(await api.request('supervisor-livorno', { method: 'GET', url: '/supervision/stalled?cursor=bm90LWEtY3Vyc29y' }), 400, 'validation_error');
  });

  it('pages through cases of equal urgency in case-id order, each once', async () => {
    for (const id of ['st-tie-2', 'st-tie-3', 'st-tie-1']) {
      await insertCase({ id, area: 'grosseto', nextDeadline: '2026-12-04T10:00:00Z' });
      await insertTask({ id: `${id}-t1`, caseId: id, area: 'grosseto', dueAt: '2026-12-04T10:00:00Z' });
    }
    // One of them also broke another rule earlier: it comes first, and only once.
    await api.pool.query(`UPDATE cases SET last_progress_at = '2026-11-01T09:00:00Z' WHERE case_id = 'st-tie-3'`);
    const seen: string[] = [];
    let query = '?limit=1';
    for (let guard = 0; guard < 6; guard += 1) {
      const page = await stalled('supervisor-grosseto', query);
      seen.push(...idsOf(page));
      if (!page.nextCursor) break;
      query = `?limit=1&cursor=${page.nextCursor}`;
    }
    expect(seen).toEqual(['st-tie-3', 'st-tie-1', 'st-tie-2']);
  });

  it('filters by rule kind, pathway and area, still listing every broken rule', async () => {
    const escalated = await stalled('supervisor-livorno', '?kind=escalated');
    expect(idsOf(escalated)).toEqual(['st-c']);
    expect(escalated.items[0].since).toBe('2026-12-06T07:00:00.000Z');
    expect(escalated.items[0].reasons.map((r) => r.type)).toEqual(['overdue_task', 'escalated']);
    expect(idsOf(await stalled('supervisor-livorno', '?kind=no_contact&kind=suspended_too_long'))).toEqual(['st-b', 'st-e']);
    expect(idsOf(await stalled('supervisor-livorno', `?pathwayKey=${SECONDARY}`))).toEqual(['st-d']);
    expect(idsOf(await stalled('admin', '?areaId=lucca'))).toEqual(['st-i']);
    const bad = expectProblem(await api.request('supervisor-livorno', { method: 'GET', url: '/supervision/stalled?kind=sleepy' }), 400, 'validation_error');
    expect(bad.issues?.[0]?.path[0]).toBe('kind');
  });

  it("keeps each reader to their areas and refuses operators", async () => {
    expect(idsOf(await stalled('supervisor-lucca', '?limit=100'))).toEqual(['st-i']);
    expect(idsOf(await stalled('supervisor-lucca', '?areaId=livorno'))).toEqual([]);
    expect(idsOf(await stalled('coordinator-livorno', '?limit=100'))).toEqual(['st-b', 'st-e', 'st-a', 'st-c', 'st-d']);
    const everything = idsOf(await stalled('admin', '?limit=100'));
    expect(everything).toEqual(expect.arrayContaining(['st-a', 'st-b', 'st-c', 'st-d', 'st-e', 'st-i']));
    expect(everything).not.toEqual(expect.arrayContaining(['st-f']));
    expectProblem(await api.request('social-worker-livorno', { method: 'GET', url: '/supervision/stalled' }), 403, 'forbidden');
    expectProblem(await api.request('auditor-livorno', { method: 'GET', url: '/supervision/stalled' }), 403, 'forbidden');
  });

  it('gives an unfiltered list over every area (one stream per kind) the same answer as the per-area lists, page by page', async () => {
    const areas = ['grosseto', 'livorno', 'lucca', 'pistoia'];
    for (const kinds of ['', '&kind=escalated', '&kind=referral_not_accepted', '&kind=no_progress&kind=overdue_task']) {
      const everything = (await stalled('admin', `?limit=100${kinds}`)).items;
      // The same cases with the same urgencies as the area-filtered lists (read per group) put together.
      const perArea = (await Promise.all(areas.map((area) => stalled('admin', `?limit=100&areaId=${area}${kinds}`)))).flatMap((page) => page.items);
      const key = (item: StalledCaseView) => `${item.since} ${item.case.caseId}`;
      expect(everything.map(key).sort()).toEqual(perArea.map(key).sort());
      expect(everything.map((item) => item.since)).toEqual(everything.map((item) => item.since).sort());
      // Paged two at a time with cursors, each case once, in the same order.
      const seen: string[] = [];
      let query = `?limit=2${kinds}`;
      for (let guard = 0; guard < 20; guard += 1) {
        const page = await stalled('admin', query);
        seen.push(...idsOf(page));
        if (!page.nextCursor) break;
        query = `?limit=2&cursor=${page.nextCursor}${kinds}`;
      }
      expect(seen).toEqual(everything.map((item) => item.case.caseId));
    }
    expect(idsOf(await stalled('admin', '?limit=100&kind=escalated'))).toEqual(['st-c']);
    expect(idsOf(await stalled('admin', '?limit=100&kind=referral_not_accepted'))).toEqual(['st-d']);
  });
});

describe('stall rules as data', () => {
  afterEach(async () => {
    expect((await putRules('admin', defaults)).statusCode).toBe(200);
  });

  it('shows the seeded defaults to supervisors and refuses operators', async () => {
    const response = await api.request('supervisor-livorno', { method: 'GET', url: '/supervision/stall-rules' });
    expect(response.statusCode).toBe(200);
    const body = json<{ rules: StallRuleRecord[]; precedence: string }>(response);
    expect(body.rules.map(({ updatedAt: _u, updatedBy: _b, ...rule }) => rule)).toEqual(expect.arrayContaining(defaults));
    // The six above, isee_expiring (30 days ahead; tests/api/documents.test.ts covers it, no case here holds an ISEE) and
    // contact_failures (3 failed attempts pause the internal clocks; tests/api/contacts.test.ts covers it).
    expect(body.rules).toHaveLength(defaults.length + 2);
    expect(body.rules).toContainEqual(expect.objectContaining({ pathwayKey: null, areaId: null, kind: 'contact_failures', threshold: 3, enabled: true }));
    expectProblem(await api.request('oss-operator-livorno', { method: 'GET', url: '/supervision/stall-rules' }), 403, 'forbidden');
  });

  it('applies the most specific row: (pathway, area) > (pathway, any) > (any, area) > (any, any)', async () => {
    // An area-wide rule: A (last contact 9 days ago) now breaks no_contact, which makes it more urgent than its overdue task.
    expect((await putRules('admin', [...defaults, { pathwayKey: null, areaId: 'livorno', kind: 'no_contact', threshold: 3, enabled: true }])).statusCode).toBe(200);
    let page = await stalled('supervisor-livorno', '?limit=100');
    const a = page.items.find((item) => item.case.caseId === 'st-a')!;
    expect(a.since).toBe('2026-12-01T09:00:00.000Z');
    expect(a.reasons.map((r) => r.type)).toEqual(['overdue_task', 'no_contact']);
    expect(a.reasons[1]).toMatchObject({ threshold: 3, days: 9, lastContactAt: '2026-12-01T09:00:00.000Z' });
    // Lucca keeps the global 30 days.
    expect((await stalled('supervisor-lucca')).items[0].reasons.map((r) => r.type)).toEqual(['overdue_task']);

    // The pathway's own rule in the area beats the area-wide one; a pathway-wide rule is beaten by it too.
    const layered = [
      ...defaults,
      { pathwayKey: null, areaId: 'livorno', kind: 'no_contact', threshold: 3, enabled: true },
      { pathwayKey: OSS, areaId: null, kind: 'no_contact', threshold: 50, enabled: true },
      { pathwayKey: OSS, areaId: 'livorno', kind: 'no_contact', threshold: 20, enabled: true },
    ];
    expect((await putRules('admin', layered)).statusCode).toBe(200);
    page = await stalled('supervisor-livorno', '?kind=no_contact');
    expect(idsOf(page)).toEqual(['st-b']);
    expect(page.items[0].reasons.find((r) => r.type === 'no_contact')?.threshold).toBe(20);

    // Without the (pathway, area) row the pathway-wide 50 days wins over the area's 3: nobody breaks it.
    expect((await putRules('admin', layered.slice(0, -1))).statusCode).toBe(200);
    expect(idsOf(await stalled('supervisor-livorno', '?kind=no_contact'))).toEqual([]);
  });

  it('switches a kind off with a disabled row for its scope only', async () => {
    const off = [...defaults, { pathwayKey: SECONDARY, areaId: null, kind: 'referral_not_accepted', threshold: 0, enabled: false }];
    expect((await putRules('admin', off)).statusCode).toBe(200);
    expect(idsOf(await stalled('supervisor-livorno', '?limit=100'))).toEqual(['st-b', 'st-e', 'st-a', 'st-c']);
    // A higher threshold: two days' grace after the deadline still catches a referral three days late.
    const grace = [...defaults.filter((r) => r.kind !== 'referral_not_accepted'), { ...defaults[4], threshold: 2 }];
    expect((await putRules('admin', grace)).statusCode).toBe(200);
    expect(idsOf(await stalled('supervisor-livorno', '?kind=referral_not_accepted'))).toEqual(['st-d']);
    const moreGrace = [...defaults.filter((r) => r.kind !== 'referral_not_accepted'), { ...defaults[4], threshold: 3 }];
    expect((await putRules('admin', moreGrace)).statusCode).toBe(200);
    expect(idsOf(await stalled('supervisor-livorno', '?kind=referral_not_accepted'))).toEqual([]);
  });

  it("lets coordinators replace their own areas' rows only", async () => {
    const mine = { pathwayKey: null, areaId: 'livorno', kind: 'suspended_too_long', threshold: 5, enabled: true };
    const response = await putRules('coordinator-livorno', [mine]);
    expect(response.statusCode).toBe(200);
    const body = json<{ rules: StallRuleRecord[] }>(response);
    expect(body.rules).toHaveLength(7);
    expect(body.rules.find((r) => r.areaId === 'livorno')).toMatchObject({ ...mine, updatedBy: 'coordinator-livorno' });
    // H (suspended 9 days) now breaks the Livorno rule.
    expect(idsOf(await stalled('supervisor-livorno', '?kind=suspended_too_long'))).toEqual(['st-e', 'st-h']);

    const outside = await putRules('coordinator-livorno', [mine, { ...mine, areaId: 'lucca' }, { ...mine, areaId: null }]);
    const problem = expectProblem(outside, 403, 'forbidden');
    expect(problem.issues?.map((issue) => issue.path)).toEqual([
      ['rules', 1, 'areaId'],
      ['rules', 2, 'areaId'],
    ]);
    expectProblem(await putRules('supervisor-livorno', [mine]), 403, 'forbidden');

    // An empty set removes the coordinator's rows and nothing else.
    const cleared = json<{ rules: StallRuleRecord[] }>(await putRules('coordinator-livorno', []));
    expect(cleared.rules).toHaveLength(6);
    expect(cleared.rules.every((rule) => rule.areaId === null)).toBe(true);
  });

  it('refuses bad rows with the path of each problem and changes nothing', async () => {
    const tooLow = await putRules('admin', [{ ...defaults[1], threshold: 0 }, { ...defaults[3], threshold: 0 }, defaults[0], defaults[0]]);
    const invalid = expectProblem(tooLow, 400, 'validation_error');
    expect(invalid.issues?.map((issue) => issue.path)).toEqual(expect.arrayContaining([['rules', 0, 'threshold'], ['rules', 1, 'threshold'], ['rules', 3]]));
    const badKind = expectProblem(await putRules('admin', [{ ...defaults[0], kind: 'sleepy' }]), 400, 'validation_error');
    expect(badKind.issues?.[0]?.path).toEqual(['rules', 0, 'kind']);
    const unknown = await putRules('admin', [...defaults, { ...defaults[0], areaId: 'atlantis' }, { ...defaults[0], pathwayKey: 'no-such-pathway' }]);
    const refused = expectProblem(unknown, 422, 'invalid_data');
    expect(refused.issues?.map((issue) => issue.path)).toEqual([
      ['rules', 6, 'areaId'],
      ['rules', 7, 'pathwayKey'],
    ]);
    const after = json<{ rules: StallRuleRecord[] }>(await api.request('admin', { method: 'GET', url: '/supervision/stall-rules' }));
    expect(after.rules).toHaveLength(6);
  });
});

describe('through the real stack', () => {
  it('flags a case started over the API once its first task is overdue, and a rule set over the API applies', async () => {
    const response = await api.request('outreach-operator-pistoia', {
      method: 'POST',
      url: '/cases',
      headers: { 'idempotency-key': 'stall-real-stack' },
      payload: { pathwayKey: OSS, areaId: 'pistoia', data: { targetGroup: 'homeless' } },
    });
    expect(response.statusCode).toBe(201);
    const started = json<CaseDetail>(response);
    const task = started.openTasks[0];
    const find = async () => {
      const page = json<Page<StalledCaseView>>(await api.request('supervisor-pistoia', { method: 'GET', url: '/supervision/stalled?areaId=pistoia&limit=100' }));
      return page.items.find((item) => item.case.caseId === started.caseId);
    };
    api.clock.now = null;
    expect(await find()).toBeUndefined();
    // Three days later by the read side's clock: the same-day outreach task is overdue; ten working days have not passed.
    api.clock.now = new Date(Date.parse(task.dueAt!) + 3 * 86_400_000);
    try {
      const ours = await find();
      expect(ours?.reasons).toEqual([
        {
          type: 'overdue_task',
          since: task.dueAt,
          threshold: 0,
          taskIds: [task.taskId],
          owners: [{ kind: 'task', taskId: task.taskId, stepId: 'outreach', service: 'outreach', role: task.role, assigneeId: null, dueAt: task.dueAt }],
        },
      ]);
      // Pistoia's coordinator wants a case flagged after one working day without progress.
      const rule = { pathwayKey: OSS, areaId: 'pistoia', kind: 'no_progress', threshold: 1, enabled: true };
      expect((await putRules('coordinator-pistoia', [rule])).statusCode).toBe(200);
      const again = await find();
      expect(again?.reasons.map((r) => r.type)).toEqual(['overdue_task', 'no_progress']);
      expect(again?.reasons[1]).toMatchObject({ since: started.lastProgressAt, threshold: 1 });
    } finally {
      api.clock.now = null;
      await putRules('coordinator-pistoia', []);
    }
  });
});
