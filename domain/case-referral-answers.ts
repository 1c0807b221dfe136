/**
 * The receiving service's answers to a referral: it accepts it, rejects it with a reason code, or
 * reports its outcome; a rejection or an outcome moves the case on.
 */
import { emit, stepOf, type EngineContext } from './case-engine-base';
import { moveOn } from './case-interpreter';
import type { CaseReferral, CaseState } from './case-state';
import type { ReferralStep } from './pathway-schema';

function referralStep(ctx: EngineContext, referral: CaseReferral): ReferralStep {
  return stepOf(ctx.definition, referral.stepId) as ReferralStep;
}

const withNote = (details: Record<string, unknown>, note: string | undefined) => (note ? { ...details, note } : details);

/** The receiving service takes the referral on (with the first appointment, if given); the case waits for its outcome. */
export function acceptReferral(state: CaseState, ctx: EngineContext, referral: CaseReferral, { note, firstAppointmentAt }: { note?: string; firstAppointmentAt?: string } = {}): void {
  referral.status = 'accepted';
  referral.respondedAt = ctx.now.toISOString();
  referral.respondedBy = ctx.actor.id;
  state.data[referral.stepId] = { ...(state.data[referral.stepId] ?? {}), status: 'accepted' };
  state.lastProgressAt = ctx.now.toISOString();
  referral.version = emit(state, ctx, 'referral_accepted', {
    stepId: referral.stepId,
    // Without an appointment the details stay exactly as before (replay of existing histories).
    details: withNote({ referralId: referral.id, toService: referral.toService, ...(firstAppointmentAt ? { firstAppointmentAt } : {}) }, note),
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
