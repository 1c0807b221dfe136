/**
 * A task command records its intent in the statement that reads its task (findTaskRecordingIntent):
 * one statement and round trip less per command. The intent must be there before the Update is sent
 * (the reconciler's cue if the sender dies), only for a task the actor may see, and gone again when
 * the API refuses the command before sending it, when it answers a keyed repeat from the read model,
 * and when the command's result is written.
 */
import { randomUUID } from 'node:crypto';
import { findTaskRecordingIntent } from '../../infra/db/task-repository';
import type { CaseDetail } from '../support/api-types';
import { referenceJourneyToJointPlan } from '../support/reference-journey';
import { expectProblem, startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(120_000);

const operator = 'outreach-operator-lucca';
const lucca = { areas: ['lucca'], services: ['outreach'] };
let api: ApiHarness;
let caseId: string;
let taskId: string;

async function intentsOf(forCase: string): Promise<Array<{ update_id: string }>> {
  return (await api.pool.query<{ update_id: string }>('SELECT update_id FROM case_command_intents WHERE case_id = $1', [forCase])).rows;
}

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
  const started = await api.request(operator, {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': `intents-${randomUUID()}` },
    payload: { pathwayKey: 'oss-integrated-pathway', areaId: 'lucca', data: { targetGroup: 'homeless' } },
  });
  expect(started.statusCode).toBe(201);
  ({ caseId } = started.json<CaseDetail>());
  taskId = started.json<CaseDetail>().openTasks[0].taskId;
}, 180_000);

afterAll(async () => {
  await api?.close();
});

describe('the intent recorded in the read of the task', () => {
  it('is recorded with the read-model version for a task in scope of its case, and only then', async () => {
    const version = (await api.pool.query<{ version: number }>('SELECT version FROM cases WHERE case_id = $1', [caseId])).rows[0].version;
    const updateId = `intent-test-${randomUUID()}`;
    const found = await findTaskRecordingIntent(api.pool, lucca, taskId, new Date(), { updateId, caseId });
    expect(found?.task.taskId).toBe(taskId);
    expect(found?.confirmedSeq).toBe(version);
    expect(await intentsOf(caseId)).toEqual([{ update_id: updateId }]);
    // A second read under the same id (a retried command) records nothing more.
    expect((await findTaskRecordingIntent(api.pool, lucca, taskId, new Date(), { updateId, caseId }))?.confirmedSeq).toBe(version);
    expect(await intentsOf(caseId)).toHaveLength(1);
    await api.pool.query('DELETE FROM case_command_intents WHERE update_id = $1', [updateId]);

    // Out of the reader's scope: no task, no intent.
    expect(await findTaskRecordingIntent(api.pool, { areas: ['livorno'], services: ['outreach'] }, taskId, new Date(), { updateId, caseId })).toBeNull();
    // A case id that is not the task's: the task, but no intent (the command records its own later).
    const other = await findTaskRecordingIntent(api.pool, lucca, taskId, new Date(), { updateId, caseId: randomUUID() });
    expect(other?.task.taskId).toBe(taskId);
    expect(other?.confirmedSeq).toBeUndefined();
    expect(await api.pool.query('SELECT 1 FROM case_command_intents WHERE update_id = $1', [updateId]).then((result) => result.rows)).toEqual([]);
  });

  it('leaves no intent behind a command refused before it is sent, a keyed repeat, or a command that applied', async () => {
    const [outreachStep] = referenceJourneyToJointPlan();
    const key = `complete-${randomUUID()}`;
    const complete = (idempotencyKey?: string, data: Record<string, unknown> = outreachStep.data) =>
      api.request(operator, { method: 'POST', url: `/tasks/${taskId}/complete`, headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}, payload: { data } });

    // Out of scope: "not found", and nothing recorded.
    expectProblem(await api.request('outreach-operator-livorno', { method: 'POST', url: `/tasks/${taskId}/claim` }), 404, 'not_found');
    // In scope, so recorded with the read, then refused by the API before sending: a reassign by an operator.
    expectProblem(
      await api.request(operator, { method: 'POST', url: `/tasks/${taskId}/reassign`, payload: { assigneeId: null, reason: 'not mine' } }),
      403,
      'forbidden',
    );
    expect(await intentsOf(caseId)).toEqual([]);
    // Refused by the workflow (the form's data): the command path forgets it.
    expect((await complete(undefined, { source: 'nowhere-on-the-list' })).statusCode).toBe(422);
    expect(await intentsOf(caseId)).toEqual([]);

    expect((await complete(key)).statusCode).toBe(200);
    expect(await intentsOf(caseId)).toEqual([]);
    // A keyed repeat, answered from the read model; an unkeyed one, refused from it.
    expect((await complete(key)).statusCode).toBe(200);
    expectProblem(await complete(), 409, 'conflict');
    expect(await intentsOf(caseId)).toEqual([]);
  });
});
