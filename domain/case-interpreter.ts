/**
 * The pathway interpreter: moves tokens through steps (tasks, parallel branches, decisions, waits,
 * follow-ups, jumps, referrals, ends), completes tasks, closes cases, and settles whatever the
 * clock has made due.
 */
import { alertTime, localDate } from './calendar';
import { fireDueAlerts, initialDueAt, internalClocksPaused, occurrenceDue, occurrenceOpensAt, scheduleDeadline } from './case-clocks';
import { activeReferrals, collectedDate, emit, MAX_STEPS_PER_TRANSITION, newToken, openTasks, PathwayRuntimeError, stepOf, SYSTEM_ACTOR_REF, type EngineContext } from './case-engine-base';
import { createReferral, fireDueReferralAlerts } from './case-referrals';
import { evaluateCondition } from './conditions';
import { matchingMembers, ruleData } from './household';
import { caseHasEnded, type CaseState, type CaseTask, type FieldValue, type Token } from './case-state';
import type { GroupItem, ScalarFieldValue } from './conditions';
import type { PathwayDefinition, RecurringStep, Step, TaskStep } from './pathway-schema';

/** Moves a token into a step and on through every step that does not wait for a person or the clock. */
export function enterStep(state: CaseState, ctx: EngineContext, token: Token, firstStepId: string): void {
  let stepId: string | undefined = firstStepId;
  for (let guard = 0; stepId !== undefined; guard++) {
    if (guard > MAX_STEPS_PER_TRANSITION) throw new PathwayRuntimeError(`pathway loops without a pause at "${stepId}"`);
    if (caseHasEnded(state.status)) return;
    token.stepId = stepId;
    const step = stepOf(ctx.definition, stepId);
    switch (step.kind) {
      case 'task':
        token.state = 'task';
        if (!step.forEach) {
          createTask(state, ctx, token, stepId, step);
          return;
        }
        if (createMemberTasks(state, ctx, token, stepId, step)) return;
        // A correction with no member to ask ends here; otherwise the step has nothing to do and the chain goes on.
        if (token.reopened) {
          state.tokens = state.tokens.filter((t) => t.id !== token.id);
          return;
        }
        stepId = step.next;
        if (stepId === undefined) {
          finishToken(state, ctx, token);
          return;
        }
        break;
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
        const data = ruleData(state, ctx.definition, ctx.now);
        const index = step.rules.findIndex((rule) => evaluateCondition(rule.when, data));
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
        if (step.anchor) {
          // Read once, at entry: a later correction of the date does not move a running schedule. Without it, today is the anchor.
          token.anchorDate = localDate(collectedDate(state, step.anchor.field) ?? ctx.now, state.calendar);
          token.wakeAt = nextOpening(state, ctx, step, token).toISOString();
        } else {
          token.wakeAt = alertTime(ctx.now, step.every, 'after', state.calendar).toISOString();
        }
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
    const untilHolds = parentStep.until !== undefined && evaluateCondition(parentStep.until, ruleData(state, ctx.definition, ctx.now));
    if (timesDone || untilHolds) {
      emit(state, ctx, 'recurrence_finished', {
        stepId: parent.stepId,
        details: { occurrences: parent.occurrences, reason: untilHolds ? 'until' : 'times' },
      });
      moveOn(state, ctx, parent, parentStep.next);
    } else if (parentStep.anchor && parent.anchorDate) {
      parent.wakeAt = nextOpening(state, ctx, parentStep, parent).toISOString();
    } else {
      parent.wakeAt = alertTime(ctx.now, parentStep.every, 'after', state.calendar).toISOString();
    }
  }
}

/**
 * A per-member step: one task for each member its rule holds for, all on the step's token (which
 * moves on when the last is done). Returns false when no member matches.
 */
function createMemberTasks(state: CaseState, ctx: EngineContext, token: Token, stepId: string, step: TaskStep): boolean {
  const rule = step.forEach!.members;
  const members = matchingMembers(state, ctx.definition, ctx.now, (data) => evaluateCondition(rule, data));
  // Indices only: a member's name or answers never reach an event, a task id or a title.
  emit(state, ctx, 'decision_taken', { stepId, details: members.length > 0 ? { forEach: 'members', members } : { forEach: 'members', members, next: step.next ?? null } });
  for (const member of members) createTask(state, ctx, token, stepId, step, member);
  return members.length > 0;
}

/** A task's id: its case's id, its number in the case, and for a per-member task the member's index (`.m1`). */
function taskIdOf(caseId: string, n: number, member: number | undefined): string {
  return member === undefined ? `${caseId}.${n}` : `${caseId}.${n}.m${member}`;
}

/**
 * The case a task id names (the part before its first dot), for a caller that must name the case
 * before it reads the task; the read confirms it. Case ids hold no dots (UUIDs).
 */
export function caseIdOfTaskId(taskId: string): string {
  const dot = taskId.indexOf('.');
  return dot < 0 ? taskId : taskId.slice(0, dot);
}

function createTask(state: CaseState, ctx: EngineContext, token: Token, stepId: string, step: TaskStep, member?: number): CaseTask {
  const parent = token.parentId ? state.tokens.find((t) => t.id === token.parentId) : undefined;
  const occurrence = parent && stepOf(ctx.definition, parent.stepId).kind === 'recurring' ? parent.occurrences : null;
  const task: CaseTask = {
    // A per-member task names the member by index (`.m1`: the second member of the list), never by name.
    id: taskIdOf(state.caseId, state.nextId++, member),
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
    signOff: step.signOff ? { services: signingServices(step.signOff, state, ctx), signed: [] } : null,
    completedAt: null,
    completedBy: null,
    completionKey: null,
    occurrence,
    ...(member === undefined ? {} : { member }),
    version: 0,
  };
  state.tasks.push(task);
  scheduleDeadline(state, ctx, task, step, initialDueAt(state, ctx, step));
  const event = emit(state, ctx, 'task_created', {
    stepId,
    taskId: task.id,
    details: {
      service: task.service,
      role: task.role,
      dueAt: task.dueAt,
      occurrence,
      ...(task.deadlineClock ? { clock: task.deadlineClock.kind } : {}),
      ...(member === undefined ? {} : { member }),
    },
  });
  task.version = event.seq;
  return task;
}

/** Completes a task (after validation) and carries its token on. */
export function finishTask(state: CaseState, ctx: EngineContext, task: CaseTask, data: Record<string, FieldValue>, completionKey: string | null): void {
  if (task.member === undefined) state.data[task.stepId] = { ...(state.data[task.stepId] ?? {}), ...data };
  else recordMemberAnswers(state, task.stepId, task.member, data);
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
  // A per-member step joins: it moves on (or ends its correction) when the last of its members' tasks is done.
  if (task.member !== undefined && openTasks(state).some((other) => other.tokenId === token.id)) return;
  // A reopened step is a correction of data already used: its chain does not run a second time.
  if (token.reopened) {
    state.tokens = state.tokens.filter((t) => t.id !== token.id);
    return;
  }
  const step = stepOf(ctx.definition, task.stepId) as TaskStep;
  moveOn(state, ctx, token, step.next);
}

/** A per-member step's answers, one item per member (`<stepId>.byMember`, each item with its `member` index). */
function recordMemberAnswers(state: CaseState, stepId: string, member: number, data: Record<string, FieldValue>): void {
  const answers: Record<string, ScalarFieldValue> = { member };
  for (const [key, value] of Object.entries(data)) if (!isGroup(value)) answers[key] = value;
  const earlier = state.data[stepId]?.byMember;
  const others = Array.isArray(earlier) ? (earlier as GroupItem[]).filter((item) => typeof item === 'object' && item?.member !== member) : [];
  state.data[stepId] = { byMember: [...others, answers].sort((a, b) => Number(a.member) - Number(b.member)) };
}

function isGroup(value: FieldValue): value is GroupItem[] {
  return Array.isArray(value) && value.some((item) => typeof item === 'object');
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

/** Fires whatever the clock has made due: reminders, escalation levels, ends of waits, follow-up occurrences. */
export function tick(state: CaseState, definition: PathwayDefinition, now: Date): void {
  const ctx: EngineContext = { definition, now, actor: SYSTEM_ACTOR_REF };
  settle(state, ctx);
}

export function settle(state: CaseState, ctx: EngineContext): void {
  if (state.status !== 'active') return;
  const nowMs = ctx.now.getTime();
  for (let guard = 0; guard < MAX_STEPS_PER_TRANSITION; guard++) {
    // While the person cannot be reached only statutory deadlines' alerts fire (fireDueAlerts filters them).
    const internal = !internalClocksPaused(state);
    const fired = fireDueAlerts(state, ctx, nowMs) || (internal && (fireDueReferralAlerts(state, ctx, nowMs) || advanceDueTokens(state, ctx, nowMs)));
    if (!fired || state.status !== 'active') return;
  }
  throw new PathwayRuntimeError('timers keep firing without end');
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
    if (step.anchor && due.anchorDate) {
      // What the body's deadline and rules read: `<stepId>.dueDate` and `<stepId>.occurrence`.
      const dueDate = localDate(occurrenceDue(state, step, due.anchorDate, due.occurrences), state.calendar);
      state.data[due.stepId] = { occurrence: due.occurrences, dueDate };
      emit(state, ctx, 'occurrence_started', { stepId: due.stepId, details: { occurrence: due.occurrences, dueDate } });
    } else {
      emit(state, ctx, 'occurrence_started', { stepId: due.stepId, details: { occurrence: due.occurrences } });
    }
    enterStep(state, ctx, newToken(state, step.body, due.id), step.body);
  } else {
    due.wakeAt = null;
  }
  return true;
}

/** When the next occurrence of an anchored recurrence opens; one whose time has passed (the previous one ran late) opens now. */
function nextOpening(state: CaseState, ctx: EngineContext, step: RecurringStep, token: Token): Date {
  const opens = occurrenceOpensAt(state, step, token.anchorDate as string, token.occurrences + 1);
  return opens.getTime() > ctx.now.getTime() ? opens : ctx.now;
}

/** The services that sign a joint plan: the fixed ones, then those whose rule holds on the data collected when the plan opens. */
function signingServices(signOff: NonNullable<TaskStep['signOff']>, state: CaseState, ctx: EngineContext): string[] {
  const services = [...signOff.services];
  const data = ruleData(state, ctx.definition, ctx.now);
  for (const extra of signOff.alsoWhen ?? []) {
    if (!services.includes(extra.service) && evaluateCondition(extra.when, data)) services.push(extra.service);
  }
  return services;
}
