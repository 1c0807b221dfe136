/**
 * Version migration edge cases on the real stack. A case whose workflow is no longer running
 * (terminated by an operator of the Temporal cluster, while the read model still shows the case
 * active) cannot move: the dry run says so, and the real run reports the same item as failed with
 * the same code, while the other cases move. A pending referral whose step is renamed keeps working
 * under its new step: the read model, its inbox entry and its answers follow the mapping.
 */
import { caseWorkflowId } from '../../domain/case-messages';
import { json, startApiHarness, type ApiHarness } from '../api/harness';
import type { CaseDetail } from '../support/api-types';

jest.setTimeout(120_000);

let api: ApiHarness;
const KEY = 'migration-closed-run';
const coordinator = 'coordinator-pistoia';
const text = (it: string) => ({ it });

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

const pathway = (title: string) => ({
  key: KEY,
  title: text(title),
  start: 'first',
  steps: {
    first: { kind: 'task', title: text('Primo contatto'), assignee: { service: 'outreach' }, deadline: { amount: 30, unit: 'calendarDays' }, next: 'closing' },
    closing: { kind: 'end', title: text('Chiuso'), outcome: 'autonomy' },
  },
});

async function publish(definition: unknown): Promise<void> {
  expect((await api.request(coordinator, { method: 'POST', url: '/pathways', payload: definition })).statusCode).toBe(201);
  expect((await api.request(coordinator, { method: 'POST', url: `/pathways/${KEY}/draft/publish` })).statusCode).toBe(201);
}

async function startCase(n: number): Promise<CaseDetail> {
  const response = await api.request('outreach-operator-pistoia', {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': `closed-run-${n}` },
    payload: { pathwayKey: KEY, areaId: 'pistoia', data: {} },
  });
  expect(response.statusCode).toBe(201);
  return json<CaseDetail>(response);
}

async function waitForWorkflows(caseIds: string[]): Promise<void> {
  // The API records a case first and starts its workflow right after answering.
  for (const caseId of caseIds) {
    const handle = api.temporal.workflow.getHandle(caseWorkflowId(caseId));
    while (!(await handle.describe().then(() => true, () => false))) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function finishedJob(user: string, jobId: string) {
  let job: { status: string; counts: Record<string, number>; items: Array<{ caseId: string; status: string; error: { type: string; message: string } | null }> };
  do {
    await new Promise((resolve) => setTimeout(resolve, 200));
    job = json(await api.request(user, { method: 'GET', url: `/interventions/${jobId}` }));
  } while (job.status === 'running');
  return job;
}

interface Report {
  caseId: string;
  canMove: boolean;
  problems: Array<{ code: string }>;
}

describe('migrating a case whose workflow is closed', () => {
  it('is reported as not running by the dry run, and fails with that code in the real run', async () => {
    await publish(pathway('Percorso'));
    const running = await startCase(1);
    const closed = await startCase(2);
    await waitForWorkflows([running.caseId, closed.caseId]);
    await api.temporal.workflow.getHandle(caseWorkflowId(closed.caseId)).terminate('test: the run is gone, the read model is not');
    await publish(pathway('Percorso v2'));
    const request = { fromVersion: 1, toVersion: 2, stepMapping: {}, reason: 'Nuove linee guida' };

    // A mapping to a step the new version lacks is refused up front, whichever step the cases stand on.
    const typo = await api.request(coordinator, { method: 'POST', url: `/pathways/${KEY}/migrations`, payload: { ...request, stepMapping: { closing: 'closed' }, dryRun: true } });
    expect(typo.statusCode).toBe(422);
    expect(json<{ issues: Array<{ path: string[] }> }>(typo).issues.map((issue) => issue.path)).toEqual([['stepMapping', 'closing']]);

    const dry = await api.request(coordinator, { method: 'POST', url: `/pathways/${KEY}/migrations`, payload: { ...request, dryRun: true } });
    expect(dry.statusCode).toBe(200);
    const report = json<{ total: number; movable: number; cases: Report[] }>(dry);
    expect(report).toMatchObject({ total: 2, movable: 1 });
    expect(report.cases.find((c) => c.caseId === running.caseId)).toMatchObject({ canMove: true, problems: [] });
    expect(report.cases.find((c) => c.caseId === closed.caseId)).toMatchObject({ canMove: false, problems: [{ code: 'case_not_running' }] });

    const accepted = await api.request(coordinator, { method: 'POST', url: `/pathways/${KEY}/migrations`, payload: request });
    expect(accepted.statusCode).toBe(202);
    const { jobId } = json<{ jobId: string }>(accepted);
    const job = await finishedJob(coordinator, jobId);
    expect(job.counts).toMatchObject({ total: 2, done: 1, failed: 1 });
    expect(job.items.find((item) => item.caseId === closed.caseId)).toMatchObject({ status: 'failed', error: { type: 'case_not_running' } });
    expect(json<CaseDetail>(await api.request('supervisor-pistoia', { method: 'GET', url: `/cases/${running.caseId}` })).pathwayVersion).toBe(2);
  });
});

describe('migrating a case with a pending referral whose step is renamed', () => {
  const REFERRAL_KEY = 'migration-referral';
  // Version 2 gives the referral an acceptance clock version 1 did not have.
  const clock = (stepId: string) =>
    stepId === 'refer'
      ? {}
      : { reminders: [{ before: { amount: 2, unit: 'workingDays' } }], escalation: [{ after: { amount: 1, unit: 'calendarDays' }, role: 'supervisor' }] };
  const referralPathway = (stepId: string) => ({
    key: REFERRAL_KEY,
    title: text('Invio al CPI'),
    start: stepId,
    steps: {
      [stepId]: {
        kind: 'referral',
        title: text('Invio al centro per l’impiego'),
        from: 'social',
        to: { service: 'employment' },
        deadline: { amount: 10, unit: 'workingDays' },
        ...clock(stepId),
        rejectionReasons: [{ code: 'not_activable', label: text('Non attivabile') }],
        outcomes: [{ code: 'did_signed', label: text('DID firmata') }],
        next: 'closing',
      },
      closing: { kind: 'end', title: text('Chiuso'), outcome: 'job' },
    },
  });

  it('moves the referral under the new step id with the new acceptance clock, where the receiving service answers it and the rules find the outcome', async () => {
    const publishReferral = async (stepId: string) => {
      expect((await api.request(coordinator, { method: 'POST', url: '/pathways', payload: referralPathway(stepId) })).statusCode).toBe(201);
      expect((await api.request(coordinator, { method: 'POST', url: `/pathways/${REFERRAL_KEY}/draft/publish` })).statusCode).toBe(201);
    };
    await publishReferral('refer');
    const started = await api.request('social-worker-pistoia', {
      method: 'POST',
      url: '/cases',
      headers: { 'idempotency-key': 'referral-rename-1' },
      payload: { pathwayKey: REFERRAL_KEY, areaId: 'pistoia', data: {} },
    });
    expect(started.statusCode).toBe(201);
    const { caseId } = json<CaseDetail>(started);
    await waitForWorkflows([caseId]);
    const { rows } = await api.pool.query<{ referral_id: string }>('SELECT referral_id FROM referrals WHERE case_id = $1', [caseId]);
    const [{ referral_id: referralId }] = rows;
    await publishReferral('cpi_referral');

    const request = { fromVersion: 1, toVersion: 2, stepMapping: { refer: 'cpi_referral' }, caseIds: [caseId], reason: 'Passo rinominato' };
    const dry = json<{ movable: number }>(await api.request(coordinator, { method: 'POST', url: `/pathways/${REFERRAL_KEY}/migrations`, payload: { ...request, dryRun: true } }));
    expect(dry).toMatchObject({ movable: 1 });
    const accepted = await api.request(coordinator, { method: 'POST', url: `/pathways/${REFERRAL_KEY}/migrations`, payload: request });
    expect(accepted.statusCode).toBe(202);
    expect((await finishedJob(coordinator, json<{ jobId: string }>(accepted).jobId)).counts).toMatchObject({ total: 1, done: 1 });

    const counsellor = 'cpi-counsellor-pistoia';
    const detail = json<{
      stepId: string;
      status: string;
      acceptDueAt: string;
      reminders: Array<{ at: string; firedAt: string | null }>;
      escalations: Array<{ level: number; role: string; at: string; firedAt: string | null }>;
      step: { rejectionReasons: Array<{ code: string }>; outcomes: Array<{ code: string }> } | null;
    }>(await api.request(counsellor, { method: 'GET', url: `/referrals/${referralId}` }));
    expect(detail).toMatchObject({ stepId: 'cpi_referral', status: 'pending', step: { outcomes: [{ code: 'did_signed' }] } });
    // The same deadline, now with version 2's reminder before it and its escalation after it.
    expect(detail.reminders).toEqual([{ at: expect.any(String), firedAt: null }]);
    expect(Date.parse(detail.reminders[0].at)).toBeLessThan(Date.parse(detail.acceptDueAt));
    expect(detail.escalations).toEqual([expect.objectContaining({ level: 1, role: 'supervisor', firedAt: null })]);
    expect(Date.parse(detail.escalations[0].at)).toBeGreaterThan(Date.parse(detail.acceptDueAt));
    expect((await api.request(counsellor, { method: 'POST', url: `/referrals/${referralId}/accept` })).statusCode).toBe(200);
    const reported = await api.request(counsellor, { method: 'POST', url: `/referrals/${referralId}/outcome`, payload: { outcome: 'did_signed' } });
    expect(reported.statusCode).toBe(200);
    const after = json<CaseDetail>(await api.request('supervisor-pistoia', { method: 'GET', url: `/cases/${caseId}` }));
    expect(after).toMatchObject({ pathwayVersion: 2, status: 'closed', outcome: 'job' });
    expect(after.data.cpi_referral).toMatchObject({ status: 'completed', outcome: 'did_signed' });
  });
});
