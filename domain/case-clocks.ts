/**
 * The case's clocks: deadlines and the reminders and escalation ladders laid out against them,
 * firing what is due, the next moment the clock changes anything, and the pause while a case is
 * suspended. Pure: time comes in as an argument.
 */
import { alertTime, deadlineAfter, parseLocalDate } from './calendar';
import { collectedDate, emit, openTasks, pendingReferrals, type EngineContext } from './case-engine-base';
import type { CaseState, CaseTask, TaskEscalation, TaskReminder } from './case-state';
import type { RecurringStep, TaskStep } from './pathway-schema';

export function initialDueAt(state: CaseState, ctx: EngineContext, step: Pick<TaskStep, 'deadline'>): Date | null {
  if (!step.deadline) return null;
  // Without the reference date (e.g. no PAD date yet) the deadline counts from today: late is better than never.
  const base = (step.deadline.from && collectedDate(state, step.deadline.from.field)) || ctx.now;
  return deadlineAfter(base, step.deadline, state.calendar);
}

/** What a task and a referral both carry: the reminders and escalation ladder timed from their deadline. */
export interface AlertHolder {
  reminders: TaskReminder[];
  escalations: TaskEscalation[];
}

/**
 * Lays out on `holder` the reminders and escalation ladder a step times from a due date (none
 * without one), replacing any earlier; levels without a service stay with `service`.
 */
export function layOutAlerts(
  holder: AlertHolder,
  state: CaseState,
  now: Date,
  step: Pick<TaskStep, 'reminders' | 'escalation'>,
  dueAt: Date | null,
  service: string,
): void {
  if (!dueAt) {
    holder.reminders = [];
    holder.escalations = [];
    return;
  }
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
  holder.reminders = reminders;
  holder.escalations = escalations;
}

/** The reminders and escalation levels of a task or referral that have not fired yet. */
function unfiredAlerts(holder: AlertHolder): Array<TaskReminder | TaskEscalation> {
  return [...holder.reminders, ...holder.escalations].filter((alert) => alert.firedAt === null);
}

/** Sets a task's deadline and lays out its reminders and escalation ladder from the step definition. */
export function scheduleDeadline(state: CaseState, ctx: Pick<EngineContext, 'now'>, task: CaseTask, step: TaskStep, dueAt: Date | null): void {
  task.dueAt = dueAt ? dueAt.toISOString() : null;
  // Only steps that declare a clock add the property, so tasks of older definitions stay exactly as they were.
  const kind = step.deadline?.clock;
  if (kind) task.deadlineClock = { kind, legalBasis: step.deadline?.legalBasis ?? null };
  else delete task.deadlineClock;
  layOutAlerts(task, state, ctx.now, step, dueAt, task.service);
}

/** Whether the internal clocks are paused because the person cannot be reached (domain/contact-pause.ts). */
export function internalClocksPaused(state: CaseState): boolean {
  return Boolean(state.contactPausedAt);
}

/** Whether a task's clock runs now: a statutory one always; an internal one not while the person cannot be reached. */
function clockRuns(state: CaseState, task: CaseTask): boolean {
  return task.deadlineClock?.kind === 'statutory' || !internalClocksPaused(state);
}

export function fireDueAlerts(state: CaseState, ctx: EngineContext, nowMs: number): boolean {
  let fired = false;
  for (const task of openTasks(state)) {
    if (!clockRuns(state, task)) continue;
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

/** The next moment the clock changes something, or null when only people can move the case. */
export function nextWakeAt(state: CaseState): Date | null {
  if (state.status !== 'active') return null;
  let next = Number.POSITIVE_INFINITY;
  // While the internal clocks are paused only statutory deadlines' alerts run (referrals and waits are internal).
  const paused = internalClocksPaused(state);
  const running = paused ? openTasks(state).filter((task) => clockRuns(state, task)) : [...openTasks(state), ...pendingReferrals(state)];
  for (const holder of running) {
    for (const alert of unfiredAlerts(holder)) next = Math.min(next, Date.parse(alert.at));
  }
  if (!paused) for (const token of state.tokens) if (token.wakeAt !== null) next = Math.min(next, Date.parse(token.wakeAt));
  return Number.isFinite(next) ? new Date(next) : null;
}

/**
 * Shifts every pending clock but statutory deadlines by the time the case spent suspended: an internal clock stops while the person cannot be reached.
 * With `pausedFrom` (a contact pause, during which work went on), a task or referral created after that instant shifts only by the time since its creation.
 */
export function shiftClocks(state: CaseState, byMs: number, pausedFrom?: number): void {
  const amountFor = (createdAt: string): number => (pausedFrom === undefined ? byMs : Math.max(0, byMs - Math.max(0, Date.parse(createdAt) - pausedFrom)));
  const shifter = (amount: number) => (iso: string): string => new Date(Date.parse(iso) + amount).toISOString();
  for (const task of openTasks(state)) {
    // The law's date does not stop while the person cannot be reached: nor do the alerts timed from it.
    if (task.deadlineClock?.kind === 'statutory') continue;
    const shift = shifter(amountFor(task.createdAt));
    if (task.dueAt) task.dueAt = shift(task.dueAt);
    for (const alert of unfiredAlerts(task)) alert.at = shift(alert.at);
  }
  for (const referral of pendingReferrals(state)) {
    const shift = shifter(amountFor(referral.createdAt));
    if (referral.acceptDueAt) referral.acceptDueAt = shift(referral.acceptDueAt);
    for (const alert of unfiredAlerts(referral)) alert.at = shift(alert.at);
  }
  const shift = shifter(byMs);
  for (const token of state.tokens) if (token.wakeAt) token.wakeAt = shift(token.wakeAt);
}

// Anchored recurrences: occurrence k falls due at anchor + k × every, whatever happened to the others.

/** When the k-th occurrence (from 1) of an anchored recurrence falls due: counted from the anchor, never from the previous occurrence. */
export function occurrenceDue(state: CaseState, step: Pick<RecurringStep, 'every'>, anchorDate: string, k: number): Date {
  return deadlineAfter(parseLocalDate(anchorDate, state.calendar), { amount: step.every.amount * k, unit: step.every.unit }, state.calendar);
}

/** When the k-th occurrence opens: `opensBefore` its due date, else when the previous one falls due (the first at the anchor). */
export function occurrenceOpensAt(state: CaseState, step: Pick<RecurringStep, 'every' | 'opensBefore'>, anchorDate: string, k: number): Date {
  if (step.opensBefore) return alertTime(occurrenceDue(state, step, anchorDate, k), step.opensBefore, 'before', state.calendar);
  return k === 1 ? parseLocalDate(anchorDate, state.calendar) : occurrenceDue(state, step, anchorDate, k - 1);
}
