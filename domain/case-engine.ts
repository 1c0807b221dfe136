/**
 * The pathway interpreter as a pure state machine. The case workflow is a thin durable shell around
 * it: it feeds commands and clock ticks in, sleeps until `nextWakeAt`, and ships projection batches
 * out. Being pure, the same code lets the API compute a new case's first state without waiting for
 * a worker, and lets unit tests walk a pathway through months in microseconds.
 *
 * This module starts cases and is the engine's one entry point; the parts live by reason to change:
 * case-interpreter.ts (step semantics), case-clocks.ts (deadlines, reminders, escalations, the
 * suspension pause), case-referrals.ts and case-referral-answers.ts (the closed loop),
 * case-projection.ts (read-model bookkeeping) and case-engine-base.ts (what they share).
 */
import { calendarFor, type HolidayRule } from './calendar';
import { emit, newToken, type EngineContext } from './case-engine-base';
import { enterStep, settle } from './case-interpreter';
import { batchSince } from './case-projection';
import type { ActorRef, CaseState, FieldValue, ProjectionBatch } from './case-state';
import type { PathwayDefinition } from './pathway-schema';

export { activeReferrals, emit, isActiveReferral, newToken, openTasks, pendingReferrals, PathwayRuntimeError, stepOf, SYSTEM_ACTOR_REF, type EngineContext } from './case-engine-base';
export { nextWakeAt, scheduleDeadline, shiftClocks } from './case-clocks';
export { closeCase, enterStep, finishTask, moveOn, tick } from './case-interpreter';
export { scheduleReferralDeadline } from './case-referrals';
export { acceptReferral, recordReferralOutcome, rejectReferral } from './case-referral-answers';
export { batchSince, markProjected, snapshotOf } from './case-projection';

/**
 * What starting a case needs. The workflow's input (case-messages.ts CaseWorkflowInput) extends
 * it; the engine owns it so that it imports no message definitions (which import the migration,
 * which imports the engine's parts).
 */
export interface NewCase {
  caseId: string;
  reference: string;
  areaId: string;
  /** Fixed by the caller so that it and the workflow compute the same initial state. */
  startedAt: string;
  startedBy: ActorRef;
  caseData: Record<string, FieldValue>;
  pathway: { key: string; version: number; definition: PathwayDefinition };
  localHolidays: HolidayRule[];
  timezone?: string;
}

/** Builds the first state of a case and the batch that projects it: identical wherever it runs. */
export function createCase(input: NewCase): { state: CaseState; batch: ProjectionBatch } {
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
