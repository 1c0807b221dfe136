/**
 * The internal clocks pause while the person cannot be reached: N failed contact attempts in a row
 * (the `contact_failures` stall rule) pause them, a successful contact resumes them, shifted by the
 * pause. Statutory deadlines never pause (case-clocks.ts shiftClocks). Pure and deterministic.
 */
import { emit, openTasks, pendingReferrals, type EngineContext } from './case-engine-base';
import { shiftClocks } from './case-clocks';
import type { CaseState } from './case-state';

/** Counts a recorded contact; pauses or resumes the internal clocks. `threshold` null: the rule is off (a contact still resumes). */
export function countContact(state: CaseState, ctx: EngineContext, outcome: 'reached' | 'failed_attempt', threshold: number | null): void {
  if (outcome === 'reached') {
    state.failedContactsInRow = 0;
    if (state.contactPausedAt) resumeInternalClocks(state, ctx);
    return;
  }
  const failed = (state.failedContactsInRow ?? 0) + 1;
  state.failedContactsInRow = failed;
  if (threshold === null || failed < threshold || state.contactPausedAt) return;
  state.contactPausedAt = ctx.now.toISOString();
  emit(state, ctx, 'clocks_paused', { details: { failedAttempts: failed, threshold } });
}

function resumeInternalClocks(state: CaseState, ctx: EngineContext): void {
  const pausedFrom = Date.parse(state.contactPausedAt!);
  const pausedMs = Math.max(0, ctx.now.getTime() - pausedFrom);
  state.contactPausedAt = null;
  // While suspended, the suspension's own shift covers the time (on resume): shifting here too would count it twice.
  const shifted = state.status === 'active';
  if (shifted) shiftClocks(state, pausedMs, pausedFrom);
  const event = emit(state, ctx, 'clocks_resumed', { details: { pausedMs: shifted ? pausedMs : 0 } });
  for (const task of openTasks(state)) task.version = event.seq;
  for (const referral of pendingReferrals(state)) referral.version = event.seq;
}

/**
 * A suspension takes over a contact pause: the time paused so far is banked now (the clocks shifted)
 * and the pause restarts when the case resumes, so no interval is counted twice.
 */
export function bankContactPauseOnSuspend(state: CaseState, now: Date): void {
  if (!state.contactPausedAt) return;
  const pausedFrom = Date.parse(state.contactPausedAt);
  shiftClocks(state, Math.max(0, now.getTime() - pausedFrom), pausedFrom);
  state.contactPausedAt = now.toISOString();
}

/** On resuming a suspended case, a contact pause still in force counts from now (the suspension's shift covered the rest). */
export function restartContactPauseOnResume(state: CaseState, now: Date): void {
  if (state.contactPausedAt) state.contactPausedAt = now.toISOString();
}
