/**
 * Absence cover over the API with a real Temporal worker and PostgreSQL: an operator (or their area
 * manager) names a colleague of the same area and service for a period; the tasks the absent person
 * holds, and any that reaches them during the period, go to the colleague; a single task can be
 * handed to such a colleague. Bad input is a 4xx with its field; other areas get "not found".
 */
import { upsertUser } from '../../infra/db/directory-repository';
import type { CaseDetail, TaskView } from '../support/api-types';
import { expectProblem, json, startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(90_000);

let api: ApiHarness;

const absent = 'outreach-operator-livorno';
const colleague = 'outreach-operator-livorno-2';

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
  // The demo has one outreach operator per area: a second one to cover for her.
  await upsertUser(api.pool, { id: colleague, name: 'Giulia Neri', roles: ['operator'], areas: ['livorno'], services: ['outreach'], active: true });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

interface Cover {
  coverId: string;
  userId: string;
  colleagueId: string;
  colleagueName: string | null;
  from: string;
  to: string;
  inForce: boolean;
  endedAt: string | null;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/Rome' });
let keys = 0;

async function claimedTask(claim = true): Promise<TaskView> {
  keys += 1;
  const started = await api.request(absent, {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': `cover-${keys}` },
    payload: { pathwayKey: 'oss-integrated-pathway', areaId: 'livorno', data: { targetGroup: 'homeless' } },
  });
  expect(started.statusCode).toBe(201);
  const taskId = json<CaseDetail>(started).openTasks[0].taskId;
  if (!claim) return json<CaseDetail>(started).openTasks[0];
  const claimed = await api.request(absent, { method: 'POST', url: `/tasks/${taskId}/claim` });
  expect(claimed.statusCode).toBe(200);
  return json<TaskView>(claimed);
}

const setCover = (user: string, payload: unknown) => api.request(user, { method: 'POST', url: '/absence-covers', payload });
const assigneeOf = async (taskId: string) => json<TaskView>(await api.request('supervisor-livorno', { method: 'GET', url: `/tasks/${taskId}` })).assigneeId;
const endCover = (user: string, coverId: string) => api.request(user, { method: 'POST', url: `/absence-covers/${coverId}/end` });

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('absence cover', () => {
  it('refuses bad covers precisely: the colleague, the period, who sets it, overlaps', async () => {
    const period = { from: day(0), to: day(7) };
    const field = (response: Awaited<ReturnType<typeof setCover>>, status: number, type: string) => expectProblem(response, status, type).issues?.map((issue) => issue.path.join('.'));
    expect(field(await setCover(absent, { ...period }), 400, 'validation_error')).toEqual(['colleagueId']);
    expect(field(await setCover(absent, { colleagueId: colleague, from: '2026-02-30', to: day(1) }), 400, 'validation_error')).toEqual(['from']);
    expect(field(await setCover(absent, { colleagueId: `oss-operator-livorno`, ...period }), 422, 'invalid_data')).toEqual(['colleagueId']);
    expect(field(await setCover(absent, { colleagueId: `outreach-operator-grosseto`, ...period }), 422, 'invalid_data')).toEqual(['colleagueId']);
    expect(field(await setCover(absent, { colleagueId: absent, ...period }), 422, 'invalid_data')).toEqual(['colleagueId']);
    expect(field(await setCover(absent, { colleagueId: 'nobody-at-all', ...period }), 422, 'invalid_data')).toEqual(['colleagueId']);
    expect(field(await setCover(absent, { colleagueId: colleague, from: day(3), to: day(1) }), 422, 'invalid_data')).toEqual(['to']);
    expect(field(await setCover(absent, { colleagueId: colleague, from: day(-9), to: day(-2) }), 422, 'invalid_data')).toEqual(['to']);
    // Another operator cannot set it for her; a manager of another area does not even find her; auditors hold no such action.
    expectProblem(await setCover('oss-operator-livorno', { userId: absent, colleagueId: colleague, ...period }), 403, 'forbidden');
    expectProblem(await setCover('supervisor-grosseto', { userId: absent, colleagueId: colleague, ...period }), 404, 'not_found');
    expectProblem(await setCover('auditor-livorno', { colleagueId: colleague, ...period }), 403, 'forbidden');

    const future = await setCover('supervisor-livorno', { userId: absent, colleagueId: colleague, from: day(20), to: day(25) });
    expect(future.statusCode).toBe(201);
    expect(json<Cover>(future)).toMatchObject({ userId: absent, colleagueId: colleague, colleagueName: 'Giulia Neri', inForce: false });
    expectProblem(await setCover(absent, { colleagueId: colleague, from: day(24), to: day(30) }), 409, 'conflict');
    const { rows } = await api.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM absence_covers');
    expect(rows[0].n).toBe(1);
    expect((await endCover(absent, json<Cover>(future).coverId)).statusCode).toBe(200);
  });

  it("hands the absent person's tasks to the colleague at once, and any task that reaches her during the period", async () => {
    const held = await claimedTask();
    const colleagues = json<{ items: Array<{ id: string }> }>(await api.request(absent, { method: 'GET', url: '/absence-covers/colleagues' })).items;
    expect(colleagues.map((c) => c.id)).toEqual([colleague]);

    const set = await setCover(absent, { colleagueId: colleague, from: day(0), to: day(5) });
    expect(set.statusCode).toBe(201);
    const cover = json<Cover>(set);
    expect(cover.inForce).toBe(true);
    expect(await assigneeOf(held.taskId)).toBe(colleague);
    const timeline = json<{ items: Array<{ type: string; actor: { id: string; kind: string }; details: Record<string, unknown> }> }>(
      await api.request('supervisor-livorno', { method: 'GET', url: `/cases/${held.caseId}/timeline?limit=100` }),
    );
    expect(timeline.items.filter((e) => e.type === 'task_reassigned').map((e) => [e.actor, e.details.from, e.details.to, e.details.handed])).toEqual([
      [{ id: 'absence-cover', kind: 'system' }, absent, colleague, true],
    ]);
    // Both see the cover: the absent person and the colleague (in her own list).
    expect(json<{ items: Cover[] }>(await api.request(colleague, { method: 'GET', url: '/absence-covers' })).items.map((c) => c.coverId)).toEqual([cover.coverId]);

    // A manager gives her a task while she is away: the sweep hands it on within seconds.
    const later = await claimedTask(false);
    const reassigned = await api.request('supervisor-livorno', { method: 'POST', url: `/tasks/${later.taskId}/reassign`, payload: { assigneeId: absent, reason: 'Caso che conosce' } });
    expect(reassigned.statusCode).toBe(200);
    expect(await eventually(() => assigneeOf(later.taskId), (assignee) => assignee === colleague)).toBe(colleague);

    // Ended, the cover hands nothing more on.
    const ended = await endCover(absent, cover.coverId);
    expect(ended.statusCode).toBe(200);
    expect(json<Cover>(ended)).toMatchObject({ inForce: false, endedAt: expect.any(String) });
    expectProblem(await endCover(absent, cover.coverId), 409, 'conflict');
    const back = await claimedTask();
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(await assigneeOf(back.taskId)).toBe(absent);
  });

  it('hands a single task to a colleague who can work it; only its holder or a manager', async () => {
    const task = await claimedTask();
    const hand = (user: string, payload: unknown) => api.request(user, { method: 'POST', url: `/tasks/${task.taskId}/hand`, payload });
    const wrong = expectProblem(await hand(absent, { assigneeId: 'oss-operator-livorno', reason: 'Ferie' }), 422, 'invalid_data');
    expect(wrong.issues?.map((issue) => issue.path.join('.'))).toEqual(['assigneeId']);
    expect(expectProblem(await hand(absent, { assigneeId: colleague, reason: '' }), 400, 'validation_error').issues?.map((i) => i.path.join('.'))).toEqual(['reason']);
    expectProblem(await hand('social-worker-livorno', { assigneeId: colleague, reason: 'Ferie' }), 404, 'not_found');
    expectProblem(await hand('outreach-operator-grosseto', { assigneeId: colleague, reason: 'Ferie' }), 404, 'not_found');
    const handed = await hand(absent, { assigneeId: colleague, reason: 'Ferie' });
    expect(handed.statusCode).toBe(200);
    expect(json<TaskView>(handed).assigneeId).toBe(colleague);
    // No longer hers to hand on.
    expectProblem(await hand(absent, { assigneeId: absent, reason: 'Rientrata' }), 403, 'forbidden');
    const managed = await hand('supervisor-livorno', { assigneeId: absent, reason: 'Rientrata' });
    expect(managed.statusCode).toBe(200);
    expect(json<TaskView>(managed).assigneeId).toBe(absent);
  });
});
