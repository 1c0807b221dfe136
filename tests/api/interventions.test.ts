/**
 * Supervisor interventions over the API with a real worker, PostgreSQL and Temporal: single-case
 * skip / reopen / move, bulk reassign and bulk extend by filter (the dry run lists exactly the
 * tasks the test knows, the real run is a durable job whose effect shows in the inbox), and scope
 * (a supervisor never reaches another area's tasks).
 */
import { upsertUser } from '../../infra/db/directory-repository';
import type { CaseDetail, Page, TaskView } from '../support/api-types';
import { expectProblem, json, startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(120_000);

let api: ApiHarness;
const PATHWAY = 'oss-integrated-pathway';
// A second outreach operator in Livorno: the one who covers for the first.
const COVER = 'outreach-cover-livorno';

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
  await upsertUser(api.pool, { id: COVER, name: 'Copertura Livorno', roles: ['operator'], areas: ['livorno'], services: ['outreach'], active: true });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

let keys = 0;
const post = (user: string, url: string, payload?: unknown) => api.request(user, { method: 'POST', url, payload });
const get = (user: string, url: string) => api.request(user, { method: 'GET', url });

/** Starts a case in the area and returns its first (outreach) task. */
async function newCase(areaId: string): Promise<TaskView> {
  keys += 1;
  const response = await api.request(`outreach-operator-${areaId}`, {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': `interventions-${keys}` },
    payload: { pathwayKey: PATHWAY, areaId, data: { targetGroup: 'homeless' } },
  });
  expect(response.statusCode).toBe(201);
  return json<CaseDetail>(response).openTasks[0];
}

async function claimed(areaId: string): Promise<TaskView> {
  const task = await newCase(areaId);
  expect((await post(`outreach-operator-${areaId}`, `/tasks/${task.taskId}/claim`)).statusCode).toBe(200);
  return task;
}

interface BulkItem {
  taskId: string;
  caseId: string;
  assigneeId: string | null;
  dueAt: string | null;
  newAssigneeId?: string | null;
  newDueAt?: string;
  reason?: string;
}
interface BulkDryRun {
  dryRun: true;
  total: number;
  changes: BulkItem[];
  skipped: BulkItem[];
}
interface Job {
  jobId: string;
  status: string;
  total: number;
  counts: { total: number; pending: number; done: number; refused: number; failed: number };
  items: Array<{ index: number; caseId: string; taskId: string | null; status: string; error: { type: string; message: string } | null }>;
}

/** Reads the job until every item has a result (bounded by the test timeout, not by a clock). */
async function finished(user: string, jobId: string): Promise<Job> {
  for (;;) {
    const response = await get(user, `/interventions/${jobId}`);
    expect(response.statusCode).toBe(200);
    const job = json<Job>(response);
    if (job.status !== 'running') return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ids = (items: Array<{ taskId: string | null }>) => items.map((item) => item.taskId).sort();

describe('single-case interventions', () => {
  it('skips, reopens and moves, each with a reason on the timeline, and refuses operators and other areas', async () => {
    const supervisor = 'supervisor-pistoia';
    const task = await newCase('pistoia');
    const url = (path: string) => `/cases/${task.caseId}/interventions/${path}`;

    expectProblem(await post('outreach-operator-pistoia', url('skip-step'), { stepId: 'outreach', reason: 'Non posso' }), 403, 'forbidden');
    expectProblem(await post('supervisor-livorno', url('skip-step'), { stepId: 'outreach', reason: 'Altra zona' }), 404, 'not_found');
    expectProblem(await post(supervisor, url('skip-step'), { stepId: 'intake', reason: 'Non aperto' }), 409, 'conflict');
    const badStep = expectProblem(await post(supervisor, url('move-to-step'), { stepId: 'nowhere', reason: 'Sbagliato' }), 422, 'invalid_data');
    expect(badStep.issues?.[0].path).toEqual(['stepId']);
    expectProblem(await post(supervisor, url('skip-step'), { stepId: 'outreach' }), 400, 'validation_error');

    // Skipped with no data: the triage rule (urgent?) does not hold, so the case goes on to intake.
    const skipped = await post(supervisor, url('skip-step'), { stepId: 'outreach', reason: 'Persona già agganciata dal CPI' });
    expect(skipped.statusCode).toBe(200);
    expect(json<CaseDetail>(skipped).openTasks.map((t) => t.stepId)).toEqual(['intake']);
    const outreachTask = json<TaskView>(await get(supervisor, `/tasks/${task.taskId}`));
    expect(outreachTask.status).toBe('cancelled');

    // Moving on to eligibility withdraws intake.
    const moved = json<CaseDetail>(await post(supervisor, url('move-to-step'), { stepId: 'eligibility', reason: 'Accoglienza già fatta allo sportello' }));
    expect(moved.openTasks.map((t) => t.stepId)).toEqual(['eligibility']);

    // Outreach was never completed: it cannot be reopened. Intake was not either.
    expectProblem(await post(supervisor, url('reopen-step'), { stepId: 'outreach', reason: 'Correggere' }), 409, 'conflict');

    const timeline = json<Page<{ type: string; actor: { id: string }; stepId: string | null; details: Record<string, unknown> }>>(
      await get(supervisor, `/cases/${task.caseId}/timeline?limit=100`),
    );
    const interventions = timeline.items.filter((event) => ['step_skipped', 'moved_to_step'].includes(event.type));
    expect(interventions).toEqual([
      expect.objectContaining({ type: 'step_skipped', stepId: 'outreach', actor: expect.objectContaining({ id: supervisor }), details: expect.objectContaining({ reason: 'Persona già agganciata dal CPI' }) }),
      expect.objectContaining({ type: 'moved_to_step', stepId: 'eligibility', actor: expect.objectContaining({ id: supervisor }), details: expect.objectContaining({ reason: 'Accoglienza già fatta allo sportello' }) }),
    ]);
  });

  it('reopens a completed step with a fresh task and deadline', async () => {
    const supervisor = 'supervisor-pistoia';
    const task = await newCase('pistoia');
    const done = await post('outreach-operator-pistoia', `/tasks/${task.taskId}/complete`, { data: { source: 'street', urgent: false } });
    expect(done.statusCode).toBe(200);
    const reopened = await post(supervisor, `/cases/${task.caseId}/interventions/reopen-step`, { stepId: 'outreach', reason: 'Canale di aggancio sbagliato' });
    expect(reopened.statusCode).toBe(200);
    const open = json<CaseDetail>(reopened).openTasks;
    expect(open.map((t) => t.stepId).sort()).toEqual(['intake', 'outreach']);
    const again = open.find((t) => t.stepId === 'outreach')!;
    expect(again.taskId).not.toBe(task.taskId);
    expect(again.dueAt).not.toBeNull();
    expect(Date.parse(again.createdAt)).toBeGreaterThan(Date.parse(task.createdAt));
  });
});

describe('bulk reassign', () => {
  it('lists exactly the tasks that would move (and those that cannot, with why), then moves them through a job the inbox reflects', async () => {
    const supervisor = 'supervisor-livorno';
    const absent = 'outreach-operator-livorno';
    const mine = [await claimed('livorno'), await claimed('livorno'), await claimed('livorno')];
    const unclaimed = await newCase('livorno');
    const elsewhere = await claimed('grosseto');
    // A suspended case's task cannot be reassigned: listed with why, never sent.
    const suspendedTask = mine[2];
    expect((await post(supervisor, `/cases/${suspendedTask.caseId}/suspend`, { reason: 'Persona irreperibile' })).statusCode).toBe(200);

    const body = { filter: { assigneeId: absent }, assigneeId: COVER, reason: 'Copertura ferie di agosto', dryRun: true };
    const dry = json<BulkDryRun>(await post(supervisor, '/interventions/bulk-reassign', body));
    expect(dry.total).toBe(3);
    expect(ids(dry.changes)).toEqual(ids(mine.slice(0, 2)));
    expect(dry.changes.every((change) => change.assigneeId === absent && change.newAssigneeId === COVER)).toBe(true);
    expect(dry.skipped).toEqual([expect.objectContaining({ taskId: suspendedTask.taskId, reason: 'case_not_active' })]);
    // The dry run changed nothing.
    expect(json<TaskView>(await get(supervisor, `/tasks/${mine[0].taskId}`)).assigneeId).toBe(absent);

    // Someone who cannot work outreach tasks: every task is listed as such.
    const wrong = json<BulkDryRun>(await post(supervisor, '/interventions/bulk-reassign', { ...body, assigneeId: 'oss-operator-livorno' }));
    expect(wrong.changes).toEqual([]);
    expect(wrong.skipped.filter((s) => s.reason === 'assignee_cannot_work').map((s) => s.taskId).sort()).toEqual(ids(mine.slice(0, 2)));
    expectProblem(await post(supervisor, '/interventions/bulk-reassign', { ...body, assigneeId: 'nobody' }), 422, 'invalid_data');

    const accepted = await post(supervisor, '/interventions/bulk-reassign', { ...body, dryRun: false });
    expect(accepted.statusCode).toBe(202);
    const { jobId, total } = json<{ jobId: string; total: number }>(accepted);
    expect(accepted.headers.location).toBe(`/interventions/${jobId}`);
    expect(total).toBe(2);
    const job = await finished(supervisor, jobId);
    expect(job).toMatchObject({ status: 'completed', counts: { total: 2, done: 2, refused: 0, failed: 0, pending: 0 } });
    expect(ids(job.items)).toEqual(ids(mine.slice(0, 2)));

    const coverInbox = json<Page<TaskView>>(await get(COVER, '/tasks?assignee=me&limit=100'));
    expect(ids(coverInbox.items)).toEqual(ids(mine.slice(0, 2)));
    const absentInbox = json<Page<TaskView>>(await get(absent, '/tasks?assignee=me&limit=100'));
    expect(ids(absentInbox.items)).toEqual([suspendedTask.taskId]);
    expect(json<TaskView>(await get(supervisor, `/tasks/${unclaimed.taskId}`)).assigneeId).toBeNull();
    expect(json<TaskView>(await get('supervisor-grosseto', `/tasks/${elsewhere.taskId}`)).assigneeId).toBe('outreach-operator-grosseto');

    const timeline = json<Page<{ type: string; actor: { id: string }; details: Record<string, unknown> }>>(await get(supervisor, `/cases/${mine[0].caseId}/timeline?limit=100`));
    expect(timeline.items.find((event) => event.type === 'task_reassigned')).toMatchObject({
      actor: { id: supervisor },
      details: { from: absent, to: COVER, reason: 'Copertura ferie di agosto' },
    });
    // Only the submitter (and admins) see the job.
    expectProblem(await get('supervisor-grosseto', `/interventions/${jobId}`), 404, 'not_found');
    expect((await get('admin', `/interventions/${jobId}`)).statusCode).toBe(200);

    // Back to the shared queue: null target.
    const toQueue = json<BulkDryRun>(await post(supervisor, '/interventions/bulk-reassign', { filter: { assigneeId: COVER }, assigneeId: null, reason: 'Rientro in coda', dryRun: true }));
    expect(ids(toQueue.changes)).toEqual(ids(mine.slice(0, 2)));
  });

  it('keeps a supervisor inside their areas and refuses operators and empty filters', async () => {
    const grosseto = await claimed('grosseto');
    expectProblem(await post('supervisor-livorno', '/interventions/bulk-reassign', { filter: { areaId: 'grosseto' }, assigneeId: null, reason: 'Non mia', dryRun: true }), 403, 'forbidden');
    // Filtering by a Grosseto operator from Livorno finds nothing to touch.
    const none = json<BulkDryRun>(
      await post('supervisor-livorno', '/interventions/bulk-reassign', { filter: { assigneeId: 'outreach-operator-grosseto' }, assigneeId: null, reason: 'Non mia', dryRun: true }),
    );
    expect(none).toMatchObject({ total: 0, changes: [], skipped: [] });
    const real = await post('supervisor-livorno', '/interventions/bulk-extend', { filter: { assigneeId: 'outreach-operator-grosseto' }, by: { amount: 1, unit: 'calendarDays' }, reason: 'Non mia' });
    expect(real.statusCode).toBe(202);
    expect(json<Job>(real).total).toBe(0);
    await finished('supervisor-livorno', json<Job>(real).jobId);
    expect(json<TaskView>(await get('supervisor-grosseto', `/tasks/${grosseto.taskId}`)).dueAt).toBe(grosseto.dueAt);

    expectProblem(await post('outreach-operator-livorno', '/interventions/bulk-reassign', { filter: { areaId: 'livorno' }, assigneeId: null, reason: 'Operatore', dryRun: true }), 403, 'forbidden');
    const empty = expectProblem(await post('supervisor-livorno', '/interventions/bulk-reassign', { filter: {}, assigneeId: null, reason: 'Tutto', dryRun: true }), 400, 'validation_error');
    expect(empty.issues?.[0].path).toEqual(['filter']);
  });
});

describe('bulk extend', () => {
  it('extends exactly the listed tasks to the dates the dry run announced', async () => {
    const supervisor = 'supervisor-lucca';
    const tasks = [await newCase('lucca'), await newCase('lucca')];
    const body = { filter: { areaId: 'lucca', stepId: 'outreach' }, by: { amount: 2, unit: 'workingDays' }, reason: 'Sportello chiuso per inventario' };
    const dry = json<BulkDryRun>(await post(supervisor, '/interventions/bulk-extend', { ...body, dryRun: true }));
    expect(ids(dry.changes)).toEqual(ids(tasks));
    for (const change of dry.changes) expect(Date.parse(change.newDueAt!)).toBeGreaterThan(Date.parse(change.dueAt!));

    const earlier = json<BulkDryRun>(await post(supervisor, '/interventions/bulk-extend', { ...body, by: undefined, newDueAt: '2020-01-01T00:00:00Z', dryRun: true }));
    expect(earlier.changes).toEqual([]);
    expect(earlier.skipped.map((s) => s.reason)).toEqual(['not_later', 'not_later']);
    expectProblem(await post(supervisor, '/interventions/bulk-extend', { ...body, newDueAt: '2030-01-01T00:00:00Z', dryRun: true }), 400, 'validation_error');

    const accepted = await post(supervisor, '/interventions/bulk-extend', body);
    expect(accepted.statusCode).toBe(202);
    const job = await finished(supervisor, json<Job>(accepted).jobId);
    expect(job.counts).toMatchObject({ total: 2, done: 2 });
    for (const change of dry.changes) {
      const task = json<TaskView>(await get(supervisor, `/tasks/${change.taskId}`));
      expect(task.dueAt).toBe(change.newDueAt);
    }
    const timeline = json<Page<{ type: string; details: Record<string, unknown> }>>(await get(supervisor, `/cases/${tasks[0].caseId}/timeline?limit=100`));
    expect(timeline.items.find((event) => event.type === 'deadline_extended')?.details).toMatchObject({ reason: 'Sportello chiuso per inventario' });
  });
});

describe('the API description', () => {
  it('documents every intervention route with its dry-run and job answers', async () => {
    const document = json<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>(await api.request(null, { method: 'GET', url: '/openapi.json' }));
    for (const path of ['/interventions/bulk-reassign', '/interventions/bulk-extend', '/pathways/{key}/migrations']) {
      expect(Object.keys(document.paths[path].post.responses)).toEqual(expect.arrayContaining(['200', '202', '400', '403', '422']));
    }
    expect(Object.keys(document.paths['/interventions/{jobId}'].get.responses)).toEqual(expect.arrayContaining(['200', '404']));
    for (const action of ['skip-step', 'reopen-step', 'move-to-step']) expect(document.paths[`/cases/{caseId}/interventions/${action}`].post).toBeDefined();
  });
});
