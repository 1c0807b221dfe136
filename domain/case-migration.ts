/**
 * Moving a running case to a newer published version of its pathway with a step mapping. Pure:
 * `checkMigration` lists every reason a case cannot move (the API's dry run and the workflow's
 * validator ask the same function), `applyMigration` moves a case that passed it.
 *
 * What a move keeps: the history (events are never rewritten), the collected data (a renamed step's
 * data is also copied under its new id, so the new version's rules find it), and the deadlines.
 * Open tasks keep their due date; their reminders and escalation ladder stay exactly as they are
 * when the new step defines the same ones, and are rebuilt from the new step against the same due
 * date only where the old definition is gone (the step changed them): levels already reached stay
 * reached, reminders already past are not sent late. A task whose step now belongs to another
 * service or role goes back to that queue, unassigned.
 */
import { mayMigrate } from './access';
import type { CaseCommand, CommandRejection } from './case-commands';
import { commandRejections } from './case-commands';
import { scheduleDeadline } from './case-clocks';
import { activeReferrals, emit, openTasks, type EngineContext } from './case-engine-base';
import { scheduleReferralDeadline } from './case-referrals';
import { caseHasEnded, type Actor, type CaseReferral, type CaseState, type CaseTask } from './case-state';
import type { FormField, PathwayDefinition, ReferralStep, Step, TaskStep } from './pathway-schema';

export type MigrateCaseCommand = Extract<CaseCommand, { kind: 'migrateCase' }>;

export const migrationProblemCodes = [
  'forbidden',
  'case_not_active',
  'version_mismatch',
  'unmapped_step',
  'mapped_step_missing',
  'step_kind_changed',
  'form_incompatible',
  'sign_off_incompatible',
] as const;
export type MigrationProblemCode = (typeof migrationProblemCodes)[number];

export interface MigrationProblem {
  code: MigrationProblemCode;
  /** The step of the case's current version the problem is about, if any. */
  stepId: string | null;
  message: string;
}

/** The dry-run answer for one case. */
export interface MigrationCheck {
  canMove: boolean;
  problems: MigrationProblem[];
}

/** The new id of an old step: the mapping's, or the same id. */
export function mappedStepId(mapping: Record<string, string>, stepId: string): string {
  return Object.prototype.hasOwnProperty.call(mapping, stepId) ? mapping[stepId] : stepId;
}

/** Steps where the case stands now: every line's position, and every step with an open task or referral. */
function liveStepIds(state: CaseState): string[] {
  const ids = new Set<string>(state.tokens.map((token) => token.stepId));
  for (const task of openTasks(state)) ids.add(task.stepId);
  for (const referral of activeReferrals(state)) ids.add(referral.stepId);
  return [...ids].sort();
}

const formOf = (step: Step | undefined): FormField[] | null => (step && step.kind === 'task' ? step.form.fields : null);

/** The fields of a form or of a repeating group's items, as far as migration compares them. */
type ComparedField = Pick<FormField, 'key' | 'type' | 'options' | 'fields' | 'maxItems'>;

/** Why collected values of a step (or of the case's start data) would be misread under the new fields. */
function fieldProblems(values: Record<string, unknown>, oldFields: ComparedField[], newFields: ComparedField[], where: string): string[] {
  const problems: string[] = [];
  for (const oldField of oldFields) {
    const value = values[oldField.key];
    const newField = newFields.find((field) => field.key === oldField.key);
    if (value === undefined || value === null || !newField) continue;
    if (newField.type !== oldField.type) {
      problems.push(`collected field "${where}.${oldField.key}" is ${oldField.type} in the case's version and ${newField.type} in the new one`);
      continue;
    }
    if (newField.type === 'group' && Array.isArray(value)) {
      // Each item (a household member) is read with the group's sub-fields, like a small form of its own.
      if (newField.maxItems !== undefined && value.length > newField.maxItems) {
        problems.push(`collected field "${where}.${oldField.key}" holds ${value.length} items, more than the ${newField.maxItems} the new version takes`);
      }
      value.forEach((item, index) => {
        if (item && typeof item === 'object') problems.push(...fieldProblems(item as Record<string, unknown>, oldField.fields ?? [], newField.fields ?? [], `${where}.${oldField.key}.${index}`));
      });
      continue;
    }
    if (newField.options) {
      const allowed = new Set(newField.options.map((option) => option.value));
      const given = Array.isArray(value) ? value : [value];
      const missing = given.filter((item) => typeof item === 'string' && !allowed.has(item));
      if (missing.length > 0) problems.push(`collected field "${where}.${oldField.key}" holds ${missing.map((m) => `"${String(m)}"`).join(', ')}, no longer an option`);
    }
  }
  return problems;
}

/** Every reason the case cannot move to the command's version; empty when it can. Never mutates. */
export function checkMigration(state: CaseState, from: PathwayDefinition, actor: Actor, command: MigrateCaseCommand): MigrationCheck {
  const problems: MigrationProblem[] = [];
  const add = (code: MigrationProblemCode, stepId: string | null, message: string) => problems.push({ code, stepId, message });
  const to = command.definition;
  const mapping = command.stepMapping;
  if (!mayMigrate(actor, state.areaId)) add('forbidden', null, 'only a coordinator of the area can migrate the case');
  if (caseHasEnded(state.status)) add('case_not_active', null, `the case is ${state.status}`);
  if (state.pathwayKey !== to.key) add('version_mismatch', null, `the case follows pathway "${state.pathwayKey}", not "${to.key}"`);
  else if (state.pathwayVersion !== command.fromVersion) add('version_mismatch', null, `the case is on version ${state.pathwayVersion}, not ${command.fromVersion}`);
  else if (command.toVersion <= state.pathwayVersion) add('version_mismatch', null, `version ${command.toVersion} is not newer than the case's version ${state.pathwayVersion}`);
  if (problems.length > 0) return { canMove: false, problems };

  for (const stepId of liveStepIds(state)) {
    const target = mappedStepId(mapping, stepId);
    const oldStep = from.steps[stepId];
    const newStep = to.steps[target];
    if (!newStep) {
      if (target === stepId) add('unmapped_step', stepId, `open step "${stepId}" is not in version ${command.toVersion} and the mapping does not name it`);
      else add('mapped_step_missing', stepId, `open step "${stepId}" is mapped to "${target}", which is not in version ${command.toVersion}`);
      continue;
    }
    if (oldStep && oldStep.kind !== newStep.kind) {
      add('step_kind_changed', stepId, `open step "${stepId}" is a ${oldStep.kind} step, "${target}" in version ${command.toVersion} is a ${newStep.kind} step`);
      continue;
    }
    if (newStep.kind !== 'task') continue;
    // Open per-member tasks (one per member, joined when all are done) cannot become one ordinary task, nor the reverse.
    const perMemberBefore = oldStep?.kind === 'task' && oldStep.forEach !== undefined;
    if (perMemberBefore !== (newStep.forEach !== undefined)) {
      add(
        'step_kind_changed',
        stepId,
        perMemberBefore
          ? `open step "${stepId}" runs once per member, "${target}" in version ${command.toVersion} runs once for the case`
          : `open step "${stepId}" runs once for the case, "${target}" in version ${command.toVersion} runs once per member`,
      );
      continue;
    }
    for (const task of openTasks(state).filter((t) => t.stepId === stepId && t.signOff && t.signOff.signed.length > 0)) {
      const signed = task.signOff!.signed.map((signature) => signature.service);
      const services = newStep.signOff?.services ?? [];
      const lost = signed.filter((service) => !services.includes(service));
      if (lost.length > 0) {
        add('sign_off_incompatible', stepId, `the plan is signed by ${lost.join(', ')}, which "${target}" in version ${command.toVersion} does not ask to sign`);
      }
      const oldRequired = new Set((formOf(oldStep) ?? []).filter((field) => field.required).map((field) => field.key));
      const newlyRequired = newStep.form.fields.filter((field) => field.required && !oldRequired.has(field.key)).map((field) => field.key);
      // Later signers need not repeat the form, so a field required only now would never be filled.
      if (newlyRequired.length > 0) add('form_incompatible', stepId, `the plan is partly signed and "${target}" now requires ${newlyRequired.join(', ')}`);
    }
  }

  for (const [stepId, values] of Object.entries(state.data)) {
    if (stepId === 'case') {
      for (const message of fieldProblems(values, from.caseFields, to.caseFields, 'case')) add('form_incompatible', null, message);
      continue;
    }
    const oldFields = formOf(from.steps[stepId]);
    const newFields = formOf(to.steps[mappedStepId(mapping, stepId)]);
    if (!oldFields || !newFields) continue;
    // A per-member step keeps one set of answers per member (`<stepId>.byMember`).
    const perMember = Array.isArray(values.byMember) ? (values.byMember as Record<string, unknown>[]) : null;
    const answerSets = perMember ? perMember.map((answers, index) => ({ answers, where: `${stepId}.byMember.${index}` })) : [{ answers: values, where: stepId }];
    for (const { answers, where } of answerSets) {
      for (const message of fieldProblems(answers, oldFields, newFields, where)) add('form_incompatible', stepId, message);
    }
  }
  return { canMove: problems.length === 0, problems };
}

/** The validator's refusal for a check that failed: the first problem decides the type, every problem is listed. */
export function migrationRejection(check: MigrationCheck): CommandRejection | null {
  if (check.canMove) return null;
  const first = check.problems[0];
  const type =
    first.code === 'forbidden' ? commandRejections.forbidden : first.code === 'case_not_active' ? commandRejections.caseNotActive : commandRejections.conflict;
  return {
    type,
    message: `the case cannot move: ${check.problems.map((problem) => problem.message).join('; ')}`,
    issues: check.problems.map((problem) => ({ path: problem.stepId ? ['stepMapping', problem.stepId] : [], message: `${problem.code}: ${problem.message}` })),
  };
}

const sameTimers = (a: TaskStep | ReferralStep, b: TaskStep | ReferralStep): boolean =>
  JSON.stringify([a.reminders, a.escalation]) === JSON.stringify([b.reminders, b.escalation]);

/** Options of a migration that later versions of the workflow turn on (old histories replay without them). */
export interface MigrationOptions {
  /** Re-lay a pending referral's acceptance reminders and ladder from the new step, as for tasks. */
  retimeReferrals?: boolean;
}

/**
 * Re-lays the pending reminders and escalation levels of a task or referral from the new step,
 * against the same due date: reminders already sent stay in the record, and levels already reached
 * stay reached (the new ladder continues from there).
 */
function relay(ctx: EngineContext, clock: CaseTask | CaseReferral, schedule: () => void): void {
  const firedReminders = clock.reminders.filter((reminder) => reminder.firedAt !== null);
  const firedLevels = clock.escalations.filter((level) => level.firedAt !== null);
  const reached = clock.escalationLevel;
  schedule();
  clock.reminders = [...firedReminders, ...clock.reminders];
  for (const level of clock.escalations) {
    if (level.level <= reached) level.firedAt = firedLevels.find((fired) => fired.level === level.level)?.firedAt ?? ctx.now.toISOString();
  }
}

function retime(state: CaseState, ctx: EngineContext, task: CaseTask, step: TaskStep): void {
  relay(ctx, task, () => scheduleDeadline(state, ctx, task, step, task.dueAt ? new Date(task.dueAt) : null));
}

function retimeReferral(state: CaseState, ctx: EngineContext, referral: CaseReferral, step: ReferralStep): void {
  relay(ctx, referral, () => scheduleReferralDeadline(state, ctx, referral, step, referral.acceptDueAt ? new Date(referral.acceptDueAt) : null));
}

/** Moves a checked case onto the command's version; `ctx.definition` is the new definition, `from` the old one. */
export function applyMigration(state: CaseState, ctx: EngineContext, from: PathwayDefinition, command: MigrateCaseCommand, options: MigrationOptions = {}): void {
  const mapping = command.stepMapping;
  const moved: Record<string, string> = {};
  const retimed: string[] = [];
  const tasks = openTasks(state);
  for (const task of tasks) {
    const target = mappedStepId(mapping, task.stepId);
    const oldStep = from.steps[task.stepId] as TaskStep | undefined;
    const newStep = ctx.definition.steps[target] as TaskStep;
    if (target !== task.stepId) moved[task.stepId] = target;
    task.stepId = target;
    if (!oldStep || !sameTimers(oldStep, newStep)) {
      retime(state, ctx, task, newStep);
      retimed.push(task.id);
    }
    const signed = task.signOff?.signed ?? [];
    task.signOff = newStep.signOff ? { services: [...newStep.signOff.services], signed } : null;
    const sameQueue = oldStep !== undefined && oldStep.assignee.service === newStep.assignee.service && oldStep.assignee.role === newStep.assignee.role;
    if (!sameQueue) {
      const pending = task.signOff?.services.find((service) => !signed.some((s) => s.service === service));
      task.service = pending ?? newStep.assignee.service;
      task.role = newStep.assignee.role;
      task.assigneeId = null;
      task.status = 'open';
    }
  }
  for (const token of state.tokens) {
    const target = mappedStepId(mapping, token.stepId);
    if (target !== token.stepId) moved[token.stepId] = target;
    token.stepId = target;
  }
  const referrals = activeReferrals(state);
  const retimedReferrals: string[] = [];
  for (const referral of referrals) {
    const oldStep = from.steps[referral.stepId] as ReferralStep | undefined;
    referral.stepId = mappedStepId(mapping, referral.stepId);
    const newStep = ctx.definition.steps[referral.stepId] as ReferralStep;
    // Only a referral still waiting for its answer runs an acceptance clock.
    if (options.retimeReferrals && referral.status === 'pending' && (!oldStep || !sameTimers(oldStep, newStep))) {
      retimeReferral(state, ctx, referral, newStep);
      retimedReferrals.push(referral.id);
    }
  }
  for (const [oldId, newId] of Object.entries(mapping)) {
    // Rules of the new version read the renamed step's data under its new id; the old key stays as recorded.
    if (oldId !== newId && state.data[oldId] !== undefined && state.data[newId] === undefined) state.data[newId] = { ...state.data[oldId] };
  }
  state.gotoCounts = Object.fromEntries(Object.entries(state.gotoCounts).map(([stepId, count]) => [mappedStepId(mapping, stepId), count]));
  const fromVersion = state.pathwayVersion;
  state.pathwayVersion = command.toVersion;
  const event = emit(state, ctx, 'case_migrated', {
    details: {
      fromVersion,
      toVersion: command.toVersion,
      movedSteps: moved,
      retimedTasks: retimed,
      ...(options.retimeReferrals ? { retimedReferrals } : {}),
      reason: command.reason,
    },
  });
  for (const task of tasks) task.version = event.seq;
  for (const referral of referrals) referral.version = event.seq;
}
