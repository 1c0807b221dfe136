/**
 * Households over the API on the real stack (PostgreSQL, Temporal, the worker): members given at
 * start are validated item by item (422 with `data.members.<i>.<field>`, nothing recorded); a
 * household with one activable adult and one not sends exactly that one member to the CPI and the
 * other to a social check-in (through the workflow's Updates); the CPI co-signs the plan only
 * then; a member's disability stays hidden from the employment side.
 */
import type { CaseDetail, Page, TaskView } from '../support/api-types';
import { householdPathwayDocument } from '../unit/household-pathway';
import { expectProblem, json, startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(120_000);

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
  expect((await api.request('admin', { method: 'POST', url: '/pathways', payload: householdPathwayDocument })).statusCode).toBe(201);
  expect((await api.request('admin', { method: 'POST', url: `/pathways/${householdPathwayDocument.key}/draft/publish` })).statusCode).toBe(201);
}, 180_000);

afterAll(async () => {
  await api?.close();
});

let keys = 0;
const start = (members: unknown) => {
  keys += 1;
  return api.request('oss-operator-livorno', {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': `household-${keys}` },
    payload: { pathwayKey: householdPathwayDocument.key, areaId: 'livorno', data: { members } },
  });
};

async function complete(user: string, taskId: string, data: Record<string, unknown>): Promise<void> {
  keys += 1;
  const response = await api.request(user, { method: 'POST', url: `/tasks/${taskId}/complete`, headers: { 'idempotency-key': `household-${keys}` }, payload: { data } });
  expect(response.statusCode).toBe(200);
}

async function openTasks(caseId: string): Promise<TaskView[]> {
  const page = json<Page<TaskView>>(await api.request('supervisor-livorno', { method: 'GET', url: `/tasks?caseId=${caseId}&status=open` }));
  return page.items;
}

const caseCount = async () => (await api.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0].n;

it('refuses a bad member with the item’s path and records nothing', async () => {
  const before = await caseCount();
  const problem = expectProblem(await start([{ relation: 'self', birthYear: 1984 }, { relation: 'child', birthYear: 'due anni', nickname: 'Nino' }]), 422, 'invalid_data');
  expect(problem.issues?.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual(['data.members.1.birthYear: expected a number', 'data.members.1.nickname: unknown field']);
  expectProblem(await start([]), 422, 'invalid_data');
  expect(await caseCount()).toBe(before);
});

it('sends exactly the activable member to the CPI, the other to a social check-in, and has the CPI co-sign only then', async () => {
  const started = await start([
    { relation: 'self', birthYear: 1984, jobActivable: true },
    { relation: 'partner', birthYear: 1979, jobActivable: false, disability: true },
  ]);
  expect(started.statusCode).toBe(201);
  const { caseId } = json<CaseDetail>(started);
  const [assessment] = await openTasks(caseId);
  expect(assessment.stepId).toBe('assessment');
  await complete('social-worker-livorno', assessment.taskId, {});

  const perMember = (await openTasks(caseId)).map((task) => ({ stepId: task.stepId, service: task.service, member: task.taskId.slice(task.taskId.lastIndexOf('.') + 1) }));
  expect(perMember.sort((a, b) => a.stepId.localeCompare(b.stepId))).toEqual([
    { stepId: 'cpi_pact', service: 'employment', member: 'm0' },
    { stepId: 'social_checkin', service: 'social', member: 'm1' },
  ]);

  // The employment side sees the members but not the partner's disability; the social service does.
  const asCpi = json<CaseDetail & { redactedFields: string[] }>(await api.request('cpi-counsellor-livorno', { method: 'GET', url: `/cases/${caseId}` }));
  expect(asCpi.data.case.members).toEqual([
    { relation: 'self', birthYear: 1984, jobActivable: true },
    { relation: 'partner', birthYear: 1979, jobActivable: false },
  ]);
  expect(asCpi.redactedFields).toEqual(['case.members.1.disability']);
  const asSocial = json<CaseDetail & { redactedFields: string[] }>(await api.request('social-worker-livorno', { method: 'GET', url: `/cases/${caseId}` }));
  expect(asSocial.data.case.members).toEqual([
    { relation: 'self', birthYear: 1984, jobActivable: true },
    { relation: 'partner', birthYear: 1979, jobActivable: false, disability: true },
  ]);
  expect(asSocial.redactedFields).toEqual([]);

  const tasks = await openTasks(caseId);
  await complete('cpi-counsellor-livorno', tasks.find((task) => task.stepId === 'cpi_pact')!.taskId, { didSigned: true });
  await complete('social-worker-livorno', tasks.find((task) => task.stepId === 'social_checkin')!.taskId, { note: 'Colloquio svolto' });

  const [plan] = await openTasks(caseId);
  expect(plan.stepId).toBe('plan');
  await complete('social-worker-livorno', plan.taskId, { goals: 'Lavoro per il richiedente, sostegno al partner' });
  const waiting = json<CaseDetail>(await api.request('supervisor-livorno', { method: 'GET', url: `/cases/${caseId}` }));
  expect(waiting.planSignOff).toMatchObject({ required: ['social', 'employment'], signed: ['social'], missing: ['employment'] });
  await complete('cpi-counsellor-livorno', plan.taskId, {});
  const closed = json<CaseDetail>(await api.request('supervisor-livorno', { method: 'GET', url: `/cases/${caseId}` }));
  expect(closed.status).toBe('closed');
  expect(closed.data.cpi_pact).toEqual({ byMember: [{ member: 0, didSigned: true }] });
});

it('asks no CPI signature when nobody in the household is activable', async () => {
  const started = await start([
    { relation: 'self', birthYear: 1960, jobActivable: false },
    { relation: 'child', birthYear: 2016 },
  ]);
  const { caseId } = json<CaseDetail>(started);
  await complete('social-worker-livorno', (await openTasks(caseId))[0].taskId, {});
  const checkins = await openTasks(caseId);
  expect(checkins.map((task) => [task.stepId, task.service])).toEqual([
    ['social_checkin', 'social'],
    ['social_checkin', 'social'],
  ]);
  for (const task of checkins) await complete('social-worker-livorno', task.taskId, {});
  const [plan] = await openTasks(caseId);
  await complete('social-worker-livorno', plan.taskId, { goals: 'Sostegno al nucleo' });
  expect(json<CaseDetail>(await api.request('supervisor-livorno', { method: 'GET', url: `/cases/${caseId}` })).status).toBe('closed');
});
