/**
 * The pathway interpreter as a pure state machine. The case workflow is a thin durable shell around
 * it: it feeds commands and clock ticks in, sleeps until `nextWakeAt`, and ships projection batches
 * out. Being pure, the same code lets the API compute a new case's first state without waiting for
 * a worker, and lets unit tests walk a pathway through months in microseconds.
 */
import { alertTime, calendarFor, deadlineAfter, parseLocalDate } from './calendar';
import { evaluateCondition, readField } from './conditions';
import type {
  ActorRef,
  CaseEvent,
  CaseEventType,
  CaseReferral,
  CaseSnapshot,
  CaseState,
  CaseTask,
  FieldValue,
  PlanSignOff,
  ProjectionBatch,
  TaskEscalation,
  TaskReminder,
  Token,
} from './case-state';
import type { CaseWorkflowInput } from './case-messages';
import type { PathwayDefinition, ReferralStep, Step, TaskStep } from './pathway-schema';

/** Everything a transition needs besides the state: the pinned definition, the clock and who acts. */
export interface EngineContext {
  definition: PathwayDefinition;
  now: Date;
  actor: ActorRef;
}

/** Raised when a definition makes the interpreter spin; published definitions pass static checks, so this is a bug guard. */
export class PathwayRuntimeError extends Error {
  override name = 'PathwayRuntimeError';
}

const MAX_STEPS_PER_TRANSITION = 500;
export const SYSTEM_ACTOR_REF: ActorRef = { id: 'system', kind: 'system' };

/** Builds the first state of a case and the batch that projects it: identical wherever it runs. */
export function createCase(input: CaseWorkflowInput): { state: CaseState; batch: ProjectionBatch } {
  const now = new Date(input.startedAt);
  const definition = input.pathway.definition;
  const state: CaseState = {
    caseId: input.caseId,
    reference: input.reference,
    pathwayKey: input.pathway.key,
    pathwayVersion: input.pathway.version,
    areaId: input.areaId,
    status: 'active',
    outcome: null,
    startedAt: input.startedAt,
    updatedAt: input.startedAt,
    lastProgressAt: input.startedAt,
    closedAt: null,
    suspendedAt: null,
    data: { case: { ...input.caseData } },
    tokens: [],
    tasks: [],
    seq: 0,
    nextId: 1,
    gotoCounts: {},
    calendar: calendarFor(input.localHolidays, input.timezone),
    pendingEvents: [],
    recentlyClosed: [],
    projectedSeq: 0,
  };
  const ctx: EngineContext = { definition, now, actor: input.startedBy };
  emit(state, ctx, 'case_started', { details: { pathwayKey: state.pathwayKey, pathwayVersion: state.pathwayVersion } });
  const root = newToken(state, definition.start, null);
  enterStep(state, ctx, root, definition.start);
  settle(state, ctx);
  return { state, batch: batchSince(state, 0) };
}

/** Appends an event; every change to a case goes through here so the timeline is complete. */
export function emit(
  state: CaseState,
  ctx: Pick<EngineContext, 'now' | 'actor'>,
  type: CaseEventType,
  extra: { stepId?: string; taskId?: string; details?: Record<string, unknown> } = {},
): CaseEvent {
  state.seq += 1;
  const event: CaseEvent = {
    caseId: state.caseId,
    seq: state.seq,
    type,
    at: ctx.now.toISOString(),
    actor: ctx.actor,
    stepId: extra.stepId ?? null,
    taskId: extra.taskId ?? null,
    details: extra.details ?? {},
  };
  state.pendingEvents.push(event);
  state.updatedAt = event.at;
  return event;
}

/** A new execution pointer at a step (not yet entered). */
export function newToken(state: CaseState, stepId: string, parentId: string | null): Token {
  const token: Token = {
    id: `k${state.nextId++}`,
    stepId,
    parentId,
    state: 'task',
    wakeAt: null,
    pendingChildren: 0,
    occurrences: 0,
  };
  state.tokens.push(token);
  return token;
}

/** The step of the definition; a missing one is a bug (published definitions are checked). */
export function stepOf(definition: PathwayDefinition, stepId: string): Step {
  const step = definition.steps[stepId];
  if (!step) throw new PathwayRuntimeError(`step "${stepId}" is not in the definition`);
  return step;
}

/** A date collected earlier (`<stepId>.<fieldKey>`) as the start of that local day; undefined while nobody recorded it. */
function collectedDate(state: CaseState, path: string): Date | undefined {
  const value = readField(state.data, path);
  return typeof value === 'string' ? parseLocalDate(value, state.calendar) : undefined;
}

/** Moves a token into a step and on through every step that does not wait for a person or the clock. */
export function enterStep(state: CaseState, ctx: EngineContext, token: Token, firstStepId: string): void {
  let stepId: string | undefined = firstStepId;
  for (let guard = 0; stepId !== undefined; guard++) {
    if (guard > MAX_STEPS_PER_TRANSITION) throw new PathwayRuntimeError(`pathway loops without a pause at "${stepId}"`);
    if (state.status === 'closed' || state.status === 'cancelled') return;
    token.stepId = stepId;
    const step = stepOf(ctx.definition, stepId);
    switch (step.kind) {
      case 'task':
        token.state = 'task';
        createTask(state, ctx, token, stepId, step);
        return;
      case 'parallel': {
        token.state = 'joining';
        token.pendingChildren = step.branches.length;
        emit(state, ctx, 'branches_started', { stepId, details: { branches: step.branches } });
        for (const branch of step.branches) {
          enterStep(state, ctx, newToken(state, branch, token.id), branch);
        }
        return;
      }
      case 'decision': {
        const index = step.rules.findIndex((rule) => evaluateCondition(rule.when, state.data));
        const next = index >= 0 ? step.rules[index].next : step.otherwise;
        emit(state, ctx, 'decision_taken', { stepId, details: { rule: index >= 0 ? index : 'otherwise', next } });
        stepId = next;
        break;
      }
      case 'wait': {
        const { wakeAt, dateMissing } = waitEnd(state, ctx, step);
        token.state = 'waiting';
        token.wakeAt = wakeAt.toISOString();
        emit(state, ctx, 'wait_started', { stepId, details: dateMissing ? { until: token.wakeAt, dateMissing } : { until: token.wakeAt } });
        return;
      }
      case 'recurring':
        token.state = 'recurring';
        token.occurrences = 0;
        token.wakeAt = alertTime(ctx.now, step.every, 'after', state.calendar).toISOString();
        return;
      case 'goto': {
        const jumps = state.gotoCounts[stepId] ?? 0;
        if (jumps < step.maxTimes) {
          state.gotoCounts[stepId] = jumps + 1;
          emit(state, ctx, 'jumped_back', { stepId, details: { target: step.target, jump: jumps + 1 } });
          stepId = step.target;
        } else {
          stepId = step.otherwise;
          if (stepId === undefined) {
            finishToken(state, ctx, token);
            return;
          }
        }
        break;
      }
      case 'end':
        closeCase(state, ctx, step.outcome, 'case_closed');
        return;
      case 'referral':
        token.state = 'referral';
        createReferral(state, ctx, token, stepId, step);
        return;
    }
  }
}

function waitEnd(state: CaseState, ctx: EngineContext, step: Extract<Step, { kind: 'wait' }>): { wakeAt: Date; dateMissing?: true } {
  if (step.for) return { wakeAt: alertTime(ctx.now, step.for, 'after', state.calendar) };
  const until = step.until!;
  const base = collectedDate(state, until.field);
  // A wait on a date nobody recorded cannot hold the case forever: it ends at once and says so in its event.
  if (!base) return { wakeAt: ctx.now, dateMissing: true };
  return { wakeAt: until.offset ? alertTime(base, until.offset, 'after', state.calendar) : base };
}

/** Continues a token after the step it stood on, or ends it at the end of its chain. */
export function moveOn(state: CaseState, ctx: EngineContext, token: Token, next: string | undefined): void {
  token.wakeAt = null;
  if (next === undefined) finishToken(state, ctx, token);
  else enterStep(state, ctx, token, next);
}

/** Ends a chain; the last branch of a parallel step joins it, a recurring body schedules the next occurrence. */
function finishToken(state: CaseState, ctx: EngineContext, token: Token): void {
  state.tokens = state.tokens.filter((t) => t.id !== token.id);
  const parent = token.parentId ? state.tokens.find((t) => t.id === token.parentId) : undefined;
  if (!parent) {
    // A top-level chain that stops without an end step: static checks forbid it, so close plainly.
    if (token.parentId === null && state.tokens.length === 0 && state.status === 'active') {
      closeCase(state, ctx, 'completed', 'case_closed');
    }
    return;
  }
  const parentStep = stepOf(ctx.definition, parent.stepId);
  if (parentStep.kind === 'parallel') {
    parent.pendingChildren -= 1;
    if (parent.pendingChildren === 0) {
      emit(state, ctx, 'branches_joined', { stepId: parent.stepId });
      moveOn(state, ctx, parent, parentStep.next);
    }
  } else if (parentStep.kind === 'recurring') {
    const timesDone = parentStep.times !== undefined && parent.occurrences >= parentStep.times;
    const untilHolds = parentStep.until !== undefined && evaluateCondition(parentStep.until, state.data);
    if (timesDone || untilHolds) {
      emit(state, ctx, 'recurrence_finished', {
        stepId: parent.stepId,
        details: { occurrences: parent.occurrences, reason: untilHolds ? 'until' : 'times' },
      });
      moveOn(state, ctx, parent, parentStep.next);
    } else {
      parent.wakeAt = alertTime(ctx.now, parentStep.every, 'after', state.calendar).toISOString();
    }
  }
}

function createTask(state: CaseState, ctx: EngineContext, token: Token, stepId: string, step: TaskStep): CaseTask {
  const parent = token.parentId ? state.tokens.find((t) => t.id === token.parentId) : undefined;
  const occurrence = parent && stepOf(ctx.definition, parent.stepId).kind === 'recurring' ? parent.occurrences : null;
  const task: CaseTask = {
    id: `${state.caseId}.${state.nextId++}`,
    caseId: state.caseId,
    stepId,
    tokenId: token.id,
    areaId: state.areaId,
    service: step.assignee.service,
    role: step.assignee.role,
    assigneeId: null,
    status: 'open',
    createdAt: ctx.now.toISOString(),
    dueAt: null,
    reminders: [],
    escalations: [],
    escalationLevel: 0,
    signOff: step.signOff ? { services: [...step.signOff.services], signed: [] } : null,
    completedAt: null,
    completedBy: null,
    completionKey: null,
    occurrence,
    version: 0,
  };
  state.tasks.push(task);
  scheduleDeadline(state, ctx, task, step, initialDueAt(state, ctx, step));
  const event = emit(state, ctx, 'task_created', {
    stepId,
    taskId: task.id,
    details: { service: task.service, role: task.role, dueAt: task.dueAt, occurrence },
  });
  task.version = event.seq;
  return task;
}

function initialDueAt(state: CaseState, ctx: EngineContext, step: Pick<TaskStep, 'deadline'>): Date | null {
  if (!step.deadline) return null;
  // Without the reference date (e.g. no PAD date yet) the deadline counts from today: late is better than never.
  const base = (step.deadline.from && collectedDate(state, step.deadline.from.field)) || ctx.now;
  return deadlineAfter(base, step.deadline, state.calendar);
}

/** The reminders and escalation ladder a step lays out against a due date; levels without a service stay with `service`. */
function alertsFor(
  state: CaseState,
  now: Date,
  step: Pick<TaskStep, 'reminders' | 'escalation'>,
  dueAt: Date,
  service: string,
): { reminders: TaskReminder[]; escalations: TaskEscalation[] } {
  const reminders: TaskReminder[] = [];
  for (const reminder of step.reminders) {
    const at = alertTime(dueAt, reminder.before, 'before', state.calendar);
    // A reminder whose moment has already passed would only be noise.
    if (at.getTime() > now.getTime()) reminders.push({ at: at.toISOString(), firedAt: null });
  }
  const escalations = step.escalation.map((level, index): TaskEscalation => ({
    level: index + 1,
    // A level timed "before" warns while there is still time; the schema guarantees one of the two.
    at: (level.before ? alertTime(dueAt, level.before, 'before', state.calendar) : alertTime(dueAt, level.after!, 'after', state.calendar)).toISOString(),
    role: level.role,
    service: level.service ?? service,
    reassign: level.reassign,
    firedAt: null,
    ...(level.before ? { beforeDeadline: true as const } : {}),
  }));
  return { reminders, escalations };
}

/** Sets a task's deadline and lays out its reminders and escalation ladder from the step definition. */
export function scheduleDeadline(state: CaseState, ctx: Pick<EngineContext, 'now'>, task: CaseTask, step: TaskStep, dueAt: Date | null): void {
  task.dueAt = dueAt ? dueAt.toISOString() : null;
  const alerts = dueAt ? alertsFor(state, ctx.now, step, dueAt, task.service) : { reminders: [], escalations: [] };
  task.reminders = alerts.reminders;
  task.escalations = alerts.escalations;
}

/** Completes a task (after validation) and carries its token on. */
export function finishTask(state: CaseState, ctx: EngineContext, task: CaseTask, data: Record<string, FieldValue>, completionKey: string | null): void {
  state.data[task.stepId] = { ...(state.data[task.stepId] ?? {}), ...data };
  task.status = 'completed';
  task.completedAt = ctx.now.toISOString();
  task.completedBy = ctx.actor.id;
  task.completionKey = completionKey;
  task.version = emit(state, ctx, 'task_completed', { stepId: task.stepId, taskId: task.id, details: { fields: Object.keys(data) } }).seq;
  state.lastProgressAt = ctx.now.toISOString();
  const signOff = task.signOff;
  // The first plan signed by every service it names: "first contact → signed plan" is measured to here.
  if (signOff && !state.planSignedAt && signOff.services.every((service) => signOff.signed.some((s) => s.service === service))) {
    state.planSignedAt = ctx.now.toISOString();
  }
  const token = state.tokens.find((t) => t.id === task.tokenId);
  if (!token) return;
  // A reopened step is a correction of data already used: its chain does not run a second time.
  if (token.reopened) {
    state.tokens = state.tokens.filter((t) => t.id !== token.id);
    return;
  }
  const step = stepOf(ctx.definition, task.stepId) as TaskStep;
  moveOn(state, ctx, token, step.next);
}

/** Closes or cancels the case: open tasks are withdrawn and every chain stops. */
export function closeCase(state: CaseState, ctx: EngineContext, outcome: string | null, type: 'case_closed' | 'case_cancelled', reason?: string): void {
  for (const task of openTasks(state)) {
    task.status = 'cancelled';
    task.version = emit(state, ctx, 'task_cancelled', { stepId: task.stepId, taskId: task.id, details: { because: type } }).seq;
  }
  for (const referral of activeReferrals(state)) {
    referral.status = 'cancelled';
    referral.version = emit(state, ctx, 'referral_cancelled', { stepId: referral.stepId, details: { referralId: referral.id, because: type } }).seq;
  }
  state.tokens = [];
  state.status = type === 'case_closed' ? 'closed' : 'cancelled';
  state.outcome = outcome;
  state.closedAt = ctx.now.toISOString();
  state.suspendedAt = null;
  emit(state, ctx, type, { details: reason ? { outcome, reason } : { outcome } });
}

export function openTasks(state: CaseState): CaseTask[] {
  return state.tasks.filter((task) => task.status === 'open' || task.status === 'claimed');
}

/** Fires whatever the clock has made due: reminders, escalation levels, ends of waits, follow-up occurrences. */
export function tick(state: CaseState, definition: PathwayDefinition, now: Date): void {
  const ctx: EngineContext = { definition, now, actor: SYSTEM_ACTOR_REF };
  settle(state, ctx);
}

function settle(state: CaseState, ctx: EngineContext): void {
  if (state.status !== 'active') return;
  const nowMs = ctx.now.getTime();
  for (let guard = 0; guard < MAX_STEPS_PER_TRANSITION; guard++) {
    const fired = fireDueAlerts(state, ctx, nowMs) || fireDueReferralAlerts(state, ctx, nowMs) || advanceDueTokens(state, ctx, nowMs);
    if (!fired || state.status !== 'active') return;
  }
  throw new PathwayRuntimeError('timers keep firing without end');
}

function fireDueAlerts(state: CaseState, ctx: EngineContext, nowMs: number): boolean {
  let fired = false;
  for (const task of openTasks(state)) {
    for (const reminder of task.reminders) {
      if (reminder.firedAt === null && Date.parse(reminder.at) <= nowMs) {
        reminder.firedAt = ctx.now.toISOString();
        task.version = emit(state, ctx, 'reminder_due', {
          stepId: task.stepId,
          taskId: task.id,
          details: { dueAt: task.dueAt, assigneeId: task.assigneeId },
        }).seq;
        fired = true;
      }
    }
    for (const level of task.escalations) {
      if (level.firedAt === null && Date.parse(level.at) <= nowMs) {
        level.firedAt = ctx.now.toISOString();
        task.escalationLevel = Math.max(task.escalationLevel, level.level);
        const previousAssignee = task.assigneeId;
        if (level.reassign) {
          task.assigneeId = null;
          task.status = 'open';
          task.role = level.role;
          task.service = level.service;
        }
        task.version = emit(state, ctx, 'task_escalated', {
          stepId: task.stepId,
          taskId: task.id,
          details: { level: level.level, role: level.role, service: level.service, reassigned: level.reassign, previousAssignee, ...(level.beforeDeadline ? { beforeDeadline: true } : {}) },
        }).seq;
        fired = true;
      }
    }
  }
  return fired;
}

function advanceDueTokens(state: CaseState, ctx: EngineContext, nowMs: number): boolean {
  const due = state.tokens.find((t) => t.wakeAt !== null && Date.parse(t.wakeAt) <= nowMs);
  if (!due) return false;
  const step = stepOf(ctx.definition, due.stepId);
  if (step.kind === 'wait') {
    moveOn(state, ctx, due, step.next);
  } else if (step.kind === 'recurring') {
    due.wakeAt = null;
    due.occurrences += 1;
    emit(state, ctx, 'occurrence_started', { stepId: due.stepId, details: { occurrence: due.occurrences } });
    enterStep(state, ctx, newToken(state, step.body, due.id), step.body);
  } else {
    due.wakeAt = null;
  }
  return true;
}

/** The next moment the clock changes something, or null when only people can move the case. */
export function nextWakeAt(state: CaseState): Date | null {
  if (state.status !== 'active') return null;
  let next = Number.POSITIVE_INFINITY;
  for (const task of openTasks(state)) {
    for (const r of task.reminders) if (r.firedAt === null) next = Math.min(next, Date.parse(r.at));
    for (const e of task.escalations) if (e.firedAt === null) next = Math.min(next, Date.parse(e.at));
  }
  for (const referral of pendingReferrals(state)) {
    for (const r of referral.reminders) if (r.firedAt === null) next = Math.min(next, Date.parse(r.at));
    for (const e of referral.escalations) if (e.firedAt === null) next = Math.min(next, Date.parse(e.at));
  }
  for (const token of state.tokens) if (token.wakeAt !== null) next = Math.min(next, Date.parse(token.wakeAt));
  return Number.isFinite(next) ? new Date(next) : null;
}

/** Shifts every pending clock by the time the case spent suspended: the clock stops while the person cannot be reached. */
export function shiftClocks(state: CaseState, byMs: number): void {
  const shift = (iso: string): string => new Date(Date.parse(iso) + byMs).toISOString();
  for (const task of openTasks(state)) {
    if (task.dueAt) task.dueAt = shift(task.dueAt);
    for (const r of task.reminders) if (r.firedAt === null) r.at = shift(r.at);
    for (const e of task.escalations) if (e.firedAt === null) e.at = shift(e.at);
  }
  for (const referral of pendingReferrals(state)) {
    if (referral.acceptDueAt) referral.acceptDueAt = shift(referral.acceptDueAt);
    for (const r of referral.reminders) if (r.firedAt === null) r.at = shift(r.at);
    for (const e of referral.escalations) if (e.firedAt === null) e.at = shift(e.at);
  }
  for (const token of state.tokens) if (token.wakeAt) token.wakeAt = shift(token.wakeAt);
}

/** The read-model row of the case as it stands. */
export function snapshotOf(state: CaseState): CaseSnapshot {
  const open = openTasks(state);
  const openSteps = new Set<string>(open.map((t) => t.stepId));
  for (const token of state.tokens) if (token.state === 'waiting' || token.state === 'recurring' || token.state === 'referral') openSteps.add(token.stepId);
  const pending = pendingReferrals(state);
  const dueDates = [...open.map((t) => t.dueAt), ...pending.map((r) => r.acceptDueAt)].filter((d): d is string => d !== null).sort();
  const targetGroup = state.data.case?.targetGroup;
  return {
    caseId: state.caseId,
    reference: state.reference,
    pathwayKey: state.pathwayKey,
    pathwayVersion: state.pathwayVersion,
    areaId: state.areaId,
    status: state.status,
    outcome: state.outcome,
    startedAt: state.startedAt,
    updatedAt: state.updatedAt,
    lastProgressAt: state.lastProgressAt,
    closedAt: state.closedAt,
    suspendedAt: state.suspendedAt,
    version: state.seq,
    data: state.data,
    openStepIds: [...openSteps].sort(),
    nextDeadline: dueDates[0] ?? null,
    escalationLevel: [...open, ...pending].reduce((max, t) => Math.max(max, t.escalationLevel), 0),
    lastContactAt: state.lastContactAt ?? null,
    targetGroup: typeof targetGroup === 'string' ? targetGroup : null,
    planSignedAt: state.planSignedAt ?? null,
    planSignOff: planSignOffOf(state),
  };
}

/** The open joint plan (the first open sign-off task): who signed and who still must. */
function planSignOffOf(state: CaseState): PlanSignOff | null {
  const task = openTasks(state).find((t) => t.signOff !== null);
  if (!task?.signOff) return null;
  const signed = task.signOff.signed.map((s) => s.service);
  return {
    taskId: task.id,
    stepId: task.stepId,
    required: [...task.signOff.services],
    signed,
    missing: task.signOff.services.filter((service) => !signed.includes(service)),
  };
}

/** Everything that changed after `fromSeq`: what an update returns and what the projection activity writes. */
export function batchSince(state: CaseState, fromSeq: number): ProjectionBatch {
  return {
    snapshot: snapshotOf(state),
    tasks: state.tasks.filter((t) => t.version > fromSeq),
    events: state.pendingEvents.filter((e) => e.seq > fromSeq),
    referrals: (state.referrals ?? []).filter((r) => r.version > fromSeq),
  };
}

const RECENTLY_CLOSED_KEPT = 100;

/** Forgets what the read model has confirmed, so that state stays small however long the case runs. */
export function markProjected(state: CaseState, upToSeq: number): void {
  state.projectedSeq = Math.max(state.projectedSeq, upToSeq);
  state.pendingEvents = state.pendingEvents.filter((e) => e.seq > state.projectedSeq);
  const kept: CaseTask[] = [];
  for (const task of state.tasks) {
    if (task.status === 'open' || task.status === 'claimed' || task.version > state.projectedSeq) kept.push(task);
    else state.recentlyClosed.push({ taskId: task.id, status: task.status, completionKey: task.completionKey });
  }
  state.tasks = kept;
  state.recentlyClosed = state.recentlyClosed.slice(-RECENTLY_CLOSED_KEPT);
  if (state.referrals) state.referrals = state.referrals.filter((r) => isActiveReferral(r) || r.version > state.projectedSeq);
}

// Closed-loop referrals: raised by a referral step, answered by the receiving service, closed by its outcome.

/** Whether a referral still waits for an answer or an outcome. */
export function isActiveReferral(referral: CaseReferral): boolean {
  return referral.status === 'pending' || referral.status === 'accepted';
}

/** Referrals still waiting for an answer or an outcome. */
export function activeReferrals(state: CaseState): CaseReferral[] {
  return (state.referrals ?? []).filter(isActiveReferral);
}

/** Referrals the receiving service has not answered yet: only these have running clocks. */
export function pendingReferrals(state: CaseState): CaseReferral[] {
  return (state.referrals ?? []).filter((referral) => referral.status === 'pending');
}

function createReferral(state: CaseState, ctx: EngineContext, token: Token, stepId: string, step: ReferralStep): CaseReferral {
  const referral: CaseReferral = {
    id: `${state.caseId}.r${state.nextId++}`,
    caseId: state.caseId,
    stepId,
    tokenId: token.id,
    areaId: state.areaId,
    fromService: step.from,
    toService: step.to.service,
    role: step.to.role,
    status: 'pending',
    createdAt: ctx.now.toISOString(),
    acceptDueAt: null,
    reminders: [],
    escalations: [],
    escalationLevel: 0,
    respondedAt: null,
    respondedBy: null,
    reasonCode: null,
    outcome: null,
    outcomeAt: null,
    outcomeBy: null,
    version: 0,
  };
  if (!state.referrals) state.referrals = [];
  state.referrals.push(referral);
  // A referral step reached again (a jump back) starts a fresh loop: rules must not read the old answer.
  state.data[stepId] = { status: 'pending' };
  scheduleReferralDeadline(state, ctx, referral, step, initialDueAt(state, ctx, step));
  referral.version = emit(state, ctx, 'referral_created', {
    stepId,
    details: { referralId: referral.id, fromService: referral.fromService, toService: referral.toService, acceptDueAt: referral.acceptDueAt },
  }).seq;
  return referral;
}

/** Sets a referral's acceptance deadline and lays out its reminders and escalation ladder, as for a task. */
export function scheduleReferralDeadline(state: CaseState, ctx: Pick<EngineContext, 'now'>, referral: CaseReferral, step: ReferralStep, dueAt: Date | null): void {
  referral.acceptDueAt = dueAt ? dueAt.toISOString() : null;
  const alerts = dueAt ? alertsFor(state, ctx.now, step, dueAt, referral.toService) : { reminders: [], escalations: [] };
  referral.reminders = alerts.reminders;
  referral.escalations = alerts.escalations;
}

function fireDueReferralAlerts(state: CaseState, ctx: EngineContext, nowMs: number): boolean {
  let fired = false;
  for (const referral of pendingReferrals(state)) {
    const base = { referralId: referral.id, toService: referral.toService, acceptDueAt: referral.acceptDueAt };
    for (const reminder of referral.reminders) {
      if (reminder.firedAt === null && Date.parse(reminder.at) <= nowMs) {
        reminder.firedAt = ctx.now.toISOString();
        referral.version = emit(state, ctx, 'referral_reminder_due', { stepId: referral.stepId, details: base }).seq;
        fired = true;
      }
    }
    for (const level of referral.escalations) {
      if (level.firedAt === null && Date.parse(level.at) <= nowMs) {
        level.firedAt = ctx.now.toISOString();
        referral.escalationLevel = Math.max(referral.escalationLevel, level.level);
        // A referral stays with the receiving service; `reassign` hands the answer to the escalation role there.
        if (level.reassign) referral.role = level.role;
        referral.version = emit(state, ctx, 'referral_escalated', {
          stepId: referral.stepId,
          details: { ...base, level: level.level, role: level.role, service: level.service, reassigned: level.reassign, ...(level.beforeDeadline ? { beforeDeadline: true } : {}) },
        }).seq;
        fired = true;
      }
    }
  }
  return fired;
}

function referralStep(ctx: EngineContext, referral: CaseReferral): ReferralStep {
  return stepOf(ctx.definition, referral.stepId) as ReferralStep;
}

const withNote = (details: Record<string, unknown>, note: string | undefined) => (note ? { ...details, note } : details);

/** The receiving service takes the referral on; the case waits for its outcome. */
export function acceptReferral(state: CaseState, ctx: EngineContext, referral: CaseReferral, note?: string): void {
  referral.status = 'accepted';
  referral.respondedAt = ctx.now.toISOString();
  referral.respondedBy = ctx.actor.id;
  state.data[referral.stepId] = { ...(state.data[referral.stepId] ?? {}), status: 'accepted' };
  state.lastProgressAt = ctx.now.toISOString();
  referral.version = emit(state, ctx, 'referral_accepted', {
    stepId: referral.stepId,
    details: withNote({ referralId: referral.id, toService: referral.toService }, note),
  }).seq;
}

/** The receiving service turns the referral down with a reason code; the case goes to `onRejected`, else `next`. */
export function rejectReferral(state: CaseState, ctx: EngineContext, referral: CaseReferral, reasonCode: string, note?: string): void {
  referral.status = 'rejected';
  referral.respondedAt = ctx.now.toISOString();
  referral.respondedBy = ctx.actor.id;
  referral.reasonCode = reasonCode;
  state.data[referral.stepId] = { status: 'rejected', reason: reasonCode };
  state.lastProgressAt = ctx.now.toISOString();
  referral.version = emit(state, ctx, 'referral_rejected', {
    stepId: referral.stepId,
    details: withNote({ referralId: referral.id, toService: referral.toService, reasonCode }, note),
  }).seq;
  const step = referralStep(ctx, referral);
  const token = state.tokens.find((t) => t.id === referral.tokenId);
  if (token) moveOn(state, ctx, token, step.onRejected ?? step.next);
}

/** The receiving service reports what came of the referral; the case moves on with the outcome in its data. */
export function recordReferralOutcome(state: CaseState, ctx: EngineContext, referral: CaseReferral, outcome: string, note?: string): void {
  referral.status = 'completed';
  referral.outcome = outcome;
  referral.outcomeAt = ctx.now.toISOString();
  referral.outcomeBy = ctx.actor.id;
  state.data[referral.stepId] = { ...(state.data[referral.stepId] ?? {}), status: 'completed', outcome };
  state.lastProgressAt = ctx.now.toISOString();
  referral.version = emit(state, ctx, 'referral_outcome_recorded', {
    stepId: referral.stepId,
    details: withNote({ referralId: referral.id, toService: referral.toService, outcome }, note),
  }).seq;
  const token = state.tokens.find((t) => t.id === referral.tokenId);
  if (token) moveOn(state, ctx, token, referralStep(ctx, referral).next);
}

