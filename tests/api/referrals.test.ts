/**
 * Closed-loop referrals over the API with a real Temporal worker and PostgreSQL: a coordinator
 * publishes a copy of the reference pathway in which the front desk refers the person to the job
 * centre after intake; the job centre finds the referral in its inbox, rejects it with a reason or
 * accepts it and reports the outcome; the timeline shows the whole loop and the read model has it.
 * The same journey then reaches the joint plan, whose missing signature is visible until it is signed.
 */
import type { ReferralDetail, ReferralView } from '../../infra/db/referral-repository';
import { ossReferencePathway } from '../../infra/reference-pathway';
import type { CaseDetail, Page, TaskView, TaskWithStep } from '../support/api-types';
import { referenceJourneyToJointPlan } from '../support/reference-journey';
import { expectProblem, json, startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(120_000);

let api: ApiHarness;
const PATHWAY = 'oss-with-cpi-referral';
const AREA = 'livorno';
const users = {
  outreach: `outreach-operator-${AREA}`,
  oss: `oss-operator-${AREA}`,
  social: `social-worker-${AREA}`,
  employment: `cpi-counsellor-${AREA}`,
  supervisor: `supervisor-${AREA}`,
  coordinator: `coordinator-${AREA}`,
} as const;

/** The reference pathway with one change: after intake, the front desk refers the person to the job centre. */
function pathwayWithReferral() {
  const document = structuredClone(ossReferencePathway) as typeof ossReferencePathway & { steps: Record<string, Record<string, unknown>> };
  document.key = PATHWAY;
  document.steps.cpi_referral = {
    kind: 'referral',
    title: { it: 'Invio al centro per l’impiego', en: 'Referral to the job centre' },
    from: 'oss',
    to: { service: 'employment' },
    deadline: { amount: 5, unit: 'workingDays' },
    reminders: [{ before: { amount: 1, unit: 'workingDays' } }],
    escalation: [{ after: { amount: 1, unit: 'workingDays' }, role: 'supervisor' }],
    rejectionReasons: [
      { code: 'not_activable', label: { it: 'Non attivabile al lavoro' } },
      { code: 'already_in_charge', label: { it: 'Già in carico' } },
    ],
    outcomes: [
      { code: 'did_signed', label: { it: 'DID sottoscritta' } },
      { code: 'no_show', label: { it: 'Non presentato' } },
    ],
    next: document.steps.intake.next as string,
  };
  document.steps.intake = { ...document.steps.intake, next: 'cpi_referral' };
  return document;
}

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
  const created = await api.request(users.coordinator, { method: 'POST', url: '/pathways', payload: pathwayWithReferral() });
  expect(created.statusCode).toBe(201);
  const published = await api.request(users.coordinator, { method: 'POST', url: `/pathways/${PATHWAY}/draft/publish` });
  expect(published.statusCode).toBe(201);
}, 180_000);

afterAll(async () => {
  await api?.close();
});

const get = <T>(user: string, url: string) => api.request(user, { method: 'GET', url }).then((response) => {
  expect(response.statusCode).toBe(200);
  return json<T>(response);
});
const post = (user: string, url: string, payload?: unknown, headers?: Record<string, string>) => api.request(user, { method: 'POST', url, payload, headers });

let keys = 0;

async function startCase(): Promise<CaseDetail> {
  keys += 1;
  const response = await post(users.outreach, '/cases', { pathwayKey: PATHWAY, areaId: AREA, data: { targetGroup: 'family_with_minors' } }, { 'idempotency-key': `referral-test-${keys}` });
  expect(response.statusCode).toBe(201);
  return json<CaseDetail>(response);
}

/** Completes the open task of a step as the operator of its service. */
async function complete(caseId: string, stepId: string, service: keyof typeof users, data: Record<string, unknown>): Promise<TaskWithStep> {
  const detail = await get<CaseDetail>(users.supervisor, `/cases/${caseId}`);
  const task = detail.openTasks.find((t) => t.stepId === stepId);
  if (!task) throw new Error(`no open ${stepId}; open: ${detail.openStepIds.join(', ')}`);
  const done = await post(users[service], `/tasks/${task.taskId}/complete`, { data }, { 'idempotency-key': `${task.taskId}-${service}` });
  expect(done.statusCode).toBe(200);
  return json<TaskWithStep>(done);
}

const journey = referenceJourneyToJointPlan();
const answerOf = (stepId: string) => journey.find((step) => step.stepId === stepId)!.data;

/** A case whose intake is done: its referral to the job centre is pending. */
async function caseAtReferral(): Promise<{ caseId: string; referral: ReferralView }> {
  const { caseId } = await startCase();
  await complete(caseId, 'outreach', 'outreach', answerOf('outreach'));
  await complete(caseId, 'intake', 'oss', answerOf('intake'));
  const inbox = await get<Page<ReferralView>>(users.employment, `/referrals?status=pending&caseId=${caseId}`);
  expect(inbox.items).toHaveLength(1);
  return { caseId, referral: inbox.items[0] };
}

async function referralRow(referralId: string) {
  const { rows } = await api.pool.query('SELECT * FROM referrals WHERE referral_id = $1', [referralId]);
  return rows[0] as Record<string, unknown>;
}

describe('closed-loop referrals', () => {
  it('documents the referral inbox and answers in the OpenAPI document', async () => {
    const document = json<{ paths: Record<string, Record<string, unknown>> }>(await api.request(null, { method: 'GET', url: '/openapi.json' }));
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/referrals')).sort()).toEqual([
      '/referrals',
      '/referrals/{referralId}',
      '/referrals/{referralId}/accept',
      '/referrals/{referralId}/extend',
      '/referrals/{referralId}/outcome',
      '/referrals/{referralId}/reject',
    ]);
    expect(Object.keys(document.paths['/cases/{caseId}/contacts'])).toEqual(['post']);
  });

  it('shows the referral to the receiving service, then accepts it and reports the outcome the pathway goes on with', async () => {
    const { caseId, referral } = await caseAtReferral();
    expect(referral).toMatchObject({ stepId: 'cpi_referral', fromService: 'oss', toService: 'employment', status: 'pending', areaId: AREA, overdue: false });
    expect(referral.acceptDueAt).not.toBeNull();

    // Who sees it: the job centre (incoming) and the front desk (outgoing); not social services, not another area.
    const incoming = await get<Page<ReferralView>>(users.employment, '/referrals?direction=incoming&limit=100');
    expect(incoming.items.map((r) => r.referralId)).toContain(referral.referralId);
    const outgoing = await get<Page<ReferralView>>(users.oss, '/referrals?direction=outgoing&limit=100');
    expect(outgoing.items.map((r) => r.referralId)).toContain(referral.referralId);
    expect((await get<Page<ReferralView>>(users.oss, '/referrals?direction=incoming&limit=100')).items.map((r) => r.referralId)).not.toContain(referral.referralId);
    expect((await get<Page<ReferralView>>(users.social, '/referrals?limit=100')).items.map((r) => r.referralId)).not.toContain(referral.referralId);
    expectProblem(await api.request('cpi-counsellor-grosseto', { method: 'GET', url: `/referrals/${referral.referralId}` }), 404, 'not_found');
    const detail = await get<ReferralDetail>(users.employment, `/referrals/${referral.referralId}`);
    expect(detail.step?.rejectionReasons.map((r) => r.code)).toEqual(['not_activable', 'already_in_charge']);
    expect(detail.step?.outcomes.map((o) => o.code)).toEqual(['did_signed', 'no_show']);
    const caseView = await get<CaseDetail>(users.supervisor, `/cases/${caseId}`);
    expect(caseView.openStepIds).toEqual(['cpi_referral']);
    expect(caseView.data.cpi_referral).toEqual({ status: 'pending' });

    // An outcome needs acceptance first; the referring service cannot accept for the job centre.
    expectProblem(await post(users.employment, `/referrals/${referral.referralId}/outcome`, { outcome: 'did_signed' }), 409, 'conflict');
    expectProblem(await post(users.oss, `/referrals/${referral.referralId}/accept`), 403, 'forbidden');

    const accepted = await post(users.employment, `/referrals/${referral.referralId}/accept`);
    expect(accepted.statusCode).toBe(200);
    expect(json<ReferralDetail>(accepted)).toMatchObject({ status: 'accepted', respondedBy: users.employment });
    expect((await get<Page<ReferralView>>(users.employment, `/referrals?status=pending&caseId=${caseId}`)).items).toEqual([]);
    expectProblem(await post(users.employment, `/referrals/${referral.referralId}/accept`), 409, 'conflict');

    const unknown = expectProblem(await post(users.employment, `/referrals/${referral.referralId}/outcome`, { outcome: 'hired_on_mars' }), 422, 'invalid_data');
    expect(unknown.issues).toEqual([expect.objectContaining({ path: ['outcome'], location: 'body' })]);
    const reported = await post(users.employment, `/referrals/${referral.referralId}/outcome`, { outcome: 'did_signed', note: 'DID firmata allo sportello' });
    expect(reported.statusCode).toBe(200);
    expect(json<ReferralDetail>(reported)).toMatchObject({ status: 'completed', outcome: 'did_signed', outcomeBy: users.employment });

    // The pathway goes on, with the outcome in the data its rules read.
    const after = await get<CaseDetail>(users.supervisor, `/cases/${caseId}`);
    expect(after.data.cpi_referral).toEqual({ status: 'completed', outcome: 'did_signed' });
    expect(after.openStepIds).toEqual(['eligibility']);

    const timeline = await get<Page<{ type: string; actor: { id: string }; details: Record<string, unknown> }>>(users.supervisor, `/cases/${caseId}/timeline?limit=100`);
    const loop = timeline.items.filter((e) => e.type.startsWith('referral_'));
    expect(loop.map((e) => [e.type, e.actor.id])).toEqual([
      ['referral_created', users.oss],
      ['referral_accepted', users.employment],
      ['referral_outcome_recorded', users.employment],
    ]);
    expect(loop[2].details).toMatchObject({ referralId: referral.referralId, outcome: 'did_signed', note: 'DID firmata allo sportello' });

    expect(await referralRow(referral.referralId)).toMatchObject({
      case_id: caseId,
      from_service: 'oss',
      to_service: 'employment',
      status: 'completed',
      responded_by: users.employment,
      outcome: 'did_signed',
      outcome_by: users.employment,
      reason_code: null,
    });
  });

  it('accepts with the first appointment, which the referring service reads on the timeline; one in the past is refused and nothing changes', async () => {
    const { caseId, referral } = await caseAtReferral();
    const past = expectProblem(await post(users.employment, `/referrals/${referral.referralId}/accept`, { firstAppointmentAt: '2020-01-10T09:00:00.000Z' }), 422, 'invalid_data');
    expect(past.issues).toEqual([expect.objectContaining({ path: ['firstAppointmentAt'], location: 'body' })]);
    const malformed = expectProblem(await post(users.employment, `/referrals/${referral.referralId}/accept`, { firstAppointmentAt: 'tomorrow' }), 400, 'validation_error');
    expect(new Set(malformed.issues?.map((issue) => issue.path.join('.')))).toEqual(new Set(['firstAppointmentAt']));
    expect(await referralRow(referral.referralId)).toMatchObject({ status: 'pending' });

    const appointment = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const accepted = await post(users.employment, `/referrals/${referral.referralId}/accept`, { firstAppointmentAt: appointment, note: 'Colloquio al CPI' });
    expect(accepted.statusCode).toBe(200);
    expect(json<ReferralDetail>(accepted)).toMatchObject({ status: 'accepted' });
    const timeline = await get<Page<{ type: string; details: Record<string, unknown> }>>(users.oss, `/cases/${caseId}/timeline?limit=100`);
    expect(timeline.items.find((e) => e.type === 'referral_accepted')?.details).toEqual({
      referralId: referral.referralId,
      toService: 'employment',
      firstAppointmentAt: appointment,
      note: 'Colloquio al CPI',
    });
  });

  it('rejects with a reason code of the step (and only those); the case goes on and the timeline says why', async () => {
    const { caseId, referral } = await caseAtReferral();
    const missing = expectProblem(await post(users.employment, `/referrals/${referral.referralId}/reject`, {}), 400, 'validation_error');
    expect(missing.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: ['reasonCode'] })]));
    const unknown = expectProblem(await post(users.employment, `/referrals/${referral.referralId}/reject`, { reasonCode: 'too_busy' }), 422, 'invalid_data');
    expect(unknown.issues).toEqual([expect.objectContaining({ path: ['reasonCode'], message: 'one of: not_activable, already_in_charge' })]);

    const rejected = await post(users.employment, `/referrals/${referral.referralId}/reject`, { reasonCode: 'already_in_charge' });
    expect(rejected.statusCode).toBe(200);
    expect(json<ReferralDetail>(rejected)).toMatchObject({ status: 'rejected', reasonCode: 'already_in_charge' });
    expectProblem(await post(users.employment, `/referrals/${referral.referralId}/outcome`, { outcome: 'did_signed' }), 409, 'conflict');

    const after = await get<CaseDetail>(users.supervisor, `/cases/${caseId}`);
    expect(after.data.cpi_referral).toEqual({ status: 'rejected', reason: 'already_in_charge' });
    expect(after.openStepIds).toEqual(['eligibility']);
    const timeline = await get<Page<{ type: string; details: Record<string, unknown> }>>(users.oss, `/cases/${caseId}/timeline?limit=100`);
    expect(timeline.items.find((e) => e.type === 'referral_rejected')?.details).toMatchObject({ reasonCode: 'already_in_charge', toService: 'employment' });
    expect(await referralRow(referral.referralId)).toMatchObject({ status: 'rejected', reason_code: 'already_in_charge', responded_by: users.employment });
    // The referring service still sees the closed loop among its outgoing referrals.
    const outgoing = await get<Page<ReferralView>>(users.oss, `/referrals?direction=outgoing&status=rejected&caseId=${caseId}`);
    expect(outgoing.items.map((r) => r.reasonCode)).toEqual(['already_in_charge']);
  });

  it('lets only supervisors extend the acceptance deadline, recomputing its reminders and ladder', async () => {
    const { referral } = await caseAtReferral();
    expectProblem(await post(users.employment, `/referrals/${referral.referralId}/extend`, { by: { amount: 3, unit: 'workingDays' }, reason: 'Ferie' }), 403, 'forbidden');
    expectProblem(await post(users.supervisor, `/referrals/${referral.referralId}/extend`, { reason: 'Senza data' }), 400, 'validation_error');
    const extended = await post(users.supervisor, `/referrals/${referral.referralId}/extend`, { by: { amount: 3, unit: 'workingDays' }, reason: 'CPI chiuso per inventario' });
    expect(extended.statusCode).toBe(200);
    const view = json<ReferralDetail>(extended);
    expect(Date.parse(view.acceptDueAt!)).toBeGreaterThan(Date.parse(referral.acceptDueAt!));
    expect(view.escalations.every((level) => level.firedAt === null && Date.parse(level.at) > Date.parse(view.acceptDueAt!))).toBe(true);
    expect(Date.parse(view.reminders[0].at)).toBeLessThan(Date.parse(view.acceptDueAt!));
    expect(((await referralRow(referral.referralId)).accept_due_at as Date).toISOString()).toBe(view.acceptDueAt);
    // Past the new deadline the referral shows as overdue in the inbox.
    api.clock.now = new Date(Date.parse(view.acceptDueAt!) + 60_000);
    try {
      const overdue = await get<Page<ReferralView>>(users.employment, '/referrals?overdue=true&limit=100');
      expect(overdue.items.find((r) => r.referralId === referral.referralId)).toMatchObject({ overdue: true });
    } finally {
      api.clock.now = null;
    }
  });

  it('lets a supervisor skip a referral the job centre never answers: the loop is closed as cancelled and the case goes on', async () => {
    const { caseId, referral } = await caseAtReferral();
    const url = `/cases/${caseId}/interventions/skip-step`;
    expectProblem(await post(users.employment, url, { stepId: 'cpi_referral', reason: 'Nessuna risposta' }), 403, 'forbidden');
    const skipped = await post(users.supervisor, url, { stepId: 'cpi_referral', reason: 'Nessuna risposta dal CPI' });
    expect(skipped.statusCode).toBe(200);
    const after = await get<CaseDetail>(users.supervisor, `/cases/${caseId}`);
    expect(after.data.cpi_referral).toEqual({ status: 'cancelled' });
    expect(after.openStepIds).toEqual(['eligibility']);
    expect(await referralRow(referral.referralId)).toMatchObject({ status: 'cancelled' });
    expectProblem(await post(users.employment, `/referrals/${referral.referralId}/accept`), 409, 'conflict');
    const timeline = await get<Page<{ type: string; actor: { id: string }; details: Record<string, unknown> }>>(users.supervisor, `/cases/${caseId}/timeline?limit=100`);
    expect(timeline.items.filter((e) => e.type === 'referral_cancelled' || e.type === 'step_skipped').map((e) => [e.type, e.actor.id])).toEqual([
      ['referral_cancelled', users.supervisor],
      ['step_skipped', users.supervisor],
    ]);
  });

  it('shows which services have signed the joint plan and which are missing, until every one has', async () => {
    const { caseId, referral } = await caseAtReferral();
    await post(users.employment, `/referrals/${referral.referralId}/accept`);
    await post(users.employment, `/referrals/${referral.referralId}/outcome`, { outcome: 'did_signed' });
    const [first, second] = journey.filter((step) => step.stepId === 'joint_plan');
    for (const step of journey.slice(2)) {
      if (step.stepId === 'joint_plan') break;
      await complete(caseId, step.stepId, step.service, step.data);
    }
    const before = await get<CaseDetail>(users.supervisor, `/cases/${caseId}`);
    expect(before.planSignOff).toMatchObject({ stepId: 'joint_plan', required: ['social', 'employment'], signed: [], missing: ['social', 'employment'] });
    expect(before.planSignedAt).toBeNull();

    const signed = await complete(caseId, 'joint_plan', first.service, first.data);
    expect(signed.signOff).toMatchObject({ services: ['social', 'employment'], missing: ['employment'] });
    expect(signed.signOff?.signed.map((s) => s.service)).toEqual(['social']);
    const halfway = await get<CaseDetail>(users.supervisor, `/cases/${caseId}`);
    expect(halfway.planSignOff).toMatchObject({ signed: ['social'], missing: ['employment'] });
    // The job centre's inbox shows the plan waiting for its signature, and so does the case list.
    const cpiInbox = await get<Page<TaskView>>(users.employment, `/tasks?caseId=${caseId}`);
    expect(cpiInbox.items.find((t) => t.stepId === 'joint_plan')?.signOff?.missing).toEqual(['employment']);
    const list = await get<Page<CaseDetail>>(users.supervisor, `/cases?pathwayKey=${PATHWAY}&limit=100`);
    expect(list.items.find((c) => c.caseId === caseId)?.planSignOff?.missing).toEqual(['employment']);

    await complete(caseId, 'joint_plan', second.service, second.data);
    const after = await get<CaseDetail>(users.supervisor, `/cases/${caseId}`);
    expect(after.planSignOff).toBeNull();
    expect(after.planSignedAt).not.toBeNull();
    const { rows } = await api.pool.query('SELECT plan_signed_at, plan_sign_off, target_group FROM cases WHERE case_id = $1', [caseId]);
    expect(rows[0].plan_signed_at.toISOString()).toBe(after.planSignedAt);
    expect(rows[0].plan_sign_off).toBeNull();
    expect(rows[0].target_group).toBe('family_with_minors');
  });
});
