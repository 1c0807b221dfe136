import { applyCommand, checkCommand } from '../../domain/case-command-handlers';
import type { CaseCommand } from '../../domain/case-commands';
import { batchSince, createCase, markProjected, nextWakeAt, openTasks, snapshotOf, tick } from '../../domain/case-engine';
import type { CaseWorkflowInput } from '../../domain/case-messages';
import type { Actor, CaseState } from '../../domain/case-state';
import { pathwayDefinitionSchema, type PathwayDefinition, type PathwayDefinitionInput } from '../../domain/pathway-schema';

const t = (it: string) => ({ it });
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A small pathway that uses every step kind. */
function testPathway(overrides: Partial<PathwayDefinitionInput> = {}): PathwayDefinition {
  return pathwayDefinitionSchema.parse({
    key: 'test-pathway',
    title: t('Percorso di prova'),
    start: 'intake',
    outcomes: ['moved_away'],
    steps: {
      intake: {
        kind: 'task',
        title: t('Accoglienza'),
        assignee: { service: 'oss' },
        form: {
          fields: [
            { key: 'alias', label: t('Alias'), type: 'text', required: true },
            { key: 'complex', label: t('Complesso'), type: 'boolean', required: true },
          ],
        },
        deadline: { amount: 2, unit: 'calendarDays' },
        reminders: [{ before: { amount: 1, unit: 'calendarDays' } }],
        escalation: [
          { after: { amount: 1, unit: 'hours' }, role: 'supervisor' },
          { after: { amount: 2, unit: 'calendarDays' }, role: 'coordinator', reassign: true },
        ],
        next: 'assessment',
      },
      assessment: { kind: 'parallel', title: t('Valutazione'), branches: ['social_check', 'job_check'], next: 'route' },
      social_check: { kind: 'task', title: t('Sociale'), assignee: { service: 'social' }, deadline: { amount: 5, unit: 'workingDays' } },
      job_check: { kind: 'task', title: t('Lavoro'), assignee: { service: 'employment' } },
      route: { kind: 'decision', title: t('Instradamento'), rules: [{ when: { field: 'intake.complex', op: 'isTrue' }, next: 'plan' }], otherwise: 'pause' },
      pause: { kind: 'wait', title: t('Attesa'), for: { amount: 3, unit: 'calendarDays' }, next: 'plan' },
      plan: {
        kind: 'task',
        title: t('Patto'),
        assignee: { service: 'social' },
        signOff: { services: ['social', 'employment'] },
        form: { fields: [{ key: 'goals', label: t('Obiettivi'), type: 'textarea', required: true }] },
        next: 'follow_up',
      },
      follow_up: { kind: 'recurring', title: t('Monitoraggio'), every: { amount: 90, unit: 'calendarDays' }, times: 2, body: 'checkin', next: 'again' },
      checkin: {
        kind: 'task',
        title: t('Verifica'),
        assignee: { service: 'social' },
        form: { fields: [{ key: 'change', label: t('Cambiamento'), type: 'boolean', required: true }] },
      },
      again: { kind: 'goto', title: t('Rivaluta'), target: 'plan', maxTimes: 1, otherwise: 'done' },
      done: { kind: 'end', title: t('Chiuso'), outcome: 'autonomy' },
    },
    ...overrides,
  });
}

const livorno = (id: string, services: string[], roles: Actor['roles'] = ['operator']): Actor => ({ id, kind: 'user', roles, areas: ['livorno'], services });
const deskOperator = livorno('u-desk', ['oss']);
const socialWorker = livorno('u-social', ['social']);
const cpiCounsellor = livorno('u-cpi', ['employment']);
const supervisor = livorno('u-sup', [], ['supervisor']);
const grossetoDesk: Actor = { id: 'u-gr', kind: 'user', roles: ['operator'], areas: ['grosseto'], services: ['oss'] };

const START = '2026-03-02T09:00:00.000Z'; // a Monday

function startCase(definition = testPathway()): { state: CaseState; definition: PathwayDefinition; input: CaseWorkflowInput } {
  const input: CaseWorkflowInput = {
    caseId: '11111111-2222-4333-8444-555555555555',
    reference: 'RT-LI-TEST01',
    areaId: 'livorno',
    startedAt: START,
    startedBy: { id: deskOperator.id, kind: 'user' },
    caseData: {},
    pathway: { key: definition.key, version: 1, definition },
    localHolidays: [{ month: 5, day: 22, name: 'S. Giulia' }],
  };
  return { state: createCase(input).state, definition, input };
}

/** Checks then applies, like the workflow's validator + handler; throws with the rejection when refused. */
function run(state: CaseState, definition: PathwayDefinition, actor: Actor, command: CaseCommand, at: Date): void {
  const rejection = checkCommand(state, definition, { actor, command });
  if (rejection) throw Object.assign(new Error(rejection.message), { rejection });
  applyCommand(state, definition, { actor, command }, at);
}

function rejectionOf(state: CaseState, definition: PathwayDefinition, actor: Actor, command: CaseCommand) {
  return checkCommand(state, definition, { actor, command });
}

const openTask = (state: CaseState, stepId: string) => {
  const task = openTasks(state).find((candidate) => candidate.stepId === stepId);
  if (!task) throw new Error(`no open task for ${stepId}; open: ${openTasks(state).map((x) => x.stepId).join(',')}`);
  return task;
};

describe('case engine', () => {
  it('starts a case with its first task, a deadline and a projection of every event', () => {
    const { state, input } = startCase();
    const task = openTask(state, 'intake');
    expect(task.dueAt).not.toBeNull();
    expect(new Date(task.dueAt!).getTime()).toBeGreaterThan(Date.parse(START) + DAY);
    const { batch } = createCase(input);
    expect(batch.events.map((e) => e.type)).toEqual(['case_started', 'task_created']);
    expect(batch.tasks).toHaveLength(1);
    expect(batch.snapshot.openStepIds).toEqual(['intake']);
    expect(batch.snapshot.version).toBe(2);
  });

  it('computes the same first state wherever it runs (API and workflow must agree)', () => {
    expect(JSON.stringify(startCase().state)).toBe(JSON.stringify(startCase().state));
  });

  it('refuses invalid form data with the path of each field, and changes nothing', () => {
    const { state, definition } = startCase();
    const task = openTask(state, 'intake');
    const before = JSON.stringify(state);
    const rejection = rejectionOf(state, definition, deskOperator, { kind: 'completeTask', taskId: task.id, data: { complex: 'yes' } });
    expect(rejection?.type).toBe('invalid_data');
    expect(rejection?.issues?.map((i) => i.path.join('.')).sort()).toEqual(['alias', 'complex']);
    expect(JSON.stringify(state)).toBe(before);
  });

  it('lets only the right service and area work a task', () => {
    const { state, definition } = startCase();
    const task = openTask(state, 'intake');
    expect(rejectionOf(state, definition, socialWorker, { kind: 'claimTask', taskId: task.id })?.type).toBe('forbidden');
    expect(rejectionOf(state, definition, grossetoDesk, { kind: 'claimTask', taskId: task.id })?.type).toBe('forbidden');
    expect(rejectionOf(state, definition, deskOperator, { kind: 'claimTask', taskId: task.id })).toBeNull();
    expect(rejectionOf(state, definition, supervisor, { kind: 'claimTask', taskId: task.id })).toBeNull();
  });

  it('keeps a claim exclusive until it is released', () => {
    const { state, definition } = startCase();
    const task = openTask(state, 'intake');
    const other = livorno('u-desk-2', ['oss']);
    const at = new Date(Date.parse(START) + 60_000);
    run(state, definition, deskOperator, { kind: 'claimTask', taskId: task.id }, at);
    expect(task.assigneeId).toBe(deskOperator.id);
    expect(rejectionOf(state, definition, other, { kind: 'claimTask', taskId: task.id })?.type).toBe('conflict');
    expect(rejectionOf(state, definition, other, { kind: 'releaseTask', taskId: task.id })?.type).toBe('forbidden');
    run(state, definition, deskOperator, { kind: 'releaseTask', taskId: task.id }, at);
    expect(rejectionOf(state, definition, other, { kind: 'claimTask', taskId: task.id })).toBeNull();
  });

  it('fires the reminder before the deadline and climbs the escalation ladder after it', () => {
    const { state, definition } = startCase();
    const task = openTask(state, 'intake');
    const due = Date.parse(task.dueAt!);
    // The reminder is the first thing the clock will do.
    expect(nextWakeAt(state)!.getTime()).toBe(Date.parse(task.reminders[0].at));
    tick(state, definition, new Date(Date.parse(task.reminders[0].at)));
    expect(task.reminders[0].firedAt).not.toBeNull();
    expect(task.escalationLevel).toBe(0);
    tick(state, definition, new Date(due + HOUR));
    expect(task.escalationLevel).toBe(1);
    expect(task.role).toBe('operator');
    tick(state, definition, new Date(due + 3 * DAY));
    expect(task.escalationLevel).toBe(2);
    // Level 2 reassigns: the task goes to the coordinators' queue.
    expect(task.role).toBe('coordinator');
    expect(task.assigneeId).toBeNull();
    expect(nextWakeAt(state)).toBeNull();
    expect(state.pendingEvents.filter((e) => e.type === 'task_escalated').map((e) => e.details.level)).toEqual([1, 2]);
  });

  it('recomputes reminders and the ladder when a supervisor extends the deadline', () => {
    const { state, definition } = startCase();
    const task = openTask(state, 'intake');
    const due = Date.parse(task.dueAt!);
    tick(state, definition, new Date(due + 2 * HOUR));
    expect(task.escalationLevel).toBe(1);
    expect(rejectionOf(state, definition, deskOperator, { kind: 'extendDeadline', taskId: task.id, by: { amount: 1, unit: 'calendarDays' }, reason: 'person in hospital' })?.type).toBe('forbidden');
    const earlier = new Date(due - DAY).toISOString();
    expect(rejectionOf(state, definition, supervisor, { kind: 'extendDeadline', taskId: task.id, newDueAt: earlier, reason: 'oops' })?.issues?.[0].path).toEqual(['newDueAt']);
    run(state, definition, supervisor, { kind: 'extendDeadline', taskId: task.id, by: { amount: 7, unit: 'calendarDays' }, reason: 'person in hospital' }, new Date(due + 2 * HOUR));
    expect(Date.parse(task.dueAt!)).toBeGreaterThan(due + 6 * DAY);
    expect(task.escalationLevel).toBe(0);
    expect(task.escalations.every((level) => level.firedAt === null && Date.parse(level.at) > Date.parse(task.dueAt!))).toBe(true);
    expect(task.reminders).toHaveLength(1);
  });

  it('stops the clock while the case is suspended', () => {
    const { state, definition } = startCase();
    const task = openTask(state, 'intake');
    const due = Date.parse(task.dueAt!);
    run(state, definition, deskOperator, { kind: 'suspendCase', reason: 'person unreachable' }, new Date(Date.parse(START) + HOUR));
    expect(nextWakeAt(state)).toBeNull();
    tick(state, definition, new Date(due + 10 * DAY));
    expect(task.escalationLevel).toBe(0);
    expect(rejectionOf(state, definition, deskOperator, { kind: 'claimTask', taskId: task.id })?.type).toBe('case_not_active');
    run(state, definition, deskOperator, { kind: 'resumeCase' }, new Date(Date.parse(START) + HOUR + 5 * DAY));
    expect(Date.parse(task.dueAt!)).toBe(due + 5 * DAY);
  });

  it('walks the whole pathway: parallel join, decision, wait, joint sign-off, follow-ups and a jump back', () => {
    const { state, definition } = startCase();
    let now = Date.parse(START);
    const later = (ms: number) => new Date((now += ms));
    run(state, definition, deskOperator, { kind: 'completeTask', taskId: openTask(state, 'intake').id, data: { alias: 'M.', complex: false } }, later(HOUR));
    expect(snapshotOf(state).openStepIds).toEqual(['job_check', 'social_check']);
    run(state, definition, socialWorker, { kind: 'completeTask', taskId: openTask(state, 'social_check').id, data: {} }, later(HOUR));
    expect(snapshotOf(state).openStepIds).toEqual(['job_check']);
    run(state, definition, cpiCounsellor, { kind: 'completeTask', taskId: openTask(state, 'job_check').id, data: {} }, later(HOUR));
    // Not complex: the decision sends the case to a 3-day wait.
    expect(snapshotOf(state).openStepIds).toEqual(['pause']);
    const wake = nextWakeAt(state)!;
    expect(wake.getTime()).toBeGreaterThan(now + 2 * DAY);
    tick(state, definition, wake);
    now = wake.getTime();
    const plan = openTask(state, 'plan');
    run(state, definition, socialWorker, { kind: 'completeTask', taskId: plan.id, data: { goals: 'casa e lavoro' }, idempotencyKey: 'sign-social' }, later(HOUR));
    // One signature is not a plan: it waits for the job centre.
    expect(plan.status).toBe('open');
    expect(plan.signOff?.signed.map((s) => s.service)).toEqual(['social']);
    expect(plan.service).toBe('employment');
    expect(rejectionOf(state, definition, socialWorker, { kind: 'completeTask', taskId: plan.id, data: {} })?.type).toBe('conflict');
    // A retry of the social worker's signature (same key) by a supervisor is the same signature, not the job centre's.
    const supervisorRetry: CaseCommand = { kind: 'completeTask', taskId: plan.id, data: { goals: 'casa e lavoro' }, idempotencyKey: 'sign-social' };
    expect(rejectionOf(state, definition, supervisor, supervisorRetry)).toBeNull();
    expect(applyCommand(state, definition, { actor: supervisor, command: supervisorRetry }, later(HOUR))).toBe(false);
    expect(plan.signOff?.signed.map((s) => s.service)).toEqual(['social']);
    run(state, definition, cpiCounsellor, { kind: 'completeTask', taskId: plan.id, data: {} }, later(HOUR));
    expect(plan.status).toBe('completed');
    expect(state.data.plan.goals).toBe('casa e lavoro');
    // Follow-up: two occurrences 90 days apart, then the jump back to the plan once, then the end.
    for (const round of [1, 2]) {
      const occurrenceAt = nextWakeAt(state)!;
      tick(state, definition, occurrenceAt);
      now = occurrenceAt.getTime();
      const checkin = openTask(state, 'checkin');
      expect(checkin.occurrence).toBe(round);
      run(state, definition, socialWorker, { kind: 'completeTask', taskId: checkin.id, data: { change: false } }, later(HOUR));
    }
    expect(state.pendingEvents.some((e) => e.type === 'jumped_back')).toBe(true);
    const replan = openTask(state, 'plan');
    run(state, definition, socialWorker, { kind: 'completeTask', taskId: replan.id, data: { goals: 'autonomia' } }, later(HOUR));
    run(state, definition, cpiCounsellor, { kind: 'completeTask', taskId: replan.id, data: {} }, later(HOUR));
    for (const _round of [1, 2]) {
      tick(state, definition, nextWakeAt(state)!);
      run(state, definition, socialWorker, { kind: 'completeTask', taskId: openTask(state, 'checkin').id, data: { change: false } }, later(HOUR));
    }
    // The goto has been used once (maxTimes 1): the case ends with the outcome of the end step.
    expect(state.status).toBe('closed');
    expect(state.outcome).toBe('autonomy');
    expect(openTasks(state)).toHaveLength(0);
  });

  it('takes the complex branch without waiting when the rule holds', () => {
    const { state, definition } = startCase();
    const at = new Date(Date.parse(START) + HOUR);
    run(state, definition, deskOperator, { kind: 'completeTask', taskId: openTask(state, 'intake').id, data: { alias: 'A.', complex: true } }, at);
    run(state, definition, socialWorker, { kind: 'completeTask', taskId: openTask(state, 'social_check').id, data: {} }, at);
    run(state, definition, cpiCounsellor, { kind: 'completeTask', taskId: openTask(state, 'job_check').id, data: {} }, at);
    expect(snapshotOf(state).openStepIds).toEqual(['plan']);
    const decision = state.pendingEvents.find((e) => e.type === 'decision_taken');
    expect(decision?.details).toEqual({ rule: 0, next: 'plan' });
  });

  it('treats a repeated completion with the same key as the same completion, another key as a conflict', () => {
    const { state, definition } = startCase();
    const task = openTask(state, 'intake');
    const command: CaseCommand = { kind: 'completeTask', taskId: task.id, data: { alias: 'B.', complex: true }, idempotencyKey: 'k-1' };
    run(state, definition, deskOperator, command, new Date(Date.parse(START) + HOUR));
    const seq = state.seq;
    expect(rejectionOf(state, definition, deskOperator, command)).toBeNull();
    expect(applyCommand(state, definition, { actor: deskOperator, command }, new Date(Date.parse(START) + 2 * HOUR))).toBe(false);
    expect(state.seq).toBe(seq);
    expect(rejectionOf(state, definition, deskOperator, { ...command, idempotencyKey: 'k-2' })?.type).toBe('conflict');
    // Still so once the read model has the completion and the task has left the workflow's state.
    markProjected(state, state.seq);
    expect(state.tasks.some((x) => x.id === task.id)).toBe(false);
    expect(rejectionOf(state, definition, deskOperator, command)).toBeNull();
    expect(applyCommand(state, definition, { actor: deskOperator, command }, new Date(Date.parse(START) + 3 * HOUR))).toBe(false);
    expect(rejectionOf(state, definition, deskOperator, { ...command, idempotencyKey: 'k-2' })?.type).toBe('conflict');
    expect(rejectionOf(state, definition, deskOperator, { kind: 'claimTask', taskId: task.id })?.type).toBe('conflict');
  });

  it('moves open tasks with a transfer and lets only supervisors close with a known outcome', () => {
    const { state, definition } = startCase();
    const task = openTask(state, 'intake');
    const at = new Date(Date.parse(START) + HOUR);
    run(state, definition, deskOperator, { kind: 'claimTask', taskId: task.id }, at);
    expect(rejectionOf(state, definition, deskOperator, { kind: 'transferCase', areaId: 'lucca', reason: 'moved to Lucca', localHolidays: [] })?.type).toBe('forbidden');
    run(state, definition, supervisor, { kind: 'transferCase', areaId: 'lucca', reason: 'moved to Lucca', localHolidays: [] }, at);
    expect(task.areaId).toBe('lucca');
    expect(task.assigneeId).toBeNull();
    const luccaSupervisor: Actor = { ...supervisor, id: 'u-sup-lu', areas: ['lucca'] };
    expect(rejectionOf(state, definition, luccaSupervisor, { kind: 'closeCase', outcome: 'nonsense' })?.issues?.[0].path).toEqual(['outcome']);
    run(state, definition, luccaSupervisor, { kind: 'closeCase', outcome: 'moved_away', reason: 'left Tuscany' }, at);
    expect(state.status).toBe('closed');
    expect(task.status).toBe('cancelled');
    expect(rejectionOf(state, definition, luccaSupervisor, { kind: 'addNote', text: 'late note' })?.type).toBe('case_not_active');
  });

  it('returns exactly the changes of each command and forgets what the read model confirmed', () => {
    const { state, definition } = startCase();
    const before = state.seq;
    run(state, definition, deskOperator, { kind: 'addNote', text: 'called, no answer' }, new Date(Date.parse(START) + HOUR));
    const batch = batchSince(state, before);
    expect(batch.events.map((e) => e.type)).toEqual(['note_added']);
    expect(batch.tasks).toHaveLength(0);
    markProjected(state, state.seq);
    expect(state.pendingEvents).toHaveLength(0);
    expect(state.tasks).toHaveLength(1);
  });
});
