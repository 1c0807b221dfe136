/**
 * Supervisor interventions on one case: skip an open step, reopen a completed one, move the case to
 * another step. Pure like the rest of the engine: `checkIntervention` never mutates (it backs the
 * workflow's update validators), `applyIntervention` assumes a passed check. Every intervention
 * carries a reason and leaves an event with the actor on the timeline.
 */
import { maySupervise } from './access';
import type { CaseCommand, CommandRejection } from './case-commands';
import { commandRejections } from './case-commands';
import { activeReferrals, emit, enterStep, moveOn, newToken, openTasks, snapshotOf, type EngineContext } from './case-engine';
import type { Actor, CaseState, Token } from './case-state';
import type { PathwayDefinition, Step } from './pathway-schema';

export type InterventionCommand = Extract<CaseCommand, { kind: 'skipStep' | 'reopenStep' | 'moveToStep' }>;

const reject = (type: CommandRejection['type'], message: string, issues?: CommandRejection['issues']): CommandRejection =>
  issues ? { type, message, issues } : { type, message };

/** The token standing on a step that a skip can close: a human task, a wait, or a referral the other service never closed. */
function skippableToken(state: CaseState, stepId: string): Token | undefined {
  return state.tokens.find((token) => token.stepId === stepId && (token.state === 'task' || token.state === 'waiting' || token.state === 'referral'));
}

/** Steps where the case's main line can stand: reachable from the start without entering a parallel branch or a follow-up body. */
export function topLevelSteps(definition: PathwayDefinition): Set<string> {
  const seen = new Set<string>();
  const queue = [definition.start];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (seen.has(id) || !definition.steps[id]) continue;
    seen.add(id);
    queue.push(...successors(definition.steps[id]));
  }
  return seen;
}

/** Where a step can lead on the same line (branches and bodies excluded: they run on child lines). */
function successors(step: Step): string[] {
  const next: Array<string | undefined> = [];
  switch (step.kind) {
    case 'decision':
      next.push(...step.rules.map((rule) => rule.next), step.otherwise);
      break;
    case 'goto':
      next.push(step.target, step.otherwise);
      break;
    case 'end':
      break;
    default: {
      const withNext = step as { next?: string; onRejected?: string };
      next.push(withNext.next, withNext.onRejected);
    }
  }
  return next.filter((id): id is string => id !== undefined);
}

function unknownStep(definition: PathwayDefinition, field: string, stepId: string): CommandRejection {
  return reject(commandRejections.invalidData, `no step "${stepId}" in this pathway version`, [
    { path: [field], message: `one of: ${Object.keys(definition.steps).sort().join(', ')}` },
  ]);
}

/** Returns why an intervention must be refused, or null when it may be applied. Never mutates. */
export function checkIntervention(state: CaseState, definition: PathwayDefinition, actor: Actor, command: InterventionCommand): CommandRejection | null {
  if (!maySupervise(actor, state.areaId)) return reject(commandRejections.forbidden, 'only a supervisor of the area can intervene on a case');
  if (state.status !== 'active') return reject(commandRejections.caseNotActive, `the case is ${state.status}`);
  const step = definition.steps[command.stepId];
  if (!step) return unknownStep(definition, 'stepId', command.stepId);
  switch (command.kind) {
    case 'skipStep': {
      const token = skippableToken(state, command.stepId);
      if (!token) {
        const standing = state.tokens.some((t) => t.stepId === command.stepId);
        return reject(
          commandRejections.conflict,
          standing
            ? `step "${command.stepId}" is not a task, a wait or a referral: skip the steps open inside it, or move the case`
            : `step "${command.stepId}" is not open in this case`,
        );
      }
      if (command.next !== undefined) {
        if (!definition.steps[command.next]) return unknownStep(definition, 'next', command.next);
        // A line inside a parallel branch or a follow-up must end where its parent joins: a jump out would never join.
        if (token.parentId !== null || !topLevelSteps(definition).has(command.next)) {
          return reject(commandRejections.invalidData, 'a skip can jump only between steps of the main line', [
            {
              path: ['next'],
              message: token.parentId !== null ? `"${command.stepId}" runs inside a branch or a follow-up: skip it without "next"` : `"${command.next}" runs only inside a branch or a follow-up`,
            },
          ]);
        }
      }
      return null;
    }
    case 'reopenStep':
      if (step.kind !== 'task') {
        return reject(commandRejections.invalidData, 'only a task step can be reopened', [{ path: ['stepId'], message: `"${command.stepId}" is a ${step.kind} step` }]);
      }
      if (state.tokens.some((t) => t.stepId === command.stepId) || openTasks(state).some((t) => t.stepId === command.stepId)) {
        return reject(commandRejections.conflict, `step "${command.stepId}" is open already`);
      }
      return state.data[command.stepId] === undefined ? reject(commandRejections.conflict, `step "${command.stepId}" has not been completed in this case`) : null;
    case 'moveToStep':
      if (!topLevelSteps(definition).has(command.stepId)) {
        return reject(commandRejections.invalidData, 'the step runs only inside a parallel branch or a follow-up', [
          { path: ['stepId'], message: 'move the case to the parallel or recurring step that contains it' },
        ]);
      }
      return null;
  }
}

/** Applies a checked intervention. */
export function applyIntervention(state: CaseState, ctx: EngineContext, command: InterventionCommand): void {
  switch (command.kind) {
    case 'skipStep': {
      const token = skippableToken(state, command.stepId)!;
      // A per-member step holds one task per member on its token: skipping the step withdraws them all.
      const tasks = openTasks(state).filter((t) => t.tokenId === token.id);
      for (const task of tasks) {
        task.status = 'cancelled';
        task.version = emit(state, ctx, 'task_cancelled', { stepId: task.stepId, taskId: task.id, details: { because: 'step_skipped' } }).seq;
      }
      const task = tasks[0];
      for (const referral of activeReferrals(state).filter((r) => r.tokenId === token.id)) {
        referral.status = 'cancelled';
        // Rules read `<step>.status`: "cancelled", not the "pending" or "accepted" it had.
        state.data[referral.stepId] = { ...(state.data[referral.stepId] ?? {}), status: 'cancelled' };
        referral.version = emit(state, ctx, 'referral_cancelled', { stepId: referral.stepId, details: { referralId: referral.id, because: 'step_skipped' } }).seq;
      }
      emit(state, ctx, 'step_skipped', {
        stepId: command.stepId,
        taskId: task?.id,
        details: { reason: command.reason, next: command.next ?? null },
      });
      state.lastProgressAt = ctx.now.toISOString();
      if (token.reopened) {
        state.tokens = state.tokens.filter((t) => t.id !== token.id);
        return;
      }
      const step = ctx.definition.steps[command.stepId] as { next?: string };
      moveOn(state, ctx, token, command.next ?? step.next);
      return;
    }
    case 'reopenStep': {
      emit(state, ctx, 'step_reopened', { stepId: command.stepId, details: { reason: command.reason } });
      const token = newToken(state, command.stepId, null);
      token.reopened = true;
      enterStep(state, ctx, token, command.stepId);
      return;
    }
    case 'moveToStep': {
      const from = snapshotOf(state).openStepIds;
      for (const task of openTasks(state)) {
        task.status = 'cancelled';
        task.version = emit(state, ctx, 'task_cancelled', { stepId: task.stepId, taskId: task.id, details: { because: 'moved_to_step' } }).seq;
      }
      for (const referral of activeReferrals(state)) {
        referral.status = 'cancelled';
        referral.version = emit(state, ctx, 'referral_cancelled', { stepId: referral.stepId, details: { referralId: referral.id, because: 'moved_to_step' } }).seq;
      }
      state.tokens = [];
      emit(state, ctx, 'moved_to_step', { stepId: command.stepId, details: { from, to: command.stepId, reason: command.reason } });
      state.lastProgressAt = ctx.now.toISOString();
      enterStep(state, ctx, newToken(state, command.stepId, null), command.stepId);
      return;
    }
  }
}
