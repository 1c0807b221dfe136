/**
 * Cases over the API with a real Temporal worker: idempotent start, detail and timeline, list
 * filters and cursor pagination, case commands, and stalled cases (transfers: transfers.test.ts).
 */
import { startApiHarness, json, type ApiHarness, expectProblem } from './harness';
import type { CaseDetail, Page } from '../support/api-types';

jest.setTimeout(60_000);

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

const PATHWAY = 'oss-integrated-pathway';
let keys = 0;

async function startCase(user: string, areaId: string, data: Record<string, unknown> = { targetGroup: 'homeless' }): Promise<CaseDetail> {
  keys += 1;
  const response = await api.request(user, { method: 'POST', url: '/cases', headers: { 'idempotency-key': `start-${keys}` }, payload: { pathwayKey: PATHWAY, areaId, data } });
  expect(response.statusCode).toBe(201);
  return json<CaseDetail>(response);
}

describe('starting a case', () => {
  it('starts a case whose first task is already in the read model', async () => {
    const response = await api.request('outreach-operator-livorno', {
      method: 'POST',
      url: '/cases',
      headers: { 'idempotency-key': 'first-contact' },
      payload: { pathwayKey: PATHWAY, areaId: 'livorno', data: { targetGroup: 'homeless' } },
    });
    expect(response.statusCode).toBe(201);
    const started = json<CaseDetail>(response);
    expect(response.headers.location).toBe(`/cases/${started.caseId}`);
    expect(started).toMatchObject({ areaId: 'livorno', status: 'active', pathwayKey: PATHWAY, pathwayVersion: 1, openStepIds: ['outreach'], data: { case: { targetGroup: 'homeless' } } });
    expect(started.reference).toMatch(/^RT-LI-[0-9A-HJKMNP-TV-Z]{6}$/);
    expect(started.openTasks).toEqual([expect.objectContaining({ stepId: 'outreach', service: 'outreach', status: 'open', assigneeId: null })]);
    // The read model answers at once (read-your-writes), and the timeline names who started it.
    const timeline = json<Page<{ type: string; actor: { id: string }; at: string }>>(
      await api.request('supervisor-livorno', { method: 'GET', url: `/cases/${started.caseId}/timeline` }),
    );
    // The reference pathway decides its entry point (outreach or the desk) between the two.
    expect(timeline.items.filter((event) => event.type !== 'decision_taken').slice(0, 2)).toEqual([
      expect.objectContaining({ type: 'case_started', actor: { id: 'outreach-operator-livorno', kind: 'user' } }),
      expect.objectContaining({ type: 'task_created', actor: { id: 'outreach-operator-livorno', kind: 'user' } }),
    ]);
  });

  it('is idempotent per actor and key: same body, same case; other body, 422', async () => {
    const request = (user: string, data: Record<string, unknown>, key = 'retry-me') =>
      api.request(user, { method: 'POST', url: '/cases', headers: { 'idempotency-key': key }, payload: { pathwayKey: PATHWAY, areaId: 'livorno', data } });
    const countPersons = async () => {
      const { rows } = await api.pool.query<{ persons: number; keys: number }>(
        'SELECT (SELECT count(*) FROM persons)::int AS persons, (SELECT count(*) FROM person_keys)::int AS keys',
      );
      return rows[0];
    };
    const before = await countPersons();
    const concurrent = await Promise.all([1, 2, 3].map(() => request('oss-operator-livorno', { targetGroup: 'homeless' })));
    const ids = new Set(concurrent.map((r) => json<CaseDetail>(r).caseId));
    expect(ids.size).toBe(1);
    expect(concurrent.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    const again = await request('oss-operator-livorno', { targetGroup: 'homeless' });
    expect(again.statusCode).toBe(200);
    expect(json<CaseDetail>(again).caseId).toBe([...ids][0]);

    // Four requests, one case: one new person with one key (the repeats wrote none).
    const persons = await countPersons();
    expect({ persons: persons.persons - before.persons, keys: persons.keys - before.keys }).toEqual({ persons: 1, keys: 1 });
    const { rows: owner } = await api.pool.query<{ person_id: string }>('SELECT person_id FROM cases WHERE case_id = $1', [[...ids][0]]);
    expect((await api.pool.query('SELECT 1 FROM person_keys WHERE person_id = $1 AND destroyed_at IS NULL', [owner[0].person_id])).rowCount).toBe(1);

    const reused = expectProblem(await request('oss-operator-livorno', { targetGroup: 'family_with_minors' }), 422, 'idempotency_key_reused');
    expect(reused.issues).toEqual([expect.objectContaining({ path: ['idempotency-key'], location: 'headers' })]);
    // Keys belong to their actor: another operator's "retry-me" is another case.
    const other = await request('social-worker-livorno', { targetGroup: 'homeless' });
    expect(other.statusCode).toBe(201);
    expect(ids.has(json<CaseDetail>(other).caseId)).toBe(false);
  });

  it('refuses bad starts with the right status and path', async () => {
    const post = (user: string, payload: unknown, headers: Record<string, string> = { 'idempotency-key': `bad-${(keys += 1)}` }) =>
      api.request(user, { method: 'POST', url: '/cases', headers, payload });
    const missingKey = expectProblem(await post('oss-operator-livorno', { pathwayKey: PATHWAY, areaId: 'livorno', data: { targetGroup: 'homeless' } }, {}), 400, 'validation_error');
    expect(missingKey.issues).toEqual([expect.objectContaining({ path: ['idempotency-key'], location: 'headers' })]);

    const badData = expectProblem(await post('oss-operator-livorno', { pathwayKey: PATHWAY, areaId: 'livorno', data: { targetGroup: 'tourist', name: 'Mario' } }), 422, 'invalid_data');
    expect(badData.issues?.map((issue) => issue.path)).toEqual(expect.arrayContaining([['data', 'targetGroup'], ['data', 'name']]));
    const missing = expectProblem(await post('oss-operator-livorno', { pathwayKey: PATHWAY, areaId: 'livorno' }), 422, 'invalid_data');
    expect(missing.issues).toEqual([expect.objectContaining({ path: ['data', 'targetGroup'] })]);

    expect(expectProblem(await post('oss-operator-livorno', { pathwayKey: 'no-such-pathway', areaId: 'livorno' }), 422, 'invalid_data').issues).toEqual([
      expect.objectContaining({ path: ['pathwayKey'] }),
    ]);
    expect(expectProblem(await post('oss-operator-livorno', { pathwayKey: PATHWAY, version: 7, areaId: 'livorno' }), 422, 'invalid_data').issues).toEqual([
      expect.objectContaining({ path: ['version'] }),
    ]);
    expect(expectProblem(await post('admin', { pathwayKey: PATHWAY, areaId: 'atlantis', data: { targetGroup: 'homeless' } }), 422, 'invalid_data').issues).toEqual([
      expect.objectContaining({ path: ['areaId'] }),
    ]);
    expectProblem(await post('oss-operator-livorno', { pathwayKey: PATHWAY, areaId: 'grosseto', data: { targetGroup: 'homeless' } }), 403, 'forbidden');
    expectProblem(await post('auditor-livorno', { pathwayKey: PATHWAY, areaId: 'livorno', data: { targetGroup: 'homeless' } }), 403, 'forbidden');
  });
});

describe('reading cases', () => {
  it('lists cases in scope with filters and an opaque cursor', async () => {
    const mine = [await startCase('oss-operator-grosseto', 'grosseto'), await startCase('oss-operator-grosseto', 'grosseto'), await startCase('oss-operator-grosseto', 'grosseto')];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/cases?areaId=grosseto&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = json<Page<CaseDetail>>(await api.request('supervisor-grosseto', { method: 'GET', url: query }));
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.caseId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expect.arrayContaining(mine.map((c) => c.caseId)));
    expect(new Set(seen).size).toBe(seen.length);
    // Newest first, and list items carry no collected data.
    const first = json<Page<Record<string, unknown>>>(await api.request('supervisor-grosseto', { method: 'GET', url: '/cases?limit=1' }));
    expect(first.items[0].caseId).toBe(mine[2].caseId);
    expect(first.items[0]).not.toHaveProperty('data');

    const byStep = json<Page<CaseDetail>>(await api.request('supervisor-grosseto', { method: 'GET', url: '/cases?stepId=outreach&status=active&escalated=false&limit=100' }));
    expect(byStep.items.map((c) => c.caseId)).toEqual(expect.arrayContaining(mine.map((c) => c.caseId)));
    const none = json<Page<CaseDetail>>(await api.request('supervisor-grosseto', { method: 'GET', url: '/cases?stepId=review&limit=100' }));
    expect(none.items).toEqual([]);
  });

  it('hides cases of other areas as if they did not exist', async () => {
    const livorno = await startCase('oss-operator-livorno', 'livorno');
    for (const user of ['oss-operator-grosseto', 'supervisor-grosseto', 'auditor-grosseto', 'coordinator-grosseto']) {
      expectProblem(await api.request(user, { method: 'GET', url: `/cases/${livorno.caseId}` }), 404, 'not_found');
      expectProblem(await api.request(user, { method: 'GET', url: `/cases/${livorno.caseId}/timeline` }), 404, 'not_found');
      // Roles the matrix never allows to write (auditors, coordinators) get 403 whatever the id: that says nothing about the case.
      const mayWrite = !user.startsWith('auditor') && !user.startsWith('coordinator');
      const note = await api.request(user, { method: 'POST', url: `/cases/${livorno.caseId}/notes`, payload: { text: 'ciao' } });
      if (mayWrite) expectProblem(note, 404, 'not_found');
      else expectProblem(note, 403, 'forbidden');
      const list = json<Page<CaseDetail>>(await api.request(user, { method: 'GET', url: '/cases?limit=100' }));
      expect(list.items.every((c) => c.areaId === 'grosseto')).toBe(true);
      const filtered = json<Page<CaseDetail>>(await api.request(user, { method: 'GET', url: '/cases?areaId=livorno&limit=100' }));
      expect(filtered.items).toEqual([]);
    }
    // Readers of the area see it; the admin sees everything.
    for (const user of ['auditor-livorno', 'coordinator-livorno', 'cpi-counsellor-livorno', 'admin']) {
      expect((await api.request(user, { method: 'GET', url: `/cases/${livorno.caseId}` })).statusCode).toBe(200);
    }
    expectProblem(await api.request('admin', { method: 'GET', url: '/cases/not-a-case' }), 404, 'not_found');
  });
});

describe('case commands', () => {
  it('adds notes, suspends and resumes, refuses what a role may not do, and closes with a known outcome', async () => {
    const started = await startCase('outreach-operator-livorno', 'livorno');
    const url = (command: string) => `/cases/${started.caseId}/${command}`;

    const noted = await api.request('oss-operator-livorno', { method: 'POST', url: url('notes'), payload: { text: 'Prima telefonata' } });
    expect(noted.statusCode).toBe(200);
    expectProblem(await api.request('oss-operator-livorno', { method: 'POST', url: url('notes'), payload: { text: '' } }), 400, 'validation_error');
    expectProblem(await api.request('auditor-livorno', { method: 'POST', url: url('notes'), payload: { text: 'Lettura' } }), 403, 'forbidden');

    const suspended = await api.request('oss-operator-livorno', { method: 'POST', url: url('suspend'), payload: { reason: 'Persona non reperibile' } });
    expect(json<CaseDetail>(suspended).status).toBe('suspended');
    expectProblem(await api.request('oss-operator-livorno', { method: 'POST', url: url('suspend'), payload: { reason: 'Ancora non reperibile' } }), 409, 'case_not_active');
    const resumeOnce = { 'idempotency-key': 'resume-once' };
    expect(json<CaseDetail>(await api.request('oss-operator-livorno', { method: 'POST', url: url('resume'), payload: {}, headers: resumeOnce })).status).toBe('active');

    expectProblem(await api.request('oss-operator-livorno', { method: 'POST', url: url('close'), payload: { outcome: 'job' } }), 403, 'forbidden');
    const badOutcome = expectProblem(await api.request('supervisor-livorno', { method: 'POST', url: url('close'), payload: { outcome: 'vanished' } }), 422, 'invalid_data');
    expect(badOutcome.issues).toEqual([expect.objectContaining({ path: ['outcome'] })]);
    const closeOnce = { 'idempotency-key': 'close-once' };
    const closing = { outcome: 'moved_away', reason: 'Trasferita' };
    const closed = json<CaseDetail>(await api.request('supervisor-livorno', { method: 'POST', url: url('close'), payload: closing, headers: closeOnce }));
    expect(closed).toMatchObject({ status: 'closed', openTasks: [] });
    expectProblem(await api.request('supervisor-livorno', { method: 'POST', url: url('notes'), payload: { text: 'Dopo la chiusura' } }), 409, 'case_not_active');

    // Once the case has ended, a keyed repeat still answers as the first did (a client retrying
    // after a lost answer); a new key, or none, is refused.
    const closedAgain = await api.request('supervisor-livorno', { method: 'POST', url: url('close'), payload: closing, headers: closeOnce });
    expect(closedAgain.statusCode).toBe(200);
    expect(json<CaseDetail>(closedAgain)).toMatchObject({ status: 'closed', caseId: started.caseId });
    expect((await api.request('oss-operator-livorno', { method: 'POST', url: url('resume'), payload: {}, headers: resumeOnce })).statusCode).toBe(200);
    expectProblem(await api.request('oss-operator-livorno', { method: 'POST', url: url('resume'), payload: {}, headers: { 'idempotency-key': 'resume-late' } }), 409, 'case_not_active');
    expectProblem(await api.request('supervisor-livorno', { method: 'POST', url: url('close'), payload: closing, headers: { 'idempotency-key': 'close-twice' } }), 409, 'case_not_active');

    const events = json<Page<{ type: string; actor: { id: string } }>>(await api.request('supervisor-livorno', { method: 'GET', url: `${url('timeline')}?limit=500` }));
    const byType = (type: string) => events.items.find((e) => e.type === type)?.actor.id;
    expect(byType('note_added')).toBe('oss-operator-livorno');
    expect(byType('case_suspended')).toBe('oss-operator-livorno');
    expect(byType('case_closed')).toBe('supervisor-livorno');
  });
});

describe('supervision', () => {
  it('lists stalled cases with every reason, for supervisors only', async () => {
    const started = await startCase('outreach-operator-pistoia', 'pistoia');
    expectProblem(await api.request('oss-operator-pistoia', { method: 'GET', url: '/supervision/stalled' }), 403, 'forbidden');

    // Pistoia flags a case after 5 working days without progress (the stalled-case rules are data).
    const rule = { pathwayKey: null, areaId: 'pistoia', kind: 'no_progress', threshold: 5, enabled: true };
    expect((await api.request('coordinator-pistoia', { method: 'PUT', url: '/supervision/stall-rules', payload: { rules: [rule] } })).statusCode).toBe(200);
    const stalledNow = json<Page<{ case: { caseId: string } }>>(await api.request('supervisor-pistoia', { method: 'GET', url: '/supervision/stalled' }));
    expect(stalledNow.items.map((item) => item.case.caseId)).not.toContain(started.caseId);

    // Two weeks later (the read side's clock): the outreach task is overdue and nothing has moved.
    api.clock.now = new Date(Date.now() + 14 * 86_400_000);
    try {
      const later = json<Page<{ case: { caseId: string }; reasons: Array<{ type: string; since: string; taskIds?: string[]; workingDays?: number }> }>>(
        await api.request('supervisor-pistoia', { method: 'GET', url: '/supervision/stalled?limit=100' }),
      );
      const ours = later.items.find((item) => item.case.caseId === started.caseId);
      expect(ours?.reasons).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'overdue_task', taskIds: [started.openTasks[0].taskId], since: started.openTasks[0].dueAt }),
          expect.objectContaining({ type: 'no_progress', workingDays: expect.any(Number) }),
        ]),
      );
      expect(ours?.reasons.find((r) => r.type === 'no_progress')?.workingDays).toBeGreaterThanOrEqual(8);
      // Other areas' supervisors do not see it.
      const elsewhere = json<Page<{ case: { caseId: string } }>>(await api.request('supervisor-lucca', { method: 'GET', url: '/supervision/stalled?limit=100' }));
      expect(elsewhere.items.map((item) => item.case.caseId)).not.toContain(started.caseId);
      const overdue = json<Page<CaseDetail>>(await api.request('supervisor-pistoia', { method: 'GET', url: '/cases?overdue=true&limit=100' }));
      expect(overdue.items.map((c) => c.caseId)).toContain(started.caseId);
    } finally {
      api.clock.now = null;
    }
  });
});
