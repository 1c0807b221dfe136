/**
 * One access rule for "can be given this task" (domain/access.ts), over the API with a real worker:
 * a single reassign and a bulk reassign (dry run and run) refuse the same assignees the same way
 * (422, path `assigneeId`), change nothing when they do, and still give a task to a colleague who
 * can work it. Before, a single reassign gave a task to an auditor or a coordinator, who then got
 * 403 on complete while the task's real workers got 409: the task was stranded.
 */
import { upsertUser } from '../../infra/db/directory-repository';
import type { CaseDetail, Page, TaskView } from '../support/api-types';
import { expectProblem, json, startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(120_000);

let api: ApiHarness;
const PATHWAY = 'oss-integrated-pathway';
// Outreach operators who can cover for the areas' own.
const COVER = { livorno: 'access-cover-livorno', pistoia: 'access-cover-pistoia' } as const;

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
  for (const [areaId, id] of Object.entries(COVER)) {
    await upsertUser(api.pool, { id, name: `Copertura ${areaId}`, roles: ['operator'], areas: [areaId], services: ['outreach'], active: true });
  }
}, 180_000);

afterAll(async () => {
  await api?.close();
});

let keys = 0;
const post = (user: string, url: string, payload?: unknown) => api.request(user, { method: 'POST', url, payload });
const get = (user: string, url: string) => api.request(user, { method: 'GET', url });

/** Starts a case in the area and returns its first (outreach) task, claimed by the area's outreach operator. */
async function claimedTask(areaId: string): Promise<TaskView> {
  keys += 1;
  const operator = `outreach-operator-${areaId}`;
  const started = await api.request(operator, {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': `access-${keys}` },
    payload: { pathwayKey: PATHWAY, areaId, data: { targetGroup: 'homeless' } },
  });
  expect(started.statusCode).toBe(201);
  const task = json<CaseDetail>(started).openTasks[0];
  expect((await post(operator, `/tasks/${task.taskId}/claim`)).statusCode).toBe(200);
  return task;
}

const assigneeOf = async (supervisor: string, taskId: string) => json<TaskView>(await get(supervisor, `/tasks/${taskId}`)).assigneeId;
const reassignments = async (supervisor: string, caseId: string) =>
  json<Page<{ type: string }>>(await get(supervisor, `/cases/${caseId}/timeline?limit=100`)).items.filter((event) => event.type === 'task_reassigned').length;

interface BulkDryRun {
  dryRun: true;
  total: number;
  changes: Array<{ taskId: string; newAssigneeId?: string | null }>;
  skipped: Array<{ taskId: string; reason: string }>;
}

describe('reassigning a task to someone who cannot work it', () => {
  it('is refused one task at a time with 422 on assigneeId, and nothing changes', async () => {
    const supervisor = 'supervisor-livorno';
    const operator = 'outreach-operator-livorno';
    const task = await claimedTask('livorno');

    // Both hold the area and every service, but no role that works tasks.
    for (const nonWorker of ['auditor-livorno', 'coordinator-livorno']) {
      const refused = expectProblem(await post(supervisor, `/tasks/${task.taskId}/reassign`, { assigneeId: nonWorker, reason: 'Copertura' }), 422, 'invalid_data');
      expect(refused.issues).toEqual([expect.objectContaining({ path: ['assigneeId'], location: 'body', message: expect.stringMatching(/no role that works tasks/) })]);
    }
    // Unknown, another area's operator, another service's operator: the same 422, each with its reason.
    for (const [assigneeId, why] of [
      ['nobody-at-all', /no user/],
      ['outreach-operator-grosseto', /area "livorno"/],
      ['oss-operator-livorno', /service "outreach"/],
    ] as const) {
      const refused = expectProblem(await post(supervisor, `/tasks/${task.taskId}/reassign`, { assigneeId, reason: 'Copertura' }), 422, 'invalid_data');
      expect(refused.issues).toEqual([expect.objectContaining({ path: ['assigneeId'], message: expect.stringMatching(why) })]);
    }
    // Who may reassign at all comes first: an operator learns nothing about the directory.
    expectProblem(await post(operator, `/tasks/${task.taskId}/reassign`, { assigneeId: 'auditor-livorno', reason: 'Copertura' }), 403, 'forbidden');

    expect(await assigneeOf(supervisor, task.taskId)).toBe(operator);
    expect(await reassignments(supervisor, task.caseId)).toBe(0);
    // The task is still its operator's to complete.
    expect(json<TaskView>(await get(operator, `/tasks/${task.taskId}`)).status).toBe('claimed');
  });

  it('still goes to a colleague who can work it, who can then complete it', async () => {
    const supervisor = 'supervisor-livorno';
    const task = await claimedTask('livorno');
    const moved = await post(supervisor, `/tasks/${task.taskId}/reassign`, { assigneeId: COVER.livorno, reason: 'Copertura ferie' });
    expect(moved.statusCode).toBe(200);
    expect(json<TaskView>(moved)).toMatchObject({ assigneeId: COVER.livorno, status: 'claimed' });
    const done = await post(COVER.livorno, `/tasks/${task.taskId}/complete`, { data: { source: 'street', place: 'Stazione', urgent: false } });
    expect(done.statusCode).toBe(200);
    expect(json<TaskView>(done)).toMatchObject({ status: 'completed', completedBy: COVER.livorno });
  });
});

describe('bulk reassign to someone who cannot work the tasks', () => {
  it('refuses the dry run and the run as the single reassign does, and still moves them to a colleague', async () => {
    const supervisor = 'supervisor-pistoia';
    const absent = 'outreach-operator-pistoia';
    const tasks = [await claimedTask('pistoia'), await claimedTask('pistoia')];
    const body = { filter: { assigneeId: absent }, reason: 'Copertura ferie di agosto' };

    for (const nonWorker of ['auditor-pistoia', 'coordinator-pistoia']) {
      const single = expectProblem(await post(supervisor, `/tasks/${tasks[0].taskId}/reassign`, { assigneeId: nonWorker, reason: body.reason }), 422, 'invalid_data');
      for (const dryRun of [true, false]) {
        const bulk = expectProblem(await post(supervisor, '/interventions/bulk-reassign', { ...body, assigneeId: nonWorker, dryRun }), 422, 'invalid_data');
        expect(bulk.issues).toEqual([expect.objectContaining({ path: ['assigneeId'], location: 'body' })]);
        // The same rule, hence the same reason.
        expect(bulk.issues?.[0].message).toBe(single.issues?.[0].message);
      }
    }
    for (const task of tasks) {
      expect(await assigneeOf(supervisor, task.taskId)).toBe(absent);
      expect(await reassignments(supervisor, task.caseId)).toBe(0);
    }

    // A proper colleague: the dry run lists both tasks, the run moves them.
    const dry = json<BulkDryRun>(await post(supervisor, '/interventions/bulk-reassign', { ...body, assigneeId: COVER.pistoia, dryRun: true }));
    expect(dry.changes.map((change) => change.taskId).sort()).toEqual(tasks.map((task) => task.taskId).sort());
    expect(dry.skipped).toEqual([]);
    const accepted = await post(supervisor, '/interventions/bulk-reassign', { ...body, assigneeId: COVER.pistoia, dryRun: false });
    expect(accepted.statusCode).toBe(202);
    const { jobId } = json<{ jobId: string }>(accepted);
    for (;;) {
      const job = json<{ status: string; counts: { done: number } }>(await get(supervisor, `/interventions/${jobId}`));
      if (job.status !== 'running') {
        expect(job).toMatchObject({ status: 'completed', counts: { done: 2 } });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const task of tasks) expect(await assigneeOf(supervisor, task.taskId)).toBe(COVER.pistoia);
  });
});
