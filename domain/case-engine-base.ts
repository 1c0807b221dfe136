/**
 * What every part of the case engine shares: the transition context, the event log every change
 * goes through, execution pointers (tokens), and queries over a case's open work. No step
 * semantics and no clocks here, so the interpreter, the clocks, the referral loop and the
 * projection bookkeeping can each change without the others.
 */
import { parseLocalDate } from './calendar';
import { readField } from './conditions';
import type { ActorRef, CaseEvent, CaseEventType, CaseReferral, CaseState, CaseTask, Token } from './case-state';
import type { PathwayDefinition, Step } from './pathway-schema';

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

export const MAX_STEPS_PER_TRANSITION = 500;

export const SYSTEM_ACTOR_REF: ActorRef = { id: 'system', kind: 'system' };

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
export function collectedDate(state: CaseState, path: string): Date | undefined {
  const value = readField(state.data, path);
  return typeof value === 'string' ? parseLocalDate(value, state.calendar) : undefined;
}

export function openTasks(state: CaseState): CaseTask[] {
  return state.tasks.filter((task) => task.status === 'open' || task.status === 'claimed');
}

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
