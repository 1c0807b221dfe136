/**
 * The case engine's closed-loop referrals (raise, accept or reject with a reason, outcome read by
 * rules, acceptance clocks that remind, escalate, pause and move on extension), contacts with the
 * person, and the visibility of a joint plan's signatures: pure, so months pass in microseconds.
 */
import { applyCommand, checkCommand } from '../../domain/case-command-handlers';
import type { CaseCommand } from '../../domain/case-commands';
import { batchSince, createCase, markProjected, nextWakeAt, openTasks, snapshotOf, tick } from '../../domain/case-engine';
import type { CaseWorkflowInput } from '../../domain/case-messages';
import type { Actor, CaseReferral, CaseState } from '../../domain/case-state';
import { checkPathway, type PathwayIssue } from '../../domain/pathway-checks';
import { pathwayDefinitionSchema, type PathwayDefinition, type PathwayDefinitionInput } from '../../domain/pathway-schema';
import { ossReferencePathway } from '../../infra/reference-pathway';

const t = (it: string) => ({ it });
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const services = ['outreach', 'oss', 'social', 'employment'];

type StepInput = PathwayDefinitionInput['steps'][string];

/** Social services refer the person to the job centre; the outcome routes the case. */
const referralStep = (extra: Record<string, unknown> = {}): StepInput => ({
  kind: 'referral',
  title: t('Invio al CPI'),
  from: 'social',
  to: { service: 'employment' },
  deadline: { amount: 5, unit: 'calendarDays' },
  reminders: [{ before: { amount: 1, unit: 'calendarDays' } }],
  escalation: [
    { after: { amount: 1, unit: 'calendarDays' }, role: 'supervisor' },
    { after: { amount: 3, unit: 'calendarDays' }, role: 'supervisor', reassign: true },
  ],
  rejectionReasons: [
    { code: 'not_activable', label: t('Non attivabile') },
    { code: 'wrong_area', label: t('Area sbagliata') },
  ],
  outcomes: [
    { code: 'placed', label: t('Inserito al lavoro') },
    { code: 'training', label: t('In formazione') },
  ],
  onRejected: 'social_only',
  next: 'route',
  ...extra,
});

function referralPathway(steps: Record<string, StepInput> = {}): PathwayDefinition {
  return pathwayDefinitionSchema.parse({
    key: 'referral-pathway',
    title: t('Percorso con invio'),
    caseFields: [
      { key: 'targetGroup', type: 'select', label: t('Gruppo'), options: [{ value: 'homeless', label: t('Senza dimora') }] },
    ],
    start: 'intake',
    steps: {
      intake: { kind: 'task', title: t('Accoglienza'), assignee: { service: 'oss' }, next: 'refer_cpi' },
      refer_cpi: referralStep(),
      route: {
        kind: 'decision',
        title: t('Esito'),
        rules: [{ when: { field: 'refer_cpi.outcome', op: 'eq', value: 'placed' }, next: 'done_job' }],
        otherwise: 'plan',
      },
      plan: {
        kind: 'task',
        title: t('Patto'),
        assignee: { service: 'social' },
        signOff: { services: ['social', 'employment'] },
        form: { fields: [{ key: 'goals', label: t('Obiettivi'), type: 'textarea', required: true }] },
        next: 'done',
      },
      social_only: { kind: 'task', title: t('Solo sociale'), assignee: { service: 'social' }, next: 'done' },
      done_job: { kind: 'end', title: t('Lavoro'), outcome: 'job' },
      done: { kind: 'end', title: t('Fine'), outcome: 'autonomy' },
      ...steps,
    },
  });
}

const livorno = (id: string, svc: string[], roles: Actor['roles'] = ['operator']): Actor => ({ id, kind: 'user', roles, areas: ['livorno'], services: svc });
const desk = livorno('u-desk', ['oss']);
const social = livorno('u-social', ['social']);
const cpi = livorno('u-cpi', ['employment']);
const supervisor = livorno('u-sup', [], ['supervisor']);
const auditor = livorno('u-audit', [], ['auditor']);
const grossetoCpi: Actor = { id: 'u-gr', kind: 'user', roles: ['operator'], areas: ['grosseto'], services: ['employment'] };

const START = Date.parse('2026-03-02T09:00:00.000Z'); // a Monday

function startCase(definition = referralPathway(), caseData: CaseWorkflowInput['caseData'] = { targetGroup: 'homeless' }) {
  const input: CaseWorkflowInput = {
    caseId: '11111111-2222-4333-8444-555555555555',
    reference: 'RT-LI-REF001',
    areaId: 'livorno',
    startedAt: new Date(START).toISOString(),
    startedBy: { id: desk.id, kind: 'user' },
    caseData,
    pathway: { key: definition.key, version: 1, definition },
    localHolidays: [],
  };
  return { state: createCase(input).state, definition };
}

function run(state: CaseState, definition: PathwayDefinition, actor: Actor, command: CaseCommand, at: number): void {
  const rejection = checkCommand(state, definition, { actor, command });
  if (rejection) throw Object.assign(new Error(`${rejection.type}: ${rejection.message}`), { rejection });
  applyCommand(state, definition, { actor, command }, new Date(at));
}

const rejectionOf = (state: CaseState, definition: PathwayDefinition, actor: Actor, command: CaseCommand) => checkCommand(state, definition, { actor, command });

const openTask = (state: CaseState, stepId: string) => {
  const task = openTasks(state).find((candidate) => candidate.stepId === stepId);
  if (!task) throw new Error(`no open task for ${stepId}`);
  return task;
};

/** Starts a case and completes intake an hour later: the referral is raised then. */
function caseWithReferral(definition = referralPathway()): { state: CaseState; definition: PathwayDefinition; referral: CaseReferral } {
  const { state } = startCase(definition);
  run(state, definition, desk, { kind: 'completeTask', taskId: openTask(state, 'intake').id, data: {} }, START + HOUR);
  const referral = state.referrals?.find((r) => r.status === 'pending');
  if (!referral) throw new Error('no referral raised');
  return { state, definition, referral };
}

const eventTypes = (state: CaseState) => state.pendingEvents.map((e) => e.type);

describe('referral steps: static checks', () => {
  const issuesOf = (def: PathwayDefinition): PathwayIssue[] => checkPathway(def, { services });

  it('passes a pathway whose rules read the referral outcome, and a copy of the reference pathway with a referral added', () => {
    expect(issuesOf(referralPathway())).toEqual([]);
    const reference = structuredClone(ossReferencePathway);
    const steps = reference.steps;
    // After the joint plan, social services refer the person to the job centre before the follow-up starts.
    steps.cpi_referral = referralStep({ onRejected: undefined, next: (steps.joint_plan as { next?: string }).next });
    (steps.joint_plan as { next?: string }).next = 'cpi_referral';
    expect(issuesOf(pathwayDefinitionSchema.parse(reference))).toEqual([]);
  });

  it('reports unknown services, a referral back to its own service, missing targets and unknown referral fields, each at its path', () => {
    const def = referralPathway({
      refer_cpi: referralStep({ from: 'housing', to: { service: 'nowhere' }, onRejected: 'ghost', escalation: [{ after: { amount: 1, unit: 'hours' }, role: 'supervisor', service: 'mars' }] }),
      self: referralStep({ from: 'social', to: { service: 'social' }, onRejected: undefined, next: undefined }),
      route: {
        kind: 'decision',
        title: t('Esito'),
        rules: [
          { when: { field: 'refer_cpi.outcome', op: 'eq', value: 'astronaut' }, next: 'done_job' },
          { when: { field: 'refer_cpi.mood', op: 'exists' }, next: 'self' },
        ],
        otherwise: 'plan',
      },
    });
    const found = issuesOf(def).map((issue) => [issue.path.join('.'), issue.code]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['steps.refer_cpi.from', 'unknown_service'],
        ['steps.refer_cpi.to.service', 'missing_assignee'],
        ['steps.refer_cpi.escalation.0.service', 'unknown_service'],
        ['steps.refer_cpi.onRejected', 'unknown_step'],
        ['steps.self.to.service', 'referral_service'],
        ['steps.self', 'dangling_end'],
        ['steps.route.rules.0.when.value', 'invalid_condition'],
        ['steps.route.rules.1.when.field', 'unknown_field'],
      ]),
    );
  });

  it('refuses reminders without an acceptance deadline, and a document without rejection reasons', () => {
    const noDeadline = referralPathway({ refer_cpi: referralStep({ deadline: undefined }) });
    expect(issuesOf(noDeadline).map((i) => [i.path.join('.'), i.code])).toEqual([['steps.refer_cpi.deadline', 'missing_deadline']]);
    const parsed = pathwayDefinitionSchema.safeParse({ ...referralPathway(), steps: { ...referralPathway().steps, refer_cpi: referralStep({ rejectionReasons: [] }) } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].path).toEqual(['steps', 'refer_cpi', 'rejectionReasons']);
  });
});

describe('referrals in the case engine', () => {
  it('raises a pending referral that the case shows as open, with its acceptance deadline and the data rules read', () => {
    const { state, definition } = startCase();
    const before = state.seq;
    run(state, definition, desk, { kind: 'completeTask', taskId: openTask(state, 'intake').id, data: {} }, START + HOUR);
    const batch = batchSince(state, before);
    expect(batch.referrals).toHaveLength(1);
    const [referral] = batch.referrals!;
    expect(referral).toMatchObject({ stepId: 'refer_cpi', fromService: 'social', toService: 'employment', role: 'operator', status: 'pending', areaId: 'livorno' });
    expect(Date.parse(referral.acceptDueAt!)).toBeGreaterThan(START + 5 * DAY);
    expect(batch.events.map((e) => e.type)).toEqual(['task_completed', 'referral_created']);
    expect(batch.events[1].details).toMatchObject({ referralId: referral.id, toService: 'employment', acceptDueAt: referral.acceptDueAt });
    expect(batch.snapshot.openStepIds).toEqual(['refer_cpi']);
    expect(batch.snapshot.nextDeadline).toBe(referral.acceptDueAt);
    expect(state.data.refer_cpi).toEqual({ status: 'pending' });
    // No task is raised for a referral: it lives in the referral inbox of the receiving service.
    expect(openTasks(state)).toHaveLength(0);
  });

  it('lets only the receiving service (or a supervisor of the area) answer', () => {
    const { state, definition, referral } = caseWithReferral();
    const accept: CaseCommand = { kind: 'acceptReferral', referralId: referral.id };
    expect(rejectionOf(state, definition, social, accept)?.type).toBe('forbidden');
    expect(rejectionOf(state, definition, desk, accept)?.type).toBe('forbidden');
    expect(rejectionOf(state, definition, grossetoCpi, accept)?.type).toBe('forbidden');
    expect(rejectionOf(state, definition, auditor, accept)?.type).toBe('forbidden');
    expect(rejectionOf(state, definition, cpi, accept)).toBeNull();
    expect(rejectionOf(state, definition, supervisor, accept)).toBeNull();
    expect(rejectionOf(state, definition, cpi, { kind: 'acceptReferral', referralId: 'nope' })?.type).toBe('not_found');
  });

  it('accepts, refuses an outcome outside the step list, then routes the case on the reported outcome', () => {
    const { state, definition, referral } = caseWithReferral();
    const outcome = (code: string): CaseCommand => ({ kind: 'recordReferralOutcome', referralId: referral.id, outcome: code });
    expect(rejectionOf(state, definition, cpi, outcome('placed'))?.type).toBe('conflict');
    run(state, definition, cpi, { kind: 'acceptReferral', referralId: referral.id, note: 'Colloquio fissato' }, START + DAY);
    expect(referral).toMatchObject({ status: 'accepted', respondedBy: cpi.id });
    expect(state.data.refer_cpi).toEqual({ status: 'accepted' });
    // Accepted: no clock runs any more, and a second answer conflicts.
    expect(nextWakeAt(state)).toBeNull();
    expect(rejectionOf(state, definition, cpi, { kind: 'rejectReferral', referralId: referral.id, reasonCode: 'wrong_area' })?.type).toBe('conflict');
    const unknown = rejectionOf(state, definition, cpi, outcome('astronaut'));
    expect(unknown).toMatchObject({ type: 'invalid_data', issues: [{ path: ['outcome'], message: 'one of: placed, training' }] });
    run(state, definition, cpi, outcome('placed'), START + 30 * DAY);
    expect(state.data.refer_cpi).toEqual({ status: 'completed', outcome: 'placed' });
    // The decision read `refer_cpi.outcome`: placed → closed with a job.
    expect(state.status).toBe('closed');
    expect(state.outcome).toBe('job');
    expect(eventTypes(state)).toEqual(expect.arrayContaining(['referral_created', 'referral_accepted', 'referral_outcome_recorded', 'decision_taken', 'case_closed']));
    expect(state.pendingEvents.find((e) => e.type === 'referral_accepted')?.details).toMatchObject({ referralId: referral.id, note: 'Colloquio fissato' });
  });

  it('takes any other outcome to the joint plan', () => {
    const { state, definition, referral } = caseWithReferral();
    run(state, definition, cpi, { kind: 'acceptReferral', referralId: referral.id }, START + DAY);
    run(state, definition, cpi, { kind: 'recordReferralOutcome', referralId: referral.id, outcome: 'training' }, START + 2 * DAY);
    expect(snapshotOf(state).openStepIds).toEqual(['plan']);
  });

  it('rejects with a reason code from the step list only, and goes to onRejected', () => {
    const { state, definition, referral } = caseWithReferral();
    const bad = rejectionOf(state, definition, cpi, { kind: 'rejectReferral', referralId: referral.id, reasonCode: 'busy' });
    expect(bad).toMatchObject({ type: 'invalid_data', issues: [{ path: ['reasonCode'] }] });
    run(state, definition, cpi, { kind: 'rejectReferral', referralId: referral.id, reasonCode: 'not_activable', note: 'Invalidità certificata' }, START + DAY);
    expect(referral).toMatchObject({ status: 'rejected', reasonCode: 'not_activable', respondedBy: cpi.id });
    expect(state.data.refer_cpi).toEqual({ status: 'rejected', reason: 'not_activable' });
    expect(snapshotOf(state).openStepIds).toEqual(['social_only']);
    expect(state.pendingEvents.find((e) => e.type === 'referral_rejected')?.details).toMatchObject({ reasonCode: 'not_activable', note: 'Invalidità certificata' });
    expect(rejectionOf(state, definition, cpi, { kind: 'recordReferralOutcome', referralId: referral.id, outcome: 'placed' })?.type).toBe('conflict');
  });

  it('without onRejected, continues at next with status "rejected" for the rules', () => {
    const definition = referralPathway({
      refer_cpi: referralStep({ onRejected: undefined, next: 'after_refusal' }),
      after_refusal: {
        kind: 'decision',
        title: t('Rifiutato?'),
        rules: [{ when: { field: 'refer_cpi.status', op: 'eq', value: 'rejected' }, next: 'social_only' }],
        otherwise: 'route',
      },
    });
    expect(checkPathway(definition, { services })).toEqual([]);
    const { state, referral } = caseWithReferral(definition);
    run(state, definition, supervisor, { kind: 'rejectReferral', referralId: referral.id, reasonCode: 'wrong_area' }, START + DAY);
    expect(state.pendingEvents.find((e) => e.type === 'decision_taken' && e.stepId === 'after_refusal')?.details).toEqual({ rule: 0, next: 'social_only' });
    expect(snapshotOf(state).openStepIds).toEqual(['social_only']);
  });

  it('reminds before the acceptance deadline and climbs its escalation ladder after it, reassigning at level 2', () => {
    const { state, definition, referral } = caseWithReferral();
    const due = Date.parse(referral.acceptDueAt!);
    expect(nextWakeAt(state)!.getTime()).toBe(Date.parse(referral.reminders[0].at));
    tick(state, definition, new Date(due - 12 * HOUR));
    expect(referral.reminders[0].firedAt).not.toBeNull();
    tick(state, definition, new Date(due + 2 * DAY));
    expect(referral.escalationLevel).toBe(1);
    expect(snapshotOf(state).escalationLevel).toBe(1);
    tick(state, definition, new Date(due + 4 * DAY));
    expect(referral.escalationLevel).toBe(2);
    // Level 2 reassigns: the job centre's area manager answers now, its operators no longer may
    // (a coordinator cannot answer referrals at all, so the static checks refuse a ladder that reassigns to one).
    expect(referral.role).toBe('supervisor');
    expect(rejectionOf(state, definition, cpi, { kind: 'acceptReferral', referralId: referral.id })?.type).toBe('forbidden');
    expect(rejectionOf(state, definition, supervisor, { kind: 'acceptReferral', referralId: referral.id })).toBeNull();
    expect(nextWakeAt(state)).toBeNull();
    const escalations = state.pendingEvents.filter((e) => e.type === 'referral_escalated');
    expect(escalations.map((e) => [e.details.level, e.details.role, e.details.service])).toEqual([
      [1, 'supervisor', 'employment'],
      [2, 'supervisor', 'employment'],
    ]);
    expect(eventTypes(state).filter((type) => type === 'referral_reminder_due')).toHaveLength(1);
  });

  it('recomputes the reminders and restarts the ladder when a supervisor extends the acceptance deadline', () => {
    const { state, definition, referral } = caseWithReferral();
    const due = Date.parse(referral.acceptDueAt!);
    tick(state, definition, new Date(due + 2 * DAY));
    expect(referral.escalationLevel).toBe(1);
    const extend = (extra: Partial<Extract<CaseCommand, { kind: 'extendReferralDeadline' }>>): CaseCommand => ({
      kind: 'extendReferralDeadline',
      referralId: referral.id,
      reason: 'CPI chiuso per inventario',
      ...extra,
    });
    expect(rejectionOf(state, definition, cpi, extend({ by: { amount: 7, unit: 'calendarDays' } }))?.type).toBe('forbidden');
    expect(rejectionOf(state, definition, supervisor, extend({ newDueAt: new Date(due - DAY).toISOString() }))?.issues?.[0].path).toEqual(['newDueAt']);
    run(state, definition, supervisor, extend({ by: { amount: 7, unit: 'calendarDays' } }), due + 2 * DAY);
    expect(Date.parse(referral.acceptDueAt!)).toBe(due + 7 * DAY);
    expect(referral.escalationLevel).toBe(0);
    expect(referral.escalations.every((level) => level.firedAt === null && Date.parse(level.at) > Date.parse(referral.acceptDueAt!))).toBe(true);
    expect(referral.reminders).toHaveLength(1);
    expect(referral.reminders[0].firedAt).toBeNull();
    expect(state.pendingEvents.at(-1)).toMatchObject({ type: 'referral_deadline_extended', details: { previousDueAt: new Date(due).toISOString(), reason: 'CPI chiuso per inventario' } });
  });

  it('pauses the acceptance clock while the case is suspended', () => {
    const { state, definition, referral } = caseWithReferral();
    const due = Date.parse(referral.acceptDueAt!);
    run(state, definition, social, { kind: 'suspendCase', reason: 'persona irreperibile' }, START + 2 * HOUR);
    tick(state, definition, new Date(due + 10 * DAY));
    expect(referral.escalationLevel).toBe(0);
    expect(rejectionOf(state, definition, cpi, { kind: 'acceptReferral', referralId: referral.id })?.type).toBe('case_not_active');
    const before = state.seq;
    run(state, definition, social, { kind: 'resumeCase' }, START + 2 * HOUR + 4 * DAY);
    expect(Date.parse(referral.acceptDueAt!)).toBe(due + 4 * DAY);
    // The shifted deadline reaches the read model with the resume.
    expect(batchSince(state, before).referrals?.map((r) => r.acceptDueAt)).toEqual([referral.acceptDueAt]);
  });

  it('cancels open referrals when the case closes, and forgets them once projected', () => {
    const { state, definition, referral } = caseWithReferral();
    run(state, definition, supervisor, { kind: 'cancelCase', reason: 'trasferito fuori regione' }, START + DAY);
    expect(referral.status).toBe('cancelled');
    expect(state.pendingEvents.find((e) => e.type === 'referral_cancelled')?.details).toEqual({ referralId: referral.id, because: 'case_cancelled' });
    markProjected(state, state.seq);
    expect(state.referrals).toEqual([]);
  });

  it('moves open referrals with a transfer to another area', () => {
    const { state, definition, referral } = caseWithReferral();
    run(state, definition, supervisor, { kind: 'transferCase', areaId: 'lucca', reason: 'trasferito a Lucca', localHolidays: [] }, START + DAY);
    expect(referral.areaId).toBe('lucca');
    const luccaCpi: Actor = { ...cpi, id: 'u-cpi-lu', areas: ['lucca'] };
    expect(rejectionOf(state, definition, luccaCpi, { kind: 'acceptReferral', referralId: referral.id })).toBeNull();
    expect(rejectionOf(state, definition, cpi, { kind: 'acceptReferral', referralId: referral.id })?.type).toBe('forbidden');
  });

  it('handles a state recorded before referrals and contacts existed', () => {
    const { state, definition } = startCase();
    delete state.referrals;
    delete state.lastContactAt;
    delete state.planSignedAt;
    expect(snapshotOf(state)).toMatchObject({ lastContactAt: null, planSignedAt: null, planSignOff: null });
    expect(batchSince(state, 0).referrals).toEqual([]);
    markProjected(state, state.seq);
    run(state, definition, desk, { kind: 'completeTask', taskId: openTask(state, 'intake').id, data: {} }, START + HOUR);
    expect(state.referrals).toHaveLength(1);
  });
});

describe('skipping a referral step (supervisors)', () => {
  it('cancels the referral nobody answered, records why, and moves on with status "cancelled" for the rules', () => {
    const definition = referralPathway({
      refer_cpi: referralStep({ next: 'after_skip' }),
      after_skip: {
        kind: 'decision',
        title: t('Saltato?'),
        rules: [{ when: { field: 'refer_cpi.status', op: 'eq', value: 'cancelled' }, next: 'social_only' }],
        otherwise: 'route',
      },
    });
    expect(checkPathway(definition, { services })).toEqual([]);
    const { state, referral } = caseWithReferral(definition);
    const skip: CaseCommand = { kind: 'skipStep', stepId: 'refer_cpi', reason: 'Il CPI non risponde da settimane' };
    expect(rejectionOf(state, definition, cpi, skip)?.type).toBe('forbidden');
    run(state, definition, supervisor, skip, START + 10 * DAY);
    expect(referral.status).toBe('cancelled');
    expect(state.data.refer_cpi).toEqual({ status: 'cancelled' });
    const cancelled = state.pendingEvents.find((e) => e.type === 'referral_cancelled');
    expect(cancelled).toMatchObject({ stepId: 'refer_cpi', actor: { id: supervisor.id }, details: { referralId: referral.id, because: 'step_skipped' } });
    expect(state.pendingEvents.find((e) => e.type === 'step_skipped')?.details).toEqual({ reason: 'Il CPI non risponde da settimane', next: null });
    expect(snapshotOf(state).openStepIds).toEqual(['social_only']);
    // Its clocks stop with it, and it can no longer be answered.
    expect(snapshotOf(state).nextDeadline).toBe(openTask(state, 'social_only').dueAt);
    expect(rejectionOf(state, definition, cpi, { kind: 'acceptReferral', referralId: referral.id })?.type).toBe('conflict');
  });

  it('refuses a "next" that would take a line out of a parallel branch, or into one', () => {
    const definition = referralPathway({
      intake: { kind: 'task', title: t('Accoglienza'), assignee: { service: 'oss' }, next: 'checks' },
      checks: { kind: 'parallel', title: t('Verifiche'), branches: ['social_check', 'job_check'], next: 'refer_cpi' },
      social_check: { kind: 'task', title: t('Sociale'), assignee: { service: 'social' } },
      job_check: { kind: 'task', title: t('Lavoro'), assignee: { service: 'employment' } },
    });
    const { state } = startCase(definition);
    const intoBranch = rejectionOf(state, definition, supervisor, { kind: 'skipStep', stepId: 'intake', next: 'job_check', reason: 'Solo lavoro' });
    expect(intoBranch).toMatchObject({ type: 'invalid_data', issues: [{ path: ['next'] }] });
    run(state, definition, desk, { kind: 'completeTask', taskId: openTask(state, 'intake').id, data: {} }, START + HOUR);
    const before = JSON.stringify(state);
    const outOfBranch = rejectionOf(state, definition, supervisor, { kind: 'skipStep', stepId: 'social_check', next: 'plan', reason: 'Direttamente al patto' });
    expect(outOfBranch).toMatchObject({ type: 'invalid_data', issues: [{ path: ['next'] }] });
    expect(JSON.stringify(state)).toBe(before);
    // Without "next" the branch ends and joins as if completed.
    run(state, definition, supervisor, { kind: 'skipStep', stepId: 'social_check', reason: 'Non serve' }, START + 2 * HOUR);
    run(state, definition, supervisor, { kind: 'skipStep', stepId: 'job_check', reason: 'Non serve' }, START + 2 * HOUR);
    expect(snapshotOf(state).openStepIds).toEqual(['refer_cpi']);
  });
});

describe('contacts with the person', () => {
  const contact = (outcome: 'reached' | 'failed_attempt', at: number, extra: Record<string, unknown> = {}): CaseCommand =>
    ({ kind: 'recordContact', outcome, channel: 'phone', at: new Date(at).toISOString(), ...extra });

  it('records contacts and failed attempts on the timeline; only a successful one moves lastContactAt, and never back', () => {
    const { state, definition } = startCase();
    expect(snapshotOf(state).lastContactAt).toBeNull();
    run(state, definition, desk, contact('failed_attempt', START + HOUR), START + 2 * HOUR);
    expect(snapshotOf(state).lastContactAt).toBeNull();
    run(state, definition, desk, contact('reached', START + 3 * HOUR, { channel: 'visit', note: 'Incontrato in stazione' }), START + 4 * HOUR);
    expect(snapshotOf(state).lastContactAt).toBe(new Date(START + 3 * HOUR).toISOString());
    // A contact recorded late, for an earlier day, does not move the last contact back.
    run(state, definition, desk, contact('reached', START + HOUR), START + 5 * HOUR);
    expect(snapshotOf(state).lastContactAt).toBe(new Date(START + 3 * HOUR).toISOString());
    const contacts = state.pendingEvents.filter((e) => e.type === 'contact_recorded');
    expect(contacts.map((e) => e.details)).toEqual([
      { outcome: 'failed_attempt', channel: 'phone', at: new Date(START + HOUR).toISOString() },
      { outcome: 'reached', channel: 'visit', at: new Date(START + 3 * HOUR).toISOString(), note: 'Incontrato in stazione' },
      { outcome: 'reached', channel: 'phone', at: new Date(START + HOUR).toISOString() },
    ]);
    // A contact is not progress on the pathway.
    expect(snapshotOf(state).lastProgressAt).toBe(new Date(START).toISOString());
  });

  it('never records a contact later than the moment it is applied', () => {
    const { state, definition } = startCase();
    run(state, definition, desk, contact('reached', START + 2 * DAY), START + DAY);
    expect(snapshotOf(state).lastContactAt).toBe(new Date(START + DAY).toISOString());
  });

  it('is allowed while suspended (the person cannot be reached), refused when closed or out of scope', () => {
    const { state, definition } = startCase();
    run(state, definition, desk, { kind: 'suspendCase', reason: 'irreperibile' }, START + HOUR);
    expect(rejectionOf(state, definition, desk, contact('failed_attempt', START + 2 * HOUR))).toBeNull();
    expect(rejectionOf(state, definition, auditor, contact('reached', START + 2 * HOUR))?.type).toBe('forbidden');
    expect(rejectionOf(state, definition, grossetoCpi, contact('reached', START + 2 * HOUR))?.type).toBe('forbidden');
    run(state, definition, supervisor, { kind: 'cancelCase', reason: 'deceduto' }, START + 3 * HOUR);
    expect(rejectionOf(state, definition, desk, contact('reached', START + 2 * HOUR))?.type).toBe('case_not_active');
  });
});

describe('joint plan sign-off and reporting facts', () => {
  it('shows which services signed and which are missing, and dates the plan once every named service has signed', () => {
    const { state, definition, referral } = caseWithReferral();
    run(state, definition, cpi, { kind: 'acceptReferral', referralId: referral.id }, START + DAY);
    run(state, definition, cpi, { kind: 'recordReferralOutcome', referralId: referral.id, outcome: 'training' }, START + 2 * DAY);
    const plan = openTask(state, 'plan');
    expect(snapshotOf(state)).toMatchObject({
      planSignedAt: null,
      planSignOff: { taskId: plan.id, stepId: 'plan', required: ['social', 'employment'], signed: [], missing: ['social', 'employment'] },
    });
    run(state, definition, social, { kind: 'completeTask', taskId: plan.id, data: { goals: 'Casa e lavoro' } }, START + 3 * DAY);
    expect(snapshotOf(state)).toMatchObject({ planSignedAt: null, planSignOff: { signed: ['social'], missing: ['employment'] } });
    run(state, definition, cpi, { kind: 'completeTask', taskId: plan.id, data: {} }, START + 4 * DAY);
    expect(snapshotOf(state)).toMatchObject({ planSignedAt: new Date(START + 4 * DAY).toISOString(), planSignOff: null });
  });

  it('carries the target group of the start data as a reporting code', () => {
    expect(snapshotOf(startCase().state).targetGroup).toBe('homeless');
    expect(snapshotOf(startCase(referralPathway(), {}).state).targetGroup).toBeNull();
  });
});
