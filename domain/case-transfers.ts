/**
 * Transfers between areas as requests: the sending area's manager asks, the receiving area's
 * manager accepts (the case moves, its open tasks go to the receiving area's queues) or refuses with
 * a reason; the sender may withdraw an unanswered request. Pure and deterministic (workflow bundle).
 */
import { mayAnswerTransfer, maySupervise } from './access';
import { calendarFor, type HolidayRule } from './calendar';
import { activeReferrals, emit, openTasks, type EngineContext } from './case-engine-base';
import { commandRejections, type CaseCommand, type CommandRejection } from './case-commands';
import { caseHasEnded, type Actor, type CaseState } from './case-state';

type TransferCommand = Extract<CaseCommand, { kind: 'requestTransfer' | 'acceptTransfer' | 'refuseTransfer' | 'withdrawTransfer' }>;

const refusal = (type: CommandRejection['type'], message: string, issues?: CommandRejection['issues']): CommandRejection =>
  issues ? { type, message, issues } : { type, message };

/** Why a transfer command must be refused, or null. Never mutates. */
export function checkTransferCommand(state: CaseState, actor: Actor, command: TransferCommand): CommandRejection | null {
  if (caseHasEnded(state.status)) return refusal(commandRejections.caseNotActive, `the case is ${state.status}`);
  const pending = state.pendingTransfer ?? null;
  if (command.kind === 'requestTransfer') {
    if (!maySupervise(actor, state.areaId)) return refusal(commandRejections.forbidden, 'only a manager of the area can ask to transfer a case');
    if (command.areaId === state.areaId) {
      return refusal(commandRejections.invalidData, 'the case is already in that area', [{ path: ['areaId'], message: 'choose another area' }]);
    }
    return pending ? refusal(commandRejections.conflict, `a transfer to "${pending.toAreaId}" is already waiting for an answer`) : null;
  }
  if (!pending || pending.transferId !== command.transferId) return refusal(commandRejections.notFound, `no pending transfer ${command.transferId}`);
  if (command.kind === 'withdrawTransfer') {
    return maySupervise(actor, pending.fromAreaId) ? null : refusal(commandRejections.forbidden, 'only a manager of the sending area can withdraw the request');
  }
  return mayAnswerTransfer(actor, pending.toAreaId) ? null : refusal(commandRejections.forbidden, 'only a manager of the receiving area can answer the request');
}

/** Applies a checked transfer command. */
export function applyTransferCommand(state: CaseState, ctx: EngineContext, command: TransferCommand): void {
  if (command.kind === 'requestTransfer') {
    const transferId = `transfer-${state.seq + 1}`;
    state.pendingTransfer = {
      transferId,
      fromAreaId: state.areaId,
      toAreaId: command.areaId,
      reason: command.reason,
      requestedBy: ctx.actor.id,
      requestedAt: ctx.now.toISOString(),
    };
    // The area ids stay in clear beside the sealed details (infra/codec/personal-data.ts): the receiving area's list reads them.
    emit(state, ctx, 'transfer_requested', { details: { transferId, fromAreaId: state.areaId, toAreaId: command.areaId, reason: command.reason } });
    return;
  }
  const pending = state.pendingTransfer!;
  state.pendingTransfer = null;
  const ids = { transferId: pending.transferId, fromAreaId: pending.fromAreaId, toAreaId: pending.toAreaId };
  switch (command.kind) {
    case 'acceptTransfer':
      moveCase(state, ctx, pending.toAreaId, command.localHolidays, { ...ids, reason: pending.reason, requestedBy: pending.requestedBy });
      break;
    case 'refuseTransfer':
      emit(state, ctx, 'transfer_refused', { details: { ...ids, reason: command.reason } });
      break;
    case 'withdrawTransfer':
      emit(state, ctx, 'transfer_withdrawn', { details: command.reason ? { ...ids, reason: command.reason } : ids });
      break;
  }
}

/**
 * Moves the case to another area (a direct transfer of older histories, or an accepted request): its
 * calendar becomes the area's, open tasks go back to the receiving area's queues, referrals follow.
 */
export function moveCase(state: CaseState, ctx: EngineContext, areaId: string, localHolidays: HolidayRule[], details: Record<string, unknown>): void {
  state.areaId = areaId;
  state.calendar = calendarFor(localHolidays, state.calendar.timezone);
  const event = emit(state, ctx, 'case_transferred', { details });
  for (const task of openTasks(state)) {
    task.areaId = areaId;
    task.assigneeId = null;
    task.status = 'open';
    task.version = event.seq;
  }
  for (const referral of activeReferrals(state)) {
    referral.areaId = areaId;
    referral.version = event.seq;
  }
}
