/**
 * Projection bookkeeping: the read-model row of a case, the batch of everything changed since a
 * sequence number, and forgetting what the read model has confirmed so state stays small.
 */
import { openTasks, pendingReferrals, isActiveReferral } from './case-engine-base';
import type { CaseSnapshot, CaseState, CaseTask, PlanSignOff, ProjectionBatch } from './case-state';

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
