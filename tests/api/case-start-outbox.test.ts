/**
 * The case-start outbox: a case recorded in PostgreSQL whose workflow did not start (the API died
 * right after committing, or Temporal was down) gets its workflow from the next command on it, or
 * from the sweep that every API instance runs, with the same input and so the same state.
 */
import { randomUUID } from 'node:crypto';
import { createCase } from '../../domain/case-engine';
import { caseWorkflowId, type CaseWorkflowInput } from '../../domain/case-messages';
import { findArea } from '../../infra/db/directory-repository';
import { countWorkflowStarts, recordCaseStart, storedWorkflowInput } from '../../infra/db/idempotency-repository';
import { findCurrentVersion } from '../../infra/db/pathway-repository';
import { startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(60_000);

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

/** What a case start commits before it starts the workflow (record and first projection), and nothing more: the crash window. */
async function recordCaseWithoutWorkflow(): Promise<{ caseId: string; firstTaskId: string }> {
  const pathway = (await findCurrentVersion(api.pool, 'oss-integrated-pathway'))!;
  const area = (await findArea(api.pool, 'livorno'))!;
  const caseId = randomUUID();
  const input: CaseWorkflowInput = {
    caseId,
    reference: `RT-LI-${caseId.slice(0, 6).toUpperCase()}`,
    areaId: area.id,
    startedAt: new Date().toISOString(),
    startedBy: { id: 'outreach-operator-livorno', kind: 'user' },
    caseData: { targetGroup: 'homeless' },
    pathway: { key: pathway.key, version: pathway.version, definition: pathway.definition },
    localHolidays: area.localHolidays,
    timezone: area.timezone,
  };
  const { batch } = createCase(input);
  await recordCaseStart(
    api.pool,
    {
      actorId: 'outreach-operator-livorno',
      idempotencyKey: `outbox-${caseId}`,
      requestHash: 'test',
      caseId,
      reference: input.reference,
      pathwayKey: pathway.key,
      pathwayVersion: pathway.version,
      areaId: area.id,
      startedAt: input.startedAt,
      workflowInput: storedWorkflowInput(input),
      workflowStartedAt: null,
    },
    batch,
  );
  return { caseId, firstTaskId: batch.tasks[0].id };
}

async function workflowStartedAt(caseId: string): Promise<Date | null> {
  const { rows } = await api.pool.query<{ workflow_started_at: Date | null }>('SELECT workflow_started_at FROM case_start_requests WHERE case_id = $1', [caseId]);
  return rows[0].workflow_started_at;
}

describe('case start outbox', () => {
  it('starts the workflow of a recorded case when a command reaches it first', async () => {
    const { caseId, firstTaskId } = await recordCaseWithoutWorkflow();
    await expect(api.temporal.workflow.getHandle(caseWorkflowId(caseId)).describe()).rejects.toThrow();
    const claim = await api.request('outreach-operator-livorno', { method: 'POST', url: `/tasks/${firstTaskId}/claim` });
    expect(claim.statusCode).toBe(200);
    expect(claim.json<{ assigneeId: string }>().assigneeId).toBe('outreach-operator-livorno');
    expect((await api.temporal.workflow.getHandle(caseWorkflowId(caseId)).describe()).status.name).toBe('RUNNING');
    expect(await workflowStartedAt(caseId)).not.toBeNull();
  });

  it('starts the workflow of a recorded case that nobody touches, through the sweep', async () => {
    const { caseId } = await recordCaseWithoutWorkflow();
    const deadline = Date.now() + 20_000;
    while ((await workflowStartedAt(caseId)) === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await workflowStartedAt(caseId)).not.toBeNull();
    const snapshot = await api.temporal.workflow.getHandle(caseWorkflowId(caseId)).describe();
    expect(snapshot.status.name).toBe('RUNNING');
  });

  it('starts every workflow of a burst of case starts, those beyond the starts in flight through the sweep', async () => {
    const burst = 48;
    const responses = await Promise.all(
      Array.from({ length: burst }, (_, index) =>
        api.request('outreach-operator-livorno', {
          method: 'POST',
          url: '/cases',
          headers: { 'idempotency-key': `burst-${index}-${randomUUID()}` },
          payload: { pathwayKey: 'oss-integrated-pathway', areaId: 'livorno', data: { targetGroup: 'homeless' } },
        }),
      ),
    );
    expect(responses.map((response) => response.statusCode)).toEqual(Array(burst).fill(201));
    const caseIds = responses.map((response) => response.json<{ caseId: string }>().caseId);
    const pending = async () => (await Promise.all(caseIds.map(workflowStartedAt))).filter((at) => at === null).length;
    const deadline = Date.now() + 40_000;
    while ((await pending()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await pending()).toBe(0);
    const statuses = await Promise.all(caseIds.map(async (caseId) => (await api.temporal.workflow.getHandle(caseWorkflowId(caseId)).describe()).status.name));
    expect(statuses).toEqual(Array(burst).fill('RUNNING'));
    // The benchmarks' progress count agrees: nothing recorded waits for its workflow, the burst is counted started.
    const counts = await countWorkflowStarts(api.pool);
    expect(counts.pending).toBe(0);
    expect(counts.started).toBeGreaterThanOrEqual(burst);
  });
});
