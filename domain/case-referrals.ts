/**
 * Closed-loop referrals: raised by a referral step, with an acceptance deadline whose reminders and
 * escalation ladder work like a task's. Answers (accept, reject, outcome) are in
 * case-referral-answers.ts, because they move the case on through the interpreter.
 */
import { initialDueAt, layOutAlerts } from './case-clocks';
import { emit, pendingReferrals, type EngineContext } from './case-engine-base';
import type { CaseReferral, CaseState, Token } from './case-state';
import type { ReferralStep } from './pathway-schema';

export function createReferral(state: CaseState, ctx: EngineContext, token: Token, stepId: string, step: ReferralStep): CaseReferral {
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
  layOutAlerts(referral, state, ctx.now, step, dueAt, referral.toService);
}

export function fireDueReferralAlerts(state: CaseState, ctx: EngineContext, nowMs: number): boolean {
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
