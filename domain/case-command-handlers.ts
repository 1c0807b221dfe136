/**
 * What each command does to a case, and when it is refused. `checkCommand` never mutates (it backs
 * the workflow's update validators, so a refused command leaves no trace in history);
 * `applyCommand` assumes a passed check and performs the change.
 */
import { inArea, maySupervise, mayRespondToReferral, mayWorkTask } from './access';
import { deadlineAfter } from './calendar';
import type { CaseCommand, CaseCommandEnvelope, CommandRejection } from './case-commands';
import { commandRejections } from './case-commands';
import {
  acceptReferral,
  closeCase,
  emit,
  finishTask,
  openTasks,
  pendingReferrals,
  recordReferralOutcome,
  rejectReferral,
  scheduleDeadline,
  scheduleReferralDeadline,
  shiftClocks,
  tick,
  type EngineContext,
} from './case-engine';
import { caseHasEnded, type Actor, type CaseReferral, type CaseState, type CaseTask } from './case-state';
import { applyIntervention, checkIntervention } from './case-interventions';
import { applyTransferCommand, checkTransferCommand, moveCase } from './case-transfers';
import { bankContactPauseOnSuspend, countContact, restartContactPauseOnResume } from './contact-pause';
import { applyMigration, checkMigration, migrationRejection, type MigrationOptions } from './case-migration';
import { validateFormData } from './form-validation';
import type { FormField, PathwayDefinition, ReferralStep, TaskStep } from './pathway-schema';

const reject = (type: CommandRejection['type'], message: string, issues?: CommandRejection['issues']): CommandRejection =>
  issues ? { type, message, issues } : { type, message };

function taskStep(definition: PathwayDefinition, task: CaseTask): TaskStep {
  return definition.steps[task.stepId] as TaskStep;
}

/** The service in whose name the actor signs a joint task: the first of theirs that has not signed yet. */
function signingService(actor: Actor, task: CaseTask): string | undefined {
  if (!task.signOff) return undefined;
  const signed = new Set(task.signOff.signed.map((s) => s.service));
  return task.signOff.services.find((service) => actor.services.includes(service) && !signed.has(service))
    ?? (maySupervise(actor, task.areaId) ? task.signOff.services.find((service) => !signed.has(service)) : undefined);
}

/** With distinct signers, each service signs through a different person who holds that service (not an area manager signing for it). */
function distinctSignerRefusal(actor: Actor, task: CaseTask): CommandRejection | null {
  if (task.signOff?.signed.some((signature) => signature.actorId === actor.id)) {
    return reject(commandRejections.conflict, 'you have signed this plan for another service: each service signs through a different person');
  }
  const service = signingService(actor, task);
  if (service && !actor.services.includes(service)) {
    return reject(commandRejections.forbidden, `only someone of the "${service}" service signs the plan for it`);
  }
  return null;
}

// The relaxed copy of each form (per field list of the pinned definition), kept so that its
// validation schema, cached per list object in form-validation.ts, is built once, not per signature.
const laterSignerFields = new WeakMap<FormField[], FormField[]>();

/** Later signers of a joint task may add to the form but need not repeat what the first signer filled. */
function fieldsFor(task: CaseTask, step: TaskStep): FormField[] {
  const alreadyFilled = task.signOff !== null && task.signOff.signed.length > 0;
  if (!alreadyFilled) return step.form.fields;
  let relaxed = laterSignerFields.get(step.form.fields);
  if (!relaxed) {
    relaxed = step.form.fields.map((field) => ({ ...field, required: false }));
    laterSignerFields.set(step.form.fields, relaxed);
  }
  return relaxed;
}

/** A joint task's signature already given with this idempotency key: the retry of a signature. */
function isRepeatedSignature(task: CaseTask, key: string | undefined): boolean {
  return key !== undefined && task.signOff !== null && task.signOff.signed.some((signature) => signature.key === key);
}

function checkTaskCommand(state: CaseState, definition: PathwayDefinition, actor: Actor, command: Extract<CaseCommand, { taskId: string }>): CommandRejection | null {
  const task = state.tasks.find((t) => t.id === command.taskId);
  if (!task) {
    const closed = state.recentlyClosed.find((t) => t.taskId === command.taskId);
    if (!closed) return reject(commandRejections.notFound, `task ${command.taskId} is not open in this case`);
    const sameCompletion = command.kind === 'completeTask' && closed.status === 'completed' && command.idempotencyKey !== undefined && command.idempotencyKey === closed.completionKey;
    return sameCompletion ? null : reject(commandRejections.conflict, `the task is already ${closed.status}`);
  }
  if (command.kind === 'completeTask' && task.status === 'completed') {
    const sameCompletion = command.idempotencyKey !== undefined && command.idempotencyKey === task.completionKey;
    return sameCompletion ? null : reject(commandRejections.conflict, 'the task is already completed');
  }
  if (task.status === 'completed' || task.status === 'cancelled') return reject(commandRejections.conflict, `the task is ${task.status}`);
  if (state.status !== 'active') return reject(commandRejections.caseNotActive, `the case is ${state.status}`);
  const claimedByOther = task.assigneeId !== null && task.assigneeId !== actor.id;
  switch (command.kind) {
    case 'claimTask':
      if (!mayWorkTask(actor, task)) return reject(commandRejections.forbidden, 'this task belongs to another service or role');
      if (claimedByOther) return reject(commandRejections.conflict, 'the task is claimed by someone else');
      return null;
    case 'releaseTask':
      if (task.assigneeId === null) return reject(commandRejections.conflict, 'the task is not claimed');
      if (claimedByOther && !maySupervise(actor, task.areaId)) return reject(commandRejections.forbidden, 'only the assignee or a supervisor can release the task');
      return null;
    case 'completeTask': {
      if (isRepeatedSignature(task, command.idempotencyKey)) return null;
      if (!mayWorkTask(actor, task)) return reject(commandRejections.forbidden, 'this task belongs to another service or role');
      if (claimedByOther && !maySupervise(actor, task.areaId)) return reject(commandRejections.conflict, 'the task is claimed by someone else');
      if (task.signOff && !signingService(actor, task)) return reject(commandRejections.conflict, 'your service has already signed this plan');
      if (task.signOff && taskStep(definition, task).signOff?.distinctSigners) {
        const refusal = distinctSignerRefusal(actor, task);
        if (refusal) return refusal;
      }
      const result = validateFormData(fieldsFor(task, taskStep(definition, task)), command.data);
      if (!result.ok) return reject(commandRejections.invalidData, 'the form data is not valid', result.issues);
      return null;
    }
    case 'reassignTask':
      if (!maySupervise(actor, task.areaId)) return reject(commandRejections.forbidden, 'only a supervisor of the area can reassign tasks');
      if (command.assigneeId === task.assigneeId) return reject(commandRejections.conflict, 'the task already has that assignee');
      // Whether the assignee can work the task (domain/access.ts assignmentRefusal) needs their roles, areas, services and
      // whether they are active: the command names them by id only and the workflow cannot read the directory, so the API
      // (single and bulk reassign) decides it with that function before sending. The one assignee known here is the actor,
      // and a supervisor of the area can always work its tasks.
      return null;
    case 'handTask':
      // The holder hands their own task (absence cover); a supervisor of the area, or the cover sweep (system), any.
      // As for reassignTask, whether the colleague may take it (domain/access.ts coverRefusal) is the API's check.
      if (task.assigneeId !== actor.id && actor.kind !== 'system' && !maySupervise(actor, task.areaId)) {
        return reject(commandRejections.forbidden, 'only the holder of the task or a supervisor of the area can hand it on');
      }
      return command.assigneeId === task.assigneeId ? reject(commandRejections.conflict, 'the task already has that assignee') : null;
    case 'extendDeadline': {
      if (!maySupervise(actor, task.areaId)) return reject(commandRejections.forbidden, 'only a supervisor of the area can extend deadlines');
      return laterDeadlineRejection(task.dueAt, extendedDueAt(state, task.dueAt, command), command);
    }
  }
}

/** What a deadline extension (of a task or of a referral's acceptance) asks for: a new date, or the current one moved by a duration. */
type DeadlineExtension = Extract<CaseCommand, { kind: 'extendDeadline' | 'extendReferralDeadline' }>;

/** The new due date of an extension; counted from the current one, or from the last change when there is none. */
function extendedDueAt(state: CaseState, currentDueAt: string | null, command: DeadlineExtension): Date {
  if (command.newDueAt) return new Date(command.newDueAt);
  const base = currentDueAt ? new Date(currentDueAt) : new Date(state.updatedAt);
  return deadlineAfter(base, command.by!, state.calendar);
}

/** An extension must move the deadline later; the refusal names the field that asked for it. */
function laterDeadlineRejection(currentDueAt: string | null, newDue: Date, command: DeadlineExtension): CommandRejection | null {
  if (currentDueAt === null || newDue.getTime() > Date.parse(currentDueAt)) return null;
  return reject(commandRejections.invalidData, 'the new deadline must be later than the current one', [
    { path: [command.newDueAt ? 'newDueAt' : 'by'], message: `must be after ${currentDueAt}` },
  ]);
}

/** Returns why a command must be refused, or null when it may be applied. Never mutates. */
export function checkCommand(state: CaseState, definition: PathwayDefinition, envelope: CaseCommandEnvelope): CommandRejection | null {
  const { actor, command } = envelope;
  if ('taskId' in command) return checkTaskCommand(state, definition, actor, command);
  if ('referralId' in command) return checkReferralCommand(state, definition, actor, command);
  const closed = caseHasEnded(state.status);
  switch (command.kind) {
    case 'skipStep':
    case 'reopenStep':
    case 'moveToStep':
      return checkIntervention(state, definition, actor, command);
    case 'migrateCase':
      return migrationRejection(checkMigration(state, definition, actor, command));
    case 'addNote':
      if (!inArea(actor, state.areaId)) return reject(commandRejections.forbidden, 'the case is outside your areas');
      return closed ? reject(commandRejections.caseNotActive, `the case is ${state.status}`) : null;
    case 'recordContact':
      // Contacts and failed attempts count most while a case is suspended because the person cannot be reached.
      if (!inArea(actor, state.areaId) || !(actor.roles.includes('operator') || maySupervise(actor, state.areaId))) {
        return reject(commandRejections.forbidden, 'only operators and supervisors of the area can record contacts');
      }
      return closed ? reject(commandRejections.caseNotActive, `the case is ${state.status}`) : null;
    case 'suspendCase':
      if (!inArea(actor, state.areaId) || !(actor.roles.includes('operator') || maySupervise(actor, state.areaId))) {
        return reject(commandRejections.forbidden, 'only operators and supervisors of the area can suspend a case');
      }
      return state.status === 'active' ? null : reject(commandRejections.caseNotActive, `the case is ${state.status}`);
    case 'resumeCase':
      if (!inArea(actor, state.areaId) || !(actor.roles.includes('operator') || maySupervise(actor, state.areaId))) {
        return reject(commandRejections.forbidden, 'only operators and supervisors of the area can resume a case');
      }
      return state.status === 'suspended' ? null : reject(commandRejections.conflict, `the case is ${state.status}, not suspended`);
    case 'cancelCase':
      if (!maySupervise(actor, state.areaId)) return reject(commandRejections.forbidden, 'only a supervisor of the area can cancel a case');
      return closed ? reject(commandRejections.caseNotActive, `the case is ${state.status}`) : null;
    case 'closeCase': {
      if (!maySupervise(actor, state.areaId)) return reject(commandRejections.forbidden, 'only a supervisor of the area can close a case');
      if (closed) return reject(commandRejections.caseNotActive, `the case is ${state.status}`);
      const allowed = allowedOutcomes(definition);
      return allowed.includes(command.outcome)
        ? null
        : reject(commandRejections.invalidData, 'unknown outcome', [{ path: ['outcome'], message: `one of: ${allowed.join(', ')}` }]);
    }
    case 'requestTransfer':
    case 'acceptTransfer':
    case 'refuseTransfer':
    case 'withdrawTransfer':
      return checkTransferCommand(state, actor, command);
    case 'transferCase':
      if (!maySupervise(actor, state.areaId)) return reject(commandRejections.forbidden, 'only a supervisor of the area can transfer a case');
      if (closed) return reject(commandRejections.caseNotActive, `the case is ${state.status}`);
      return command.areaId === state.areaId
        ? reject(commandRejections.invalidData, 'the case is already in that area', [{ path: ['areaId'], message: 'choose another area' }])
        : null;
  }
}

/** Outcomes a supervisor may close with: the pathway's list plus every end step's outcome. */
export function allowedOutcomes(definition: PathwayDefinition): string[] {
  const fromEnds = Object.values(definition.steps).flatMap((step) => (step.kind === 'end' ? [step.outcome] : []));
  return [...new Set([...definition.outcomes, ...fromEnds])].sort();
}

/**
 * The time a command happened, which stamps its events and starts the deadlines it sets: when its
 * sender sent it (`sentAt`, part of the Update's input, so the same live and on every replay), never
 * before the case's last event (a tick taken at its wake time, while the command waited behind it).
 * Not the workflow's clock: in the activation that fires a timer right after a worker restart the
 * SDK can hand the workflow a stale clock, and a deadline computed from it is not what a replay
 * computes (the read model and the workflow's state would disagree). `clock` serves commands sent
 * without a time (by senders older than this rule).
 */
export function commandTime(state: Pick<CaseState, 'updatedAt'>, sentAt: string | undefined, clock: Date): Date {
  const sent = sentAt === undefined ? Number.NaN : Date.parse(sentAt);
  if (!Number.isFinite(sent)) return clock;
  return new Date(Math.max(sent, Date.parse(state.updatedAt)));
}

/** Applies a checked command; returns false when it changed nothing (an idempotent repeat). `options` tune a migration. */
export function applyCommand(state: CaseState, definition: PathwayDefinition, envelope: CaseCommandEnvelope, now: Date, options: MigrationOptions = {}): boolean {
  const { actor, command } = envelope;
  const ctx: EngineContext = { definition, now, actor: { id: actor.id, kind: actor.kind } };
  const seqBefore = state.seq;
  switch (command.kind) {
    case 'claimTask': {
      const task = findTask(state, command.taskId);
      if (task.assigneeId === actor.id) return false;
      task.assigneeId = actor.id;
      task.status = 'claimed';
      task.version = emit(state, ctx, 'task_claimed', { stepId: task.stepId, taskId: task.id }).seq;
      break;
    }
    case 'releaseTask': {
      const task = findTask(state, command.taskId);
      const previous = task.assigneeId;
      task.assigneeId = null;
      task.status = 'open';
      task.version = emit(state, ctx, 'task_released', { stepId: task.stepId, taskId: task.id, details: { previousAssignee: previous } }).seq;
      break;
    }
    case 'completeTask': {
      const task = state.tasks.find((t) => t.id === command.taskId);
      // Absent here means closed and already in the read model: a repeat of the same completion.
      if (!task) return false;
      completeTask(state, ctx, task, actor, command);
      break;
    }
    case 'reassignTask':
    case 'handTask': {
      const task = findTask(state, command.taskId);
      const previous = task.assigneeId;
      task.assigneeId = command.assigneeId;
      task.status = command.assigneeId ? 'claimed' : 'open';
      task.version = emit(state, ctx, 'task_reassigned', {
        stepId: task.stepId,
        taskId: task.id,
        // A handed task says so: the timeline shows a colleague covering, not a manager's reassignment.
        details: { from: previous, to: command.assigneeId, reason: command.reason, ...(command.kind === 'handTask' ? { handed: true } : {}) },
      }).seq;
      break;
    }
    case 'extendDeadline': {
      const task = findTask(state, command.taskId);
      const previous = task.dueAt;
      scheduleDeadline(state, ctx, task, definition.steps[task.stepId] as TaskStep, extendedDueAt(state, task.dueAt, command));
      // A new deadline restarts the ladder: the levels already reached no longer describe the task.
      task.escalationLevel = 0;
      task.version = emit(state, ctx, 'deadline_extended', {
        stepId: task.stepId,
        taskId: task.id,
        details: { previousDueAt: previous, dueAt: task.dueAt, reason: command.reason },
      }).seq;
      break;
    }
    case 'suspendCase':
      bankContactPauseOnSuspend(state, now);
      state.status = 'suspended';
      state.suspendedAt = now.toISOString();
      emit(state, ctx, 'case_suspended', { details: { reason: command.reason } });
      break;
    case 'resumeCase': {
      const pausedMs = now.getTime() - Date.parse(state.suspendedAt ?? now.toISOString());
      shiftClocks(state, pausedMs);
      restartContactPauseOnResume(state, now);
      state.status = 'active';
      state.suspendedAt = null;
      state.lastProgressAt = now.toISOString();
      emit(state, ctx, 'case_resumed', { details: { pausedMs, ...(command.reason ? { reason: command.reason } : {}) } });
      bumpOpenTasks(state);
      for (const referral of pendingReferrals(state)) referral.version = state.seq;
      break;
    }
    case 'cancelCase':
      closeCase(state, ctx, null, 'case_cancelled', command.reason);
      break;
    case 'closeCase':
      closeCase(state, ctx, command.outcome, 'case_closed', command.reason);
      break;
    case 'transferCase':
      // A direct move, as histories recorded before transfers were requests still send it.
      moveCase(state, ctx, command.areaId, command.localHolidays, { from: state.areaId, to: command.areaId, reason: command.reason });
      break;
    case 'requestTransfer':
    case 'acceptTransfer':
    case 'refuseTransfer':
    case 'withdrawTransfer':
      applyTransferCommand(state, ctx, command);
      break;
    case 'addNote':
      // Without a category the details stay exactly as before (replay of existing histories).
      emit(state, ctx, 'note_added', { details: command.category ? { text: command.text, category: command.category } : { text: command.text } });
      break;
    case 'skipStep':
    case 'reopenStep':
    case 'moveToStep':
      applyIntervention(state, ctx, command);
      break;
    case 'migrateCase':
      // From here on the case interprets the new version: the workflow swaps its pinned definition too.
      applyMigration(state, { ...ctx, definition: command.definition }, definition, command, options);
      break;
    case 'recordContact': {
      // Never later than now: the API refuses future times against its clock, which may run slightly ahead.
      const at = new Date(Math.min(Date.parse(command.at), now.getTime())).toISOString();
      if (command.outcome === 'reached' && (!state.lastContactAt || at > state.lastContactAt)) state.lastContactAt = at;
      emit(state, ctx, 'contact_recorded', {
        details: { outcome: command.outcome, channel: command.channel, at, ...(command.note ? { note: command.note } : {}) },
      });
      // Commands recorded before contacts paused clocks carry no rule: they replay as they ran.
      if (command.pauseAfterFailedAttempts !== undefined) countContact(state, ctx, command.outcome, command.pauseAfterFailedAttempts);
      break;
    }
    case 'acceptReferral':
      acceptReferral(state, ctx, findReferral(state, command.referralId), command);
      break;
    case 'rejectReferral':
      rejectReferral(state, ctx, findReferral(state, command.referralId), command.reasonCode, command.note);
      break;
    case 'recordReferralOutcome':
      recordReferralOutcome(state, ctx, findReferral(state, command.referralId), command.outcome, command.note);
      break;
    case 'extendReferralDeadline': {
      const referral = findReferral(state, command.referralId);
      const previous = referral.acceptDueAt;
      scheduleReferralDeadline(state, ctx, referral, definition.steps[referral.stepId] as ReferralStep, extendedDueAt(state, referral.acceptDueAt, command));
      // As for tasks: a new deadline restarts the ladder.
      referral.escalationLevel = 0;
      referral.version = emit(state, ctx, 'referral_deadline_extended', {
        stepId: referral.stepId,
        details: { referralId: referral.id, previousDueAt: previous, dueAt: referral.acceptDueAt, reason: command.reason },
      }).seq;
      break;
    }
  }
  tick(state, command.kind === 'migrateCase' ? command.definition : definition, now);
  return state.seq !== seqBefore;
}

function completeTask(state: CaseState, ctx: EngineContext, task: CaseTask, actor: Actor, command: Extract<CaseCommand, { kind: 'completeTask' }>): void {
  if (task.status === 'completed' || isRepeatedSignature(task, command.idempotencyKey)) return;
  const step = ctx.definition.steps[task.stepId] as TaskStep;
  const result = validateFormData(fieldsFor(task, step), command.data);
  if (!result.ok) throw new Error('completeTask applied without a passing check');
  if (task.signOff) {
    const service = signingService(actor, task)!;
    task.signOff.signed.push({ service, actorId: actor.id, at: ctx.now.toISOString(), key: command.idempotencyKey ?? null });
    state.data[task.stepId] = { ...(state.data[task.stepId] ?? {}), ...result.data };
    const pending = task.signOff.services.filter((s) => !task.signOff!.signed.some((signed) => signed.service === s));
    task.version = emit(state, ctx, 'task_signed', { stepId: task.stepId, taskId: task.id, details: { service, pending } }).seq;
    state.lastProgressAt = ctx.now.toISOString();
    if (pending.length > 0) {
      // The signer's claim ends with their signature; the plan waits in the next service's queue.
      task.assigneeId = null;
      task.status = 'open';
      task.service = pending[0];
      return;
    }
    finishTask(state, ctx, task, {}, command.idempotencyKey ?? null);
    return;
  }
  finishTask(state, ctx, task, result.data, command.idempotencyKey ?? null);
}

function bumpOpenTasks(state: CaseState): void {
  for (const task of openTasks(state)) task.version = state.seq;
}

function findTask(state: CaseState, taskId: string): CaseTask {
  const task = state.tasks.find((t) => t.id === taskId);
  if (!task) throw new Error(`task ${taskId} vanished between check and apply`);
  return task;
}

function checkReferralCommand(state: CaseState, definition: PathwayDefinition, actor: Actor, command: Extract<CaseCommand, { referralId: string }>): CommandRejection | null {
  const referral = (state.referrals ?? []).find((r) => r.id === command.referralId);
  if (!referral) return reject(commandRejections.notFound, `referral ${command.referralId} is not open in this case`);
  if (state.status !== 'active') return reject(commandRejections.caseNotActive, `the case is ${state.status}`);
  const step = definition.steps[referral.stepId] as ReferralStep;
  switch (command.kind) {
    case 'acceptReferral':
    case 'rejectReferral': {
      if (!mayRespondToReferral(actor, referral)) return reject(commandRejections.forbidden, `only ${referral.toService} can answer this referral`);
      if (referral.status !== 'pending') return reject(commandRejections.conflict, `the referral is already ${referral.status}`);
      if (command.kind === 'acceptReferral') return null;
      const codes = step.rejectionReasons.map((r) => r.code);
      return codes.includes(command.reasonCode)
        ? null
        : reject(commandRejections.invalidData, 'unknown rejection reason', [{ path: ['reasonCode'], message: `one of: ${codes.join(', ')}` }]);
    }
    case 'recordReferralOutcome': {
      if (!mayRespondToReferral(actor, referral)) return reject(commandRejections.forbidden, `only ${referral.toService} can report the outcome of this referral`);
      if (referral.status !== 'accepted') return reject(commandRejections.conflict, `the referral is ${referral.status}; an outcome follows acceptance`);
      const codes = step.outcomes.map((o) => o.code);
      return codes.includes(command.outcome)
        ? null
        : reject(commandRejections.invalidData, 'unknown outcome', [{ path: ['outcome'], message: `one of: ${codes.join(', ')}` }]);
    }
    case 'extendReferralDeadline': {
      if (!maySupervise(actor, referral.areaId)) return reject(commandRejections.forbidden, 'only a supervisor of the area can extend deadlines');
      if (referral.status !== 'pending') return reject(commandRejections.conflict, `the referral is already ${referral.status}`);
      return laterDeadlineRejection(referral.acceptDueAt, extendedDueAt(state, referral.acceptDueAt, command), command);
    }
  }
}

function findReferral(state: CaseState, referralId: string): CaseReferral {
  const referral = (state.referrals ?? []).find((r) => r.id === referralId);
  if (!referral) throw new Error(`referral ${referralId} vanished between check and apply`);
  return referral;
}
