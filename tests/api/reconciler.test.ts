/**
 * The reconciler on its own, at the worst instant: a command's Update becomes durable in the case's
 * workflow but the process that sent it dies before writing its result (here: the Update is sent
 * straight to Temporal after recording the intent, and nothing writes the result). With no further
 * command on the case, the API's reconciler must bring the read model to the workflow's state.
 */
import { caseSnapshotQuery, caseUpdates, caseWorkflowId } from '../../domain/case-messages';
import { recordCommandIntent } from '../../infra/db/command-intent-repository';
import type { CaseDetail } from '../support/api-types';
import { referenceJourneyToJointPlan } from '../support/reference-journey';
import { json, startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(120_000);

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

const outreach = { id: 'outreach-operator-lucca', kind: 'user' as const, roles: ['operator' as const], areas: ['lucca'], services: ['outreach'] };

it('writes a durable command whose sender died before projecting it, with no further command on the case', async () => {
  const started = await api.request(outreach.id, {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': `reconciler-${Date.now()}` },
    payload: { pathwayKey: 'oss-integrated-pathway', areaId: 'lucca', data: { targetGroup: 'homeless' } },
  });
  expect(started.statusCode).toBe(201);
  const { caseId, openTasks } = json<CaseDetail>(started);
  const [outreachStep] = referenceJourneyToJointPlan();

  // What a dying API leaves behind: the intent, and an Update that reached the history; no projection.
  const updateId = `reconciler-test-${caseId}`;
  const confirmedSeq = await recordCommandIntent(api.pool, updateId, caseId);
  const handle = api.temporal.workflow.getHandle(caseWorkflowId(caseId));
  // The API starts the workflow just after answering: wait until it exists.
  for (let attempt = 0; attempt < 200 && !(await handle.describe().then(() => true, () => false)); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  await handle.executeUpdate(caseUpdates.completeTask, {
    args: [{ actor: outreach, command: { kind: 'completeTask', taskId: openTasks[0].taskId, data: outreachStep.data }, confirmedSeq }],
    updateId,
  });
  const durable = await handle.query(caseSnapshotQuery);
  const { rows: before } = await api.pool.query<{ version: number }>('SELECT version FROM cases WHERE case_id = $1', [caseId]);
  expect(before[0].version).toBeLessThan(durable.version);

  // The reconciler (every second, for intents older than 3 s) catches up without any command.
  const deadline = Date.now() + 30_000;
  let version = before[0].version;
  while (version < durable.version && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    version = (await api.pool.query<{ version: number }>('SELECT version FROM cases WHERE case_id = $1', [caseId])).rows[0].version;
  }
  expect(version).toBe(durable.version);
  const { rows: events } = await api.pool.query<{ seq: number; type: string }>('SELECT seq, type FROM case_events WHERE case_id = $1 ORDER BY seq', [caseId]);
  expect(events.map((event) => event.seq)).toEqual(Array.from({ length: durable.version }, (_, i) => i + 1));
  expect(events.filter((event) => event.type === 'task_completed')).toHaveLength(1);
  const { rows: tasks } = await api.pool.query<{ step_id: string; status: string }>(`SELECT step_id, status FROM tasks WHERE case_id = $1 ORDER BY created_at`, [caseId]);
  expect(tasks.map((task) => [task.step_id, task.status])).toEqual([
    ['outreach', 'completed'],
    ['intake', 'open'],
  ]);
  // Young enough that its command could still be in flight: the intent stays until the horizon.
  const { rows: intents } = await api.pool.query('SELECT 1 FROM case_command_intents WHERE update_id = $1', [updateId]);
  expect(intents).toHaveLength(1);
});
