/**
 * Supervisor interventions on the pure engine: skip, reopen, move to a step, and migration to a
 * newer pathway version with a step mapping, including every refusal (which must change nothing).
 */
import { applyCommand, checkCommand } from '../../domain/case-command-handlers';
import type { CaseCommand } from '../../domain/case-commands';
import { createCase, nextWakeAt, openTasks, snapshotOf, tick } from '../../domain/case-engine';
import { checkMigration } from '../../domain/case-migration';
import type { Actor, CaseState } from '../../domain/case-state';
import { pathwayDefinitionSchema, type PathwayDefinition, type PathwayDefinitionInput } from '../../domain/pathway-schema';

const t = (it: string) => ({ it });
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = '2026-03-02T09:00:00.000Z'; // a Monday

type Steps = PathwayDefinitionInput['steps'];

const baseSteps: Steps = {
  intake: {
    kind: 'task',
    title: t('Accoglienza'),
    assignee: { service: 'oss' },
    form: {
      fields: [
        { key: 'alias', label: t('Alias'), type: 'text', required: true },
        { key: 'housing', label: t('Casa'), type: 'select', options: [{ value: 'none', label: t('Nessuna') }, { value: 'shelter', label: t('Dormitorio') }] },
      ],
    },
    deadline: { amount: 10, unit: 'calendarDays' },
    reminders: [{ before: { amount: 2, unit: 'calendarDays' } }],
    escalation: [{ after: { amount: 1, unit: 'calendarDays' }, role: 'supervisor' }],
    next: 'assessment',
  },
  assessment: {
    kind: 'task',
    title: t('Valutazione'),
    assignee: { service: 'social' },
    form: { fields: [{ key: 'complex', label: t('Complesso'), type: 'boolean', required: true }] },
    deadline: { amount: 30, unit: 'calendarDays' },
    reminders: [{ before: { amount: 5, unit: 'calendarDays' } }],
    escalation: [
      { after: { amount: 1, unit: 'calendarDays' }, role: 'supervisor' },
      { after: { amount: 5, unit: 'calendarDays' }, role: 'coordinator' },
    ],
    next: 'checks',
  },
  checks: { kind: 'parallel', title: t('Verifiche'), branches: ['social_check', 'job_check'], next: 'pause' },
  social_check: { kind: 'task', title: t('Sociale'), assignee: { service: 'social' } },
  job_check: { kind: 'task', title: t('Lavoro'), assignee: { service: 'employment' } },
  pause: { kind: 'wait', title: t('Attesa'), for: { amount: 3, unit: 'calendarDays' }, next: 'plan' },
  plan: {
    kind: 'task',
    title: t('Patto'),
    assignee: { service: 'social' },
    signOff: { services: ['social', 'employment'] },
    form: { fields: [{ key: 'goals', label: t('Obiettivi'), type: 'textarea', required: true }] },
    next: 'done',
  },
  done: { kind: 'end', title: t('Chiuso'), outcome: 'autonomy' },
};

function pathway(steps: Steps = baseSteps, extra: Partial<PathwayDefinitionInput> = {}): PathwayDefinition {
  return pathwayDefinitionSchema.parse({ key: 'test-pathway', title: t('Prova'), start: 'intake', steps, ...extra });
}

const livorno = (id: string, services: string[], roles: Actor['roles'] = ['operator']): Actor => ({ id, kind: 'user', roles, areas: ['livorno'], services });
const desk = livorno('u-desk', ['oss']);
const social = livorno('u-social', ['social']);
const cpi = livorno('u-cpi', ['employment']);
const supervisor = livorno('u-sup', [], ['supervisor']);
const coordinator = livorno('u-coord', [], ['coordinator']);
const grossetoSupervisor: Actor = { id: 'u-sup-gr', kind: 'user', roles: ['supervisor'], areas: ['grosseto'], services: [] };

function startCase(definition = pathway()): CaseState {
  return createCase({
    caseId: '11111111-2222-4333-8444-555555555555',
    reference: 'RT-LI-TEST02',
    areaId: 'livorno',
    startedAt: START,
    startedBy: { id: desk.id, kind: 'user' },
    caseData: {},
    pathway: { key: definition.key, version: 1, definition },
    localHolidays: [],
  }).state;
}

const at = (ms: number) => new Date(Date.parse(START) + ms);

function run(state: CaseState, definition: PathwayDefinition, actor: Actor, command: CaseCommand, when: Date): void {
  const rejection = checkCommand(state, definition, { actor, command });
  if (rejection) throw Object.assign(new Error(rejection.message), { rejection });
  applyCommand(state, definition, { actor, command }, when);
}

/** Asserts a refusal of this type that leaves the state exactly as it was. */
function expectRefused(state: CaseState, definition: PathwayDefinition, actor: Actor, command: CaseCommand, type: string) {
  const before = JSON.stringify(state);
  const rejection = checkCommand(state, definition, { actor, command });
  expect(rejection?.type).toBe(type);
  expect(JSON.stringify(state)).toBe(before);
  return rejection!;
}

const openTask = (state: CaseState, stepId: string) => {
  const task = openTasks(state).find((candidate) => candidate.stepId === stepId);
  if (!task) throw new Error(`no open task for ${stepId}; open: ${openTasks(state).map((x) => x.stepId).join(',')}`);
  return task;
};
const eventsOf = (state: CaseState, type: string) => state.pendingEvents.filter((event) => event.type === type);

/** Completes intake so the case stands on assessment. */
function atAssessment(definition = pathway()): CaseState {
  const state = startCase(definition);
  run(state, definition, desk, { kind: 'completeTask', taskId: openTask(state, 'intake').id, data: { alias: 'M.', housing: 'shelter' } }, at(HOUR));
  return state;
}

describe('skipStep', () => {
  it('cancels the open task as skipped and moves on as if completed with no data', () => {
    const definition = pathway();
    const state = startCase(definition);
    const task = openTask(state, 'intake');
    run(state, definition, supervisor, { kind: 'skipStep', stepId: 'intake', reason: 'Già noto al servizio' }, at(HOUR));
    expect(state.tasks.find((x) => x.id === task.id)?.status).toBe('cancelled');
    expect(openTasks(state).map((x) => x.stepId)).toEqual(['assessment']);
    expect(state.data.intake).toBeUndefined();
    const [skipped] = eventsOf(state, 'step_skipped');
    expect(skipped).toMatchObject({ stepId: 'intake', taskId: task.id, actor: { id: supervisor.id, kind: 'user' }, details: { reason: 'Già noto al servizio', next: null } });
  });

  it('goes to a given next step instead, and skips a wait', () => {
    const definition = pathway();
    const state = atAssessment(definition);
    run(state, definition, supervisor, { kind: 'skipStep', stepId: 'assessment', next: 'pause', reason: 'Valutazione già fatta' }, at(2 * HOUR));
    expect(openTasks(state)).toEqual([]);
    expect(snapshotOf(state).openStepIds).toEqual(['pause']);
    run(state, definition, supervisor, { kind: 'skipStep', stepId: 'pause', reason: 'Persona pronta' }, at(3 * HOUR));
    expect(openTasks(state).map((x) => x.stepId)).toEqual(['plan']);
  });

  it('refuses operators, other areas, steps that are not open, unknown steps and closed cases', () => {
    const definition = pathway();
    const state = startCase(definition);
    expectRefused(state, definition, desk, { kind: 'skipStep', stepId: 'intake', reason: 'Non posso' }, 'forbidden');
    expectRefused(state, definition, grossetoSupervisor, { kind: 'skipStep', stepId: 'intake', reason: 'Altra zona' }, 'forbidden');
    expectRefused(state, definition, supervisor, { kind: 'skipStep', stepId: 'assessment', reason: 'Non aperto' }, 'conflict');
    const unknown = expectRefused(state, definition, supervisor, { kind: 'skipStep', stepId: 'nowhere', reason: 'Sbagliato' }, 'invalid_data');
    expect(unknown.issues?.[0].path).toEqual(['stepId']);
    const badNext = expectRefused(state, definition, supervisor, { kind: 'skipStep', stepId: 'intake', next: 'nowhere', reason: 'Sbagliato' }, 'invalid_data');
    expect(badNext.issues?.[0].path).toEqual(['next']);
    run(state, definition, supervisor, { kind: 'cancelCase', reason: 'Trasferito' }, at(HOUR));
    expectRefused(state, definition, supervisor, { kind: 'skipStep', stepId: 'intake', reason: 'Troppo tardi' }, 'case_not_active');
  });

  it('refuses to skip a parallel step that is joining (its branches are the open steps)', () => {
    const definition = pathway();
    const state = atAssessment(definition);
    run(state, definition, social, { kind: 'completeTask', taskId: openTask(state, 'assessment').id, data: { complex: true } }, at(2 * HOUR));
    expect(openTasks(state).map((x) => x.stepId).sort()).toEqual(['job_check', 'social_check']);
    expectRefused(state, definition, supervisor, { kind: 'skipStep', stepId: 'checks', reason: 'Salta tutto' }, 'conflict');
    // Skipping both branches joins the parallel step like completing them would.
    run(state, definition, supervisor, { kind: 'skipStep', stepId: 'social_check', reason: 'Non serve' }, at(3 * HOUR));
    run(state, definition, supervisor, { kind: 'skipStep', stepId: 'job_check', reason: 'Non serve' }, at(3 * HOUR));
    expect(eventsOf(state, 'branches_joined')).toHaveLength(1);
    expect(snapshotOf(state).openStepIds).toEqual(['pause']);
  });
});

describe('reopenStep', () => {
  it('raises a completed step again with a fresh deadline; completing it corrects the data without running the chain again', () => {
    const definition = pathway();
    const state = atAssessment(definition);
    const reopenedAt = at(5 * DAY);
    run(state, definition, supervisor, { kind: 'reopenStep', stepId: 'intake', reason: 'Dati abitativi errati' }, reopenedAt);
    const again = openTask(state, 'intake');
    expect(again.createdAt).toBe(reopenedAt.toISOString());
    // Ten calendar days from the reopening, not from the original task.
    expect(Date.parse(again.dueAt!)).toBeGreaterThan(reopenedAt.getTime() + 9 * DAY);
    expect(Date.parse(again.dueAt!)).toBeLessThan(reopenedAt.getTime() + 11 * DAY);
    expect(eventsOf(state, 'step_reopened')[0]).toMatchObject({ stepId: 'intake', actor: { id: supervisor.id }, details: { reason: 'Dati abitativi errati' } });
    expect(openTasks(state).map((x) => x.stepId).sort()).toEqual(['assessment', 'intake']);

    run(state, definition, desk, { kind: 'completeTask', taskId: again.id, data: { alias: 'M.', housing: 'none' } }, at(6 * DAY));
    expect(state.data.intake).toEqual({ alias: 'M.', housing: 'none' });
    // Assessment is still the only open step: no second assessment task.
    expect(openTasks(state).map((x) => x.stepId)).toEqual(['assessment']);
    expect(state.tokens.map((token) => token.stepId)).toEqual(['assessment']);
  });

  it('refuses steps never completed, steps open already, non-task steps and operators', () => {
    const definition = pathway();
    const state = atAssessment(definition);
    expectRefused(state, definition, supervisor, { kind: 'reopenStep', stepId: 'plan', reason: 'Mai fatto' }, 'conflict');
    expectRefused(state, definition, supervisor, { kind: 'reopenStep', stepId: 'assessment', reason: 'Già aperto' }, 'conflict');
    expectRefused(state, definition, supervisor, { kind: 'reopenStep', stepId: 'pause', reason: 'Attesa' }, 'invalid_data');
    expectRefused(state, definition, social, { kind: 'reopenStep', stepId: 'intake', reason: 'Operatore' }, 'forbidden');
  });
});

describe('moveToStep', () => {
  it('withdraws every open task and line and continues from the step', () => {
    const definition = pathway();
    const state = atAssessment(definition);
    run(state, definition, social, { kind: 'completeTask', taskId: openTask(state, 'assessment').id, data: { complex: false } }, at(2 * HOUR));
    const branchTasks = openTasks(state).map((x) => x.id);
    expect(branchTasks).toHaveLength(2);
    run(state, definition, supervisor, { kind: 'moveToStep', stepId: 'plan', reason: 'Patto urgente' }, at(3 * HOUR));
    expect(branchTasks.map((id) => state.tasks.find((x) => x.id === id)?.status)).toEqual(['cancelled', 'cancelled']);
    expect(openTasks(state).map((x) => x.stepId)).toEqual(['plan']);
    expect(state.tokens).toHaveLength(1);
    expect(eventsOf(state, 'moved_to_step')[0]).toMatchObject({ stepId: 'plan', details: { from: ['job_check', 'social_check'], to: 'plan', reason: 'Patto urgente' } });
    // Completing the plan now ends the case: the old branches do not come back to join.
    run(state, definition, social, { kind: 'completeTask', taskId: openTask(state, 'plan').id, data: { goals: 'Casa' } }, at(4 * HOUR));
    run(state, definition, cpi, { kind: 'completeTask', taskId: openTask(state, 'plan').id, data: {} }, at(4 * HOUR));
    expect(state.status).toBe('closed');
  });

  it('moves back to an earlier step too, and refuses steps that live only inside a branch', () => {
    const definition = pathway();
    const state = atAssessment(definition);
    run(state, definition, supervisor, { kind: 'moveToStep', stepId: 'intake', reason: 'Rifare accoglienza' }, at(2 * HOUR));
    expect(openTasks(state).map((x) => x.stepId)).toEqual(['intake']);
    const inBranch = expectRefused(state, definition, supervisor, { kind: 'moveToStep', stepId: 'job_check', reason: 'Ramo' }, 'invalid_data');
    expect(inBranch.issues?.[0].path).toEqual(['stepId']);
    expectRefused(state, definition, coordinator, { kind: 'moveToStep', stepId: 'plan', reason: 'Coordinatore' }, 'forbidden');
  });
});

describe('migrateCase', () => {
  // v2: intake renamed to welcome (same timers), assessment keeps its id with a new ladder, a new
  // required field in the plan, and the wait removed.
  const v2Steps = (): Steps => {
    const { intake, pause: _pause, ...rest } = baseSteps;
    return {
      ...rest,
      welcome: intake,
      assessment: {
        ...(baseSteps.assessment as object),
        reminders: [{ before: { amount: 10, unit: 'calendarDays' } }],
        escalation: [{ after: { amount: 2, unit: 'calendarDays' }, role: 'coordinator', reassign: true }],
      } as Steps[string],
      checks: { kind: 'parallel', title: t('Verifiche'), branches: ['social_check', 'job_check'], next: 'plan' },
    };
  };
  const v1 = pathway();
  const v2 = pathway(v2Steps(), { start: 'welcome' });
  const migrate = (extra: Partial<Extract<CaseCommand, { kind: 'migrateCase' }>> = {}): CaseCommand => ({
    kind: 'migrateCase',
    fromVersion: 1,
    toVersion: 2,
    definition: v2,
    stepMapping: { intake: 'welcome' },
    reason: 'Nuova versione regionale',
    ...extra,
  });

  it('moves a case onto the new version keeping its deadline, timers, history and data', () => {
    const state = startCase(v1);
    const task = openTask(state, 'intake');
    const before = { dueAt: task.dueAt, reminders: task.reminders, escalations: task.escalations, wake: nextWakeAt(state) };
    const seqBefore = state.seq;
    run(state, v1, coordinator, migrate(), at(HOUR));
    expect(state.pathwayVersion).toBe(2);
    expect(snapshotOf(state)).toMatchObject({ pathwayVersion: 2, openStepIds: ['welcome'] });
    const moved = openTask(state, 'welcome');
    expect(moved.id).toBe(task.id);
    expect({ dueAt: moved.dueAt, reminders: moved.reminders, escalations: moved.escalations, wake: nextWakeAt(state) }).toEqual(before);
    expect(moved.version).toBe(state.seq);
    expect(state.pendingEvents.filter((event) => event.seq <= seqBefore).map((event) => event.type)).toEqual(['case_started', 'task_created']);
    expect(eventsOf(state, 'case_migrated')[0]).toMatchObject({
      actor: { id: coordinator.id },
      details: { fromVersion: 1, toVersion: 2, movedSteps: { intake: 'welcome' }, retimedTasks: [], reason: 'Nuova versione regionale' },
    });
    // From now on the engine interprets v2: completing "welcome" goes on to assessment.
    run(state, v2, desk, { kind: 'completeTask', taskId: moved.id, data: { alias: 'M.' } }, at(2 * HOUR));
    expect(openTasks(state).map((x) => x.stepId)).toEqual(['assessment']);
  });

  it('rebuilds pending reminders and escalations from the new step where the old ones are gone, keeping the due date and the levels reached', () => {
    const state = atAssessment(v1);
    const task = openTask(state, 'assessment');
    const dueAt = Date.parse(task.dueAt!);
    tick(state, v1, new Date(dueAt + DAY + HOUR)); // level 1 (supervisor) fired
    expect(task.escalationLevel).toBe(1);
    run(state, v1, coordinator, migrate(), new Date(dueAt + DAY + 2 * HOUR));
    const moved = openTask(state, 'assessment');
    expect(moved.dueAt).toBe(task.dueAt);
    expect(moved.escalationLevel).toBe(1);
    // intake was renamed welcome: v2's rules find its data under the new id, the old key stays as recorded.
    expect(state.data.welcome).toEqual({ alias: 'M.', housing: 'shelter' });
    expect(state.data.intake).toEqual({ alias: 'M.', housing: 'shelter' });
    // v1's reminder fired long ago and stays in the record; v2's (10 days before) is in the past: not sent late.
    expect(moved.reminders).toEqual([expect.objectContaining({ firedAt: expect.any(String) })]);
    // v2 has one level (coordinator after 2 days): it is level 1, already reached, so it will not fire again.
    expect(moved.escalations).toEqual([expect.objectContaining({ level: 1, role: 'coordinator', firedAt: expect.any(String) })]);
    expect(eventsOf(state, 'case_migrated')[0].details.retimedTasks).toEqual([moved.id]);
    expect(nextWakeAt(state)).toBeNull();
  });

  it('reports every case that cannot move, with why, and refuses the update without a change', () => {
    const withPause = atAssessment(v1);
    run(withPause, v1, supervisor, { kind: 'moveToStep', stepId: 'pause', reason: 'Attesa documenti' }, at(2 * HOUR));
    const unmapped = expectRefused(withPause, v1, coordinator, migrate(), 'conflict');
    expect(unmapped.issues).toEqual([{ path: ['stepMapping', 'pause'], message: expect.stringMatching(/^unmapped_step: /) }]);
    expect(checkMigration(withPause, v1, coordinator, migrate() as never).problems.map((p) => p.code)).toEqual(['unmapped_step']);

    const state = startCase(v1);
    const check = (command: CaseCommand, actor = coordinator) => checkMigration(state, v1, actor, command as never).problems.map((p) => p.code);
    expect(check(migrate({ stepMapping: { intake: 'nowhere' } }))).toEqual(['mapped_step_missing']);
    expect(check(migrate({ stepMapping: { intake: 'checks' } }))).toEqual(['step_kind_changed']);
    expect(check(migrate({ fromVersion: 3 }))).toEqual(['version_mismatch']);
    expect(check(migrate({ toVersion: 1 }))).toEqual(['version_mismatch']);
    expect(check(migrate(), desk)).toEqual(['forbidden']);
    expect(check(migrate(), { ...coordinator, areas: ['grosseto'] })).toEqual(['forbidden']);
    expectRefused(state, v1, desk, migrate(), 'forbidden');
    run(state, v1, supervisor, { kind: 'cancelCase', reason: 'Chiuso' }, at(HOUR));
    expect(check(migrate())).toEqual(['case_not_active']);
    expectRefused(state, v1, coordinator, migrate(), 'case_not_active');
  });

  it('refuses collected data the new fields would misread, and a partly signed plan the new step cannot finish', () => {
    const retyped = pathway({ ...v2Steps(), welcome: { ...(baseSteps.intake as object), form: { fields: [{ key: 'housing', label: t('Casa'), type: 'text' }] } } as Steps[string] }, { start: 'welcome' });
    const narrowed = pathway(
      {
        ...v2Steps(),
        welcome: { ...(baseSteps.intake as object), form: { fields: [{ key: 'housing', label: t('Casa'), type: 'select', options: [{ value: 'none', label: t('Nessuna') }] }] } } as Steps[string],
      },
      { start: 'welcome' },
    );
    const state = atAssessment(v1);
    const codes = (definition: PathwayDefinition) => checkMigration(state, v1, coordinator, migrate({ definition }) as never).problems;
    expect(codes(retyped)).toEqual([expect.objectContaining({ code: 'form_incompatible', stepId: 'intake', message: expect.stringContaining('"intake.housing" is select') })]);
    expect(codes(narrowed)).toEqual([expect.objectContaining({ code: 'form_incompatible', message: expect.stringContaining('"shelter"') })]);

    // A plan signed by social only: v2's plan asks employment and housing, and requires a new field.
    const atPlan = atAssessment(v1);
    run(atPlan, v1, supervisor, { kind: 'moveToStep', stepId: 'plan', reason: 'Patto subito' }, at(2 * HOUR));
    run(atPlan, v1, social, { kind: 'completeTask', taskId: openTask(atPlan, 'plan').id, data: { goals: 'Casa' } }, at(3 * HOUR));
    const plan = pathway({
      ...v2Steps(),
      plan: {
        kind: 'task',
        title: t('Patto'),
        assignee: { service: 'employment' },
        signOff: { services: ['employment', 'housing'] },
        form: { fields: [{ key: 'goals', label: t('Obiettivi'), type: 'textarea', required: true }, { key: 'budget', label: t('Budget'), type: 'number', required: true }] },
        next: 'done',
      },
    }, { start: 'welcome' });
    expect(checkMigration(atPlan, v1, coordinator, migrate({ definition: plan }) as never).problems.map((p) => p.code)).toEqual(['sign_off_incompatible', 'form_incompatible']);
  });

  it('maps waiting and joining lines, copies renamed data, and sends a task whose step changed service back to the new queue', () => {
    const { social_check: _renamed, ...kept } = baseSteps;
    const v3 = pathway({
      ...kept,
      check_social: { kind: 'task', title: t('Sociale'), assignee: { service: 'housing' } },
      checks: { kind: 'parallel', title: t('Verifiche'), branches: ['check_social', 'job_check'], next: 'pause' },
    });
    const state = atAssessment(v1);
    run(state, v1, social, { kind: 'completeTask', taskId: openTask(state, 'assessment').id, data: { complex: false } }, at(2 * HOUR));
    run(state, v1, social, { kind: 'claimTask', taskId: openTask(state, 'social_check').id }, at(2 * HOUR));
    run(state, v1, coordinator, migrate({ definition: v3, stepMapping: { social_check: 'check_social' }, toVersion: 3 }), at(3 * HOUR));
    const moved = openTask(state, 'check_social');
    expect(moved).toMatchObject({ service: 'housing', assigneeId: null, status: 'open' });
    expect(state.tokens.map((token) => token.stepId).sort()).toEqual(['check_social', 'checks', 'job_check']);
    expect(state.data.intake).toBeDefined();
    // Both branches finish: the join and the rest of the line follow v3.
    run(state, v3, supervisor, { kind: 'completeTask', taskId: moved.id, data: {} }, at(4 * HOUR));
    run(state, v3, cpi, { kind: 'completeTask', taskId: openTask(state, 'job_check').id, data: {} }, at(4 * HOUR));
    expect(snapshotOf(state).openStepIds).toEqual(['pause']);
  });

  describe('a pending referral whose acceptance clock changed', () => {
    const referralSteps = (reminderDays: number, ladder: Array<{ days: number; role: 'supervisor' | 'coordinator' }>): Steps => ({
      intake: { kind: 'task', title: t('Accoglienza'), assignee: { service: 'oss' }, next: 'refer_cpi' },
      refer_cpi: {
        kind: 'referral',
        title: t('Invio al CPI'),
        from: 'oss',
        to: { service: 'employment' },
        deadline: { amount: 10, unit: 'calendarDays' },
        reminders: [{ before: { amount: reminderDays, unit: 'calendarDays' } }],
        escalation: ladder.map(({ days, role }) => ({ after: { amount: days, unit: 'calendarDays' }, role })),
        rejectionReasons: [{ code: 'not_activable', label: t('Non attivabile') }],
        outcomes: [{ code: 'placed', label: t('Inserito') }],
        next: 'done',
      },
      done: { kind: 'end', title: t('Fine'), outcome: 'job' },
    });
    const r1 = pathway(referralSteps(8, [{ days: 1, role: 'supervisor' }]));
    const r2 = pathway(referralSteps(3, [{ days: 1, role: 'supervisor' }, { days: 4, role: 'coordinator' }]));
    const toR2: CaseCommand = { kind: 'migrateCase', fromVersion: 1, toVersion: 2, definition: r2, stepMapping: {}, reason: 'Nuova versione' };

    const referralOf = (state: CaseState) => {
      const referral = state.referrals?.[0];
      if (!referral) throw new Error('the case has no referral');
      return referral;
    };

    /** A case whose referral was sent at START + 1 h and whose first reminder (8 days before the deadline) was sent. */
    function referred(): { state: CaseState; dueAt: string } {
      const state = startCase(r1);
      run(state, r1, desk, { kind: 'completeTask', taskId: openTask(state, 'intake').id, data: {} }, at(HOUR));
      const referral = referralOf(state);
      expect(referral.status).toBe('pending');
      tick(state, r1, at(3 * DAY));
      expect(referral.reminders.map((reminder) => reminder.firedAt !== null)).toEqual([true]);
      return { state, dueAt: referral.acceptDueAt! };
    }

    it('re-lays the clock from the new step when the workflow asks for it, keeping the deadline and what was already sent', () => {
      const { state, dueAt } = referred();
      const sentReminder = referralOf(state).reminders[0];
      // The oracle: the same referral sent under v2 at the same moment.
      const underV2 = startCase(r2);
      run(underV2, r2, desk, { kind: 'completeTask', taskId: openTask(underV2, 'intake').id, data: {} }, at(HOUR));
      const fresh = referralOf(underV2);
      expect(fresh.acceptDueAt).toBe(dueAt);

      applyCommand(state, r1, { actor: coordinator, command: toR2 }, at(4 * DAY), { retimeReferrals: true });
      const referral = referralOf(state);
      expect(referral.acceptDueAt).toBe(dueAt);
      // v1's reminder stays in the record as sent; v2's is still to come; the ladder is v2's.
      expect(referral.reminders).toEqual([sentReminder, { ...fresh.reminders[0], firedAt: null }]);
      expect(referral.escalations).toEqual(fresh.escalations);
      expect(referral.escalations.map((level) => [level.level, level.role])).toEqual([
        [1, 'supervisor'],
        [2, 'coordinator'],
      ]);
      expect(eventsOf(state, 'case_migrated')[0].details.retimedReferrals).toEqual([referral.id]);
      // The new ladder fires, up to level 2, which v1 did not have.
      tick(state, r2, new Date(Date.parse(referral.escalations[1].at) + HOUR));
      expect(eventsOf(state, 'referral_escalated').map((event) => event.details.level)).toEqual([1, 2]);
    });

    it('leaves the clock as it was without that option, as migrations recorded before it replay', () => {
      const { state } = referred();
      const clock = () => JSON.stringify({ reminders: referralOf(state).reminders, escalations: referralOf(state).escalations });
      const before = clock();
      applyCommand(state, r1, { actor: coordinator, command: toR2 }, at(4 * DAY));
      expect(clock()).toBe(before);
      expect(eventsOf(state, 'case_migrated')[0].details).not.toHaveProperty('retimedReferrals');
    });
  });
});
