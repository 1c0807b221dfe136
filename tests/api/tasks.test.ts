/**
 * Tasks over the API with a real Temporal worker: the inbox and its filters, claim, complete (with
 * form validation and idempotent repeats), release, reassign and extend, and scoping by area and
 * service (an object outside scope is a 404, never a 403).
 */
import { startApiHarness, json, type ApiHarness, expectProblem } from './harness';
import type { CaseDetail, Page, TaskView as InboxTask, TaskWithStep } from '../support/api-types';
import { waitFor } from '../support/processes';

type TaskView = InboxTask & Partial<Pick<TaskWithStep, 'step'>>;

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

/** Starts a case as the area's outreach unit and returns its first (outreach) task. */
async function newOutreachTask(areaId: string): Promise<TaskView> {
  keys += 1;
  const response = await api.request(`outreach-operator-${areaId}`, {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': `task-test-${keys}` },
    payload: { pathwayKey: PATHWAY, areaId, data: { targetGroup: 'homeless' } },
  });
  expect(response.statusCode).toBe(201);
  const [task] = json<CaseDetail>(response).openTasks;
  expect(task.stepId).toBe('outreach');
  return task;
}

const post = (user: string, url: string, payload?: unknown, headers?: Record<string, string>) => api.request(user, { method: 'POST', url, payload, headers });

describe('working a task', () => {
  it('claims and completes a task, validating the form, and the next step lands in the next inbox', async () => {
    const task = await newOutreachTask('livorno');
    const outreach = 'outreach-operator-livorno';

    const detail = json<TaskView>(await api.request(outreach, { method: 'GET', url: `/tasks/${task.taskId}` }));
    expect(detail.step?.title.it).toBe('Aggancio e invio');
    expect(detail.step?.form.fields.map((field) => field.key)).toEqual(['source', 'place', 'urgent']);

    const claimed = await post(outreach, `/tasks/${task.taskId}/claim`);
    expect(claimed.statusCode).toBe(200);
    expect(json<TaskView>(claimed)).toMatchObject({ status: 'claimed', assigneeId: outreach });
    const mine = json<Page<TaskView>>(await api.request(outreach, { method: 'GET', url: '/tasks?assignee=me' }));
    expect(mine.items.map((t) => t.taskId)).toEqual([task.taskId]);

    const invalid = expectProblem(await post(outreach, `/tasks/${task.taskId}/complete`, { data: { source: 'moon', alias: 'Mario' } }), 422, 'invalid_data');
    expect(invalid.issues?.map((issue) => issue.path)).toEqual(expect.arrayContaining([['data', 'source'], ['data', 'urgent'], ['data', 'alias']]));

    const completion = { data: { source: 'street', place: 'Piazza', urgent: false } };
    const done = await post(outreach, `/tasks/${task.taskId}/complete`, completion, { 'idempotency-key': 'outreach-done' });
    expect(done.statusCode).toBe(200);
    expect(json<TaskView>(done)).toMatchObject({ status: 'completed', completedBy: outreach });

    // A retry with the same key answers the same; another key is a conflict.
    const retry = await post(outreach, `/tasks/${task.taskId}/complete`, completion, { 'idempotency-key': 'outreach-done' });
    expect(retry.statusCode).toBe(200);
    expect(json<TaskView>(retry)).toMatchObject({ status: 'completed', taskId: task.taskId });
    expectProblem(await post(outreach, `/tasks/${task.taskId}/complete`, completion, { 'idempotency-key': 'another' }), 409, 'conflict');
    expectProblem(await post(outreach, `/tasks/${task.taskId}/claim`), 409, 'conflict');

    // Not urgent: the decision sends the case to intake at the front desk.
    const desk = json<Page<TaskView>>(await api.request('oss-operator-livorno', { method: 'GET', url: '/tasks?service=oss&assignee=unassigned&limit=100' }));
    const intake = desk.items.find((t) => t.caseId === task.caseId);
    expect(intake).toMatchObject({ stepId: 'intake', status: 'open', service: 'oss' });
    const caseDetail = json<CaseDetail>(await api.request('supervisor-livorno', { method: 'GET', url: `/cases/${task.caseId}` }));
    expect(caseDetail.data.outreach).toEqual({ source: 'street', place: 'Piazza', urgent: false });
    const completed = json<Page<TaskView>>(await api.request(outreach, { method: 'GET', url: '/tasks?status=completed&limit=100' }));
    expect(completed.items.map((t) => t.taskId)).toContain(task.taskId);
  });

  it('indexes the case in Temporal by what rarely changes: a completion upserts no search attribute', async () => {
    const task = await newOutreachTask('livorno');
    const handle = api.temporal.workflow.getHandle(`case-${task.caseId}`);
    const upserts = async () => ((await handle.fetchHistory()).events ?? []).filter((event) => event.upsertWorkflowSearchAttributesEventAttributes).length;
    // The start is answered from the read model; wait for the workflow's first task, which indexes the case.
    await waitFor(async () => (await upserts()) > 0, 'the first workflow task indexing the case', 10_000);
    const before = await upserts();
    const done = await post('outreach-operator-livorno', `/tasks/${task.taskId}/complete`, { data: { source: 'street', place: 'Piazza', urgent: false } });
    expect(done.statusCode).toBe(200);
    // The next task is open (its step and deadline are new); the status, area and ladder level are not.
    expect(await upserts()).toBe(before);
    const described = await handle.describe();
    const ours = Object.keys(described.searchAttributes).filter((name) => name.startsWith('Reticulate'));
    expect(ours.sort()).toEqual(['ReticulateArea', 'ReticulateEscalationLevel', 'ReticulatePathway', 'ReticulateStatus']);
    expect(described.searchAttributes).toMatchObject({ ReticulateArea: ['livorno'], ReticulateStatus: ['active'], ReticulatePathway: [`${PATHWAY}@1`] });
  });

  it('releases, reassigns and extends, with the rules of each', async () => {
    const task = await newOutreachTask('livorno');
    const outreach = 'outreach-operator-livorno';
    const supervisor = 'supervisor-livorno';

    expectProblem(await post(outreach, `/tasks/${task.taskId}/release`), 409, 'conflict');
    expect(json<TaskView>(await post(outreach, `/tasks/${task.taskId}/claim`)).assigneeId).toBe(outreach);
    expect(json<TaskView>(await post(outreach, `/tasks/${task.taskId}/release`))).toMatchObject({ status: 'open', assigneeId: null });

    // Only supervisors reassign, and only to someone who can work the task.
    expectProblem(await post(outreach, `/tasks/${task.taskId}/reassign`, { assigneeId: outreach, reason: 'Lo prendo io' }), 403, 'forbidden');
    const wrongArea = expectProblem(await post(supervisor, `/tasks/${task.taskId}/reassign`, { assigneeId: 'outreach-operator-grosseto', reason: 'Ferie' }), 422, 'invalid_data');
    expect(wrongArea.issues).toEqual([expect.objectContaining({ path: ['assigneeId'] })]);
    expectProblem(await post(supervisor, `/tasks/${task.taskId}/reassign`, { assigneeId: 'oss-operator-livorno', reason: 'Ferie' }), 422, 'invalid_data');
    expect(json<TaskView>(await post(supervisor, `/tasks/${task.taskId}/reassign`, { assigneeId: outreach, reason: 'Copertura turno' })).assigneeId).toBe(outreach);
    expect(json<TaskView>(await post(supervisor, `/tasks/${task.taskId}/reassign`, { assigneeId: null, reason: 'Torna in coda' })).assigneeId).toBeNull();

    // Extending needs exactly one of newDueAt and by, a later date, and a reason.
    const both = expectProblem(await post(supervisor, `/tasks/${task.taskId}/extend`, { newDueAt: new Date().toISOString(), by: { amount: 1, unit: 'workingDays' }, reason: 'Doppio' }), 400, 'validation_error');
    expect(both.issues).toEqual([expect.objectContaining({ path: ['newDueAt'], location: 'body' })]);
    const earlier = expectProblem(await post(supervisor, `/tasks/${task.taskId}/extend`, { newDueAt: '2020-01-01T00:00:00Z', reason: 'Indietro' }), 422, 'invalid_data');
    expect(earlier.issues).toEqual([expect.objectContaining({ path: ['newDueAt'] })]);
    const extended = json<TaskView>(await post(supervisor, `/tasks/${task.taskId}/extend`, { by: { amount: 3, unit: 'workingDays' }, reason: 'Persona in ospedale' }));
    expect(Date.parse(extended.dueAt!)).toBeGreaterThan(Date.parse(task.dueAt!));
    expectProblem(await post(outreach, `/tasks/${task.taskId}/extend`, { by: { amount: 3, unit: 'workingDays' }, reason: 'Non posso' }), 403, 'forbidden');

    const timeline = json<Page<{ type: string; actor: { id: string }; taskId: string | null }>>(
      await api.request(supervisor, { method: 'GET', url: `/cases/${task.caseId}/timeline?limit=3` }),
    );
    expect(timeline.items).toHaveLength(3);
    expect(timeline.nextCursor).not.toBeNull();
    const rest = json<Page<{ type: string; actor: { id: string } }>>(
      await api.request(supervisor, { method: 'GET', url: `/cases/${task.caseId}/timeline?limit=100&cursor=${timeline.nextCursor}` }),
    );
    const types = [...timeline.items, ...rest.items].map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['task_claimed', 'task_released', 'task_reassigned', 'deadline_extended']));
    expect(rest.items.find((e) => e.type === 'deadline_extended')?.actor.id).toBe(supervisor);
  });
});

describe('the inbox', () => {
  it("gives an operator's working inbox: their own tasks and the unassigned ones, not a colleague's", async () => {
    const outreach = 'outreach-operator-pistoia';
    const [mine, unassigned, colleagues] = [await newOutreachTask('pistoia'), await newOutreachTask('pistoia'), await newOutreachTask('pistoia')];
    expect((await post(outreach, `/tasks/${mine.taskId}/claim`)).statusCode).toBe(200);
    expect((await post('admin', `/tasks/${colleagues.taskId}/claim`)).statusCode).toBe(200);
    const ours = new Set([mine.taskId, unassigned.taskId, colleagues.taskId]);
    const inbox = json<Page<TaskView>>(await api.request(outreach, { method: 'GET', url: '/tasks?assignee=me-or-unassigned&limit=100' }));
    const shown = inbox.items.filter((task) => ours.has(task.taskId));
    expect(shown.map((task) => task.taskId).sort()).toEqual([mine.taskId, unassigned.taskId].sort());
    expect(inbox.items.every((task) => task.assigneeId === null || task.assigneeId === outreach)).toBe(true);
  });

  it('sorts by due date, pages with a cursor and filters overdue tasks', async () => {
    const tasks = [await newOutreachTask('lucca'), await newOutreachTask('lucca'), await newOutreachTask('lucca')];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/tasks?areaId=lucca&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = json<Page<TaskView>>(await api.request('outreach-operator-lucca', { method: 'GET', url }));
      seen.push(...page.items.map((t) => t.taskId));
      const dues = page.items.map((t) => t.dueAt ?? '9999');
      expect(dues).toEqual([...dues].sort());
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expect.arrayContaining(tasks.map((t) => t.taskId)));
    expect(new Set(seen).size).toBe(seen.length);

    expect(json<Page<TaskView>>(await api.request('outreach-operator-lucca', { method: 'GET', url: '/tasks?overdue=true' })).items).toEqual([]);
    api.clock.now = new Date(Date.now() + 3 * 86_400_000);
    try {
      const overdue = json<Page<TaskView>>(await api.request('outreach-operator-lucca', { method: 'GET', url: '/tasks?overdue=true&limit=100' }));
      expect(overdue.items.map((t) => t.taskId)).toEqual(expect.arrayContaining(tasks.map((t) => t.taskId)));
      expect(overdue.items.every((t) => t.overdue)).toBe(true);
    } finally {
      api.clock.now = null;
    }
    expectProblem(await api.request('outreach-operator-lucca', { method: 'GET', url: '/tasks?status=open,sleeping' }), 400, 'validation_error');
  });
});

describe('scoping', () => {
  it('shows an operator only the tasks of their areas and services; everything else is not found', async () => {
    const grosseto = await newOutreachTask('grosseto');
    const livornoOutreach = 'outreach-operator-livorno';
    // Another area: invisible, whatever the route.
    expectProblem(await api.request(livornoOutreach, { method: 'GET', url: `/tasks/${grosseto.taskId}` }), 404, 'not_found');
    for (const command of ['claim', 'release']) expectProblem(await post(livornoOutreach, `/tasks/${grosseto.taskId}/${command}`), 404, 'not_found');
    expectProblem(await post(livornoOutreach, `/tasks/${grosseto.taskId}/complete`, { data: { urgent: false } }), 404, 'not_found');
    expectProblem(await post('supervisor-livorno', `/tasks/${grosseto.taskId}/extend`, { by: { amount: 1, unit: 'workingDays' }, reason: 'Prova' }), 404, 'not_found');
    expectProblem(await api.request(livornoOutreach, { method: 'GET', url: `/cases/${grosseto.caseId}` }), 404, 'not_found');
    const inbox = json<Page<TaskView>>(await api.request(livornoOutreach, { method: 'GET', url: '/tasks?areaId=grosseto&limit=100' }));
    expect(inbox.items).toEqual([]);
    const everything = json<Page<TaskView>>(await api.request(livornoOutreach, { method: 'GET', url: '/tasks?status=open,claimed,completed,cancelled&limit=100' }));
    expect(everything.items.every((t) => t.areaId === 'livorno' && t.service === 'outreach')).toBe(true);

    // Same area, another service: the case is visible, the task is not.
    const deskOperator = 'oss-operator-grosseto';
    expect((await api.request(deskOperator, { method: 'GET', url: `/cases/${grosseto.caseId}` })).statusCode).toBe(200);
    expect(json<CaseDetail>(await api.request(deskOperator, { method: 'GET', url: `/cases/${grosseto.caseId}` })).openTasks).toEqual([]);
    expectProblem(await api.request(deskOperator, { method: 'GET', url: `/tasks/${grosseto.taskId}` }), 404, 'not_found');
    expectProblem(await post(deskOperator, `/tasks/${grosseto.taskId}/claim`), 404, 'not_found');

    // The area's supervisor and auditor see it; the auditor cannot act on it.
    expect((await api.request('supervisor-grosseto', { method: 'GET', url: `/tasks/${grosseto.taskId}` })).statusCode).toBe(200);
    expect((await api.request('auditor-grosseto', { method: 'GET', url: `/tasks/${grosseto.taskId}` })).statusCode).toBe(200);
    expectProblem(await post('auditor-grosseto', `/tasks/${grosseto.taskId}/claim`), 403, 'forbidden');
    expectProblem(await api.request('admin', { method: 'GET', url: '/tasks/no-such-task' }), 404, 'not_found');
  });
});
