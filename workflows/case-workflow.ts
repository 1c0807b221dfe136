/**
 * One durable workflow per case. It holds the case state, applies commands through Updates (whose
 * validators refuse bad commands before anything reaches history), sleeps until the next reminder,
 * escalation, wait or follow-up, and hands every event to the read model only once it is durable.
 *
 * The read model must never show what the history does not hold: a workflow task that is lost
 * (worker or server killed before the server recorded it) runs again and may decide differently.
 * So nothing here writes to PostgreSQL inside the task that produced a change. An Update's result
 * (everything the read model was not known to hold) reaches its caller only once the task is in the
 * history, and the caller writes it (infra/case-commands.ts); if the caller dies first, the
 * reconciler asks this workflow for the same (pendingProjectionQuery). Changes made by the clock
 * (reminders, escalations, waits, follow-ups) are written by an activity, which the server
 * dispatches only after the task that scheduled it is recorded.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createCaseActivities } from '../activities/case-activities';
import { applyCommand, checkCommand, commandTime } from '../domain/case-command-handlers';
import { batchSince, createCase, markProjected, nextWakeAt, openTasks, snapshotOf, tick } from '../domain/case-engine';
import {
  COMMAND_REJECTED,
  caseSnapshotQuery,
  caseUpdates,
  migrationCheckQuery,
  openTasksQuery,
  pendingProjectionQuery,
  type CaseCommandResult,
  type CaseUpdateArgs,
  type CaseWorkflowInput,
} from '../domain/case-messages';
import { checkMigration } from '../domain/case-migration';
import { caseHasEnded, type CaseSnapshot, type CaseState } from '../domain/case-state';
import { caseSearchAttributes } from '../domain/search-attributes';
import { sharedDefinition } from '../domain/shared-definitions';

type CaseActivities = ReturnType<typeof createCaseActivities>;

// Histories recorded before PROJECTS_AFTER_DURABLE projected inside the workflow task (a local
// activity); they must replay as they ran.
const { projectCase: projectInsideTask } = proxyLocalActivities<CaseActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

// Retried until the read model takes it: the case must wait for the read model, never skip an event.
const { projectCase: projectDurably } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds', backoffCoefficient: 2 },
});

/** Patch id: a migration re-lays a pending referral's acceptance reminders and ladder from the new step. */
const MIGRATION_RETIMES_REFERRALS = 'migration-retimes-referrals';
/** Patch id: events reach the read model only after the workflow task that made them is durable. */
const PROJECTS_AFTER_DURABLE = 'projects-after-durable';
/**
 * Patch id: a clock tick is taken at the time the timer was set for, not at the workflow's clock.
 * With SDK 1.24 the workflow's clock can lag in the activation that fires a timer while queries
 * reach the worker (seen by the chaos test: the previous task's time, so nothing was due live and
 * the escalation fired on replay); the wake time comes from the state, the same live and on replay.
 */
const TICKS_AT_WAKE_TIME = 'ticks-at-wake-time';
/**
 * Patch id: a command happens at the time its sender sent it (commandTime), not at the workflow's
 * clock, which the SDK can hand stale to an activation after a worker restart (chaos: a deadline
 * 16–58 s earlier live than on replay). Runs whose first task has no marker (started before it)
 * apply commands at the clock, as they ran.
 */
const COMMANDS_AT_SENT_TIME = 'commands-at-sent-time';
/** Patch id: search attributes index only values that rarely change (see indexSearchAttributes). */
const STABLE_SEARCH_ATTRIBUTES = 'stable-search-attributes';
/**
 * Patch id, asked once at the top of every run: a run whose first task has its marker takes every
 * change above without asking for it. Each patch asked live records a marker and (the SDK's core
 * does this) a TemporalChangeVersion search-attribute upsert, a visibility write: a new case paid
 * three of each in its first task (two where search attributes are off) and one more at its first
 * clock tick. Runs started before it (no marker in their first task) keep asking each patch, as
 * they ran: removing a patch call whose marker is in a history breaks its replay. A change made
 * after it gets a patch of its own again (and may later be folded into a new one like this).
 */
const PATCHES_OF_2026_12 = 'patches-of-2026-12';

/** History length after which a case continues as new; long follow-ups stay cheap to replay. */
export const DEFAULT_HISTORY_LIMIT = 2_000;
/**
 * Update ids carried into the next run, newest last: a caller's keyed retry (a lost answer) comes
 * back seconds or minutes later, so a few hundred commands back is far more than a retry can span.
 */
const CARRIED_UPDATE_IDS = 256;

/** The case workflow: interprets the pinned pathway version until the case closes. */
export async function pathwayCase(startInput: CaseWorkflowInput): Promise<CaseSnapshot> {
  // The pinned version; a migration (migrateCase) replaces it, and continue-as-new carries the
  // replacement. Its definition is the thread's shared copy: this case's own decoded copy is not kept
  // (nor the input that holds it; `input` is the rest of it).
  const { pathway: startPathway, ...input } = startInput;
  let pathway = { ...startPathway, definition: sharedDefinition(startPathway.definition) };
  const state: CaseState = input.state ?? createCase({ ...input, pathway }).state;
  // Only on the first run: a continued run's state already knows what it projected.
  if (!input.state && input.firstBatchProjected) markProjected(state, state.seq);
  // Events up to here are in the read model or in the hands of a writer that will put them there (an
  // Update's caller, the projection activity). A run continues as new only once all are handed off.
  let handedOffSeq = input.state ? state.seq : state.projectedSeq;
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  // Asked in the run's first task: PATCHES_OF_2026_12, and, only in runs started before it,
  // COMMANDS_AT_SENT_TIME (asked at the first command, its search-attribute upsert would add a
  // visibility write to that command's cost).
  const patchedAll = patched(PATCHES_OF_2026_12);
  const has = (patchId: string): boolean => patchedAll || patched(patchId);
  const commandsAtSentTime = has(COMMANDS_AT_SENT_TIME);

  // Updates applied by earlier runs (answered again, never applied twice) and by this one (carried on).
  const appliedBefore = new Set(input.appliedUpdateIds ?? []);
  const appliedUpdateIds = [...(input.appliedUpdateIds ?? [])];
  const rememberUpdate = (id: string | undefined): void => {
    if (id === undefined) return;
    appliedUpdateIds.push(id);
    if (appliedUpdateIds.length > CARRIED_UPDATE_IDS) appliedUpdateIds.shift();
  };
  const appliedBeforeThisRun = (): boolean => {
    const id = currentUpdateInfo()?.id;
    return id !== undefined && appliedBefore.has(id);
  };

  const validate = (args: CaseUpdateArgs): void => {
    if (appliedBeforeThisRun()) return;
    const rejection = checkCommand(state, pathway.definition, args);
    if (rejection) {
      throw ApplicationFailure.create({ type: COMMAND_REJECTED, message: rejection.message, details: [rejection], nonRetryable: true });
    }
  };
  const handle = (args: CaseUpdateArgs): CaseCommandResult => {
    const afterDurable = has(PROJECTS_AFTER_DURABLE);
    // The sender read the read model at this version: everything up to it is there (never more than was handed off).
    if (afterDurable && args.confirmedSeq !== undefined) markProjected(state, Math.min(args.confirmedSeq, handedOffSeq));
    const seqBefore = state.seq;
    // A repeat of an Update an earlier run applied is not applied again; its answer is what the read model may still lack.
    if (!appliedBeforeThisRun()) {
      rememberUpdate(currentUpdateInfo()?.id);
      const { command } = args;
      // Migrations recorded before referral clocks were re-laid must replay as they ran.
      const options = command.kind === 'migrateCase' ? { retimeReferrals: has(MIGRATION_RETIMES_REFERRALS) } : {};
      const at = commandsAtSentTime ? commandTime(state, args.sentAt, new Date()) : new Date();
      applyCommand(state, pathway.definition, args, at, options);
      if (command.kind === 'migrateCase') pathway = { key: pathway.key, version: command.toVersion, definition: sharedDefinition(command.definition) };
    }
    if (!afterDurable) return { batch: batchSince(state, seqBefore) };
    handedOffSeq = state.seq;
    return { batch: batchSince(state, state.projectedSeq) };
  };
  for (const update of Object.values(caseUpdates)) {
    setHandler(update as typeof caseUpdates.addNote, handle, { validator: validate });
  }
  setHandler(caseSnapshotQuery, () => snapshotOf(state));
  setHandler(openTasksQuery, () => openTasks(state));
  setHandler(pendingProjectionQuery, () => ({ batch: batchSince(state, state.projectedSeq), seq: state.seq }));
  setHandler(migrationCheckQuery, (envelope) => checkMigration(state, pathway.definition, envelope.actor, envelope.command));

  let indexed = '';
  for (;;) {
    const afterDurable = has(PROJECTS_AFTER_DURABLE);
    const unwritten = afterDurable ? handedOffSeq : state.projectedSeq;
    if (state.seq > unwritten) {
      const upTo = state.seq;
      const batch = batchSince(state, state.projectedSeq);
      if (afterDurable) {
        handedOffSeq = upTo;
        await projectDurably(batch);
      } else {
        await projectInsideTask(batch);
      }
      markProjected(state, upTo);
      continue;
    }
    if (input.indexSearchAttributes !== false) indexed = indexSearchAttributes(state, indexed, has(STABLE_SEARCH_ATTRIBUTES));
    if (caseHasEnded(state.status)) {
      await condition(allHandlersFinished);
      if (state.seq === (afterDurable ? handedOffSeq : state.projectedSeq)) return snapshotOf(state);
      continue;
    }
    const info = workflowInfo();
    if (info.historyLength >= historyLimit || info.continueAsNewSuggested) {
      await condition(allHandlersFinished);
      if (state.seq === (afterDurable ? handedOffSeq : state.projectedSeq)) await continueAsNew<typeof pathwayCase>({ ...input, pathway, state, appliedUpdateIds });
      continue;
    }
    const seen = state.seq;
    const wake = nextWakeAt(state);
    if (wake === null) {
      await condition(() => state.seq !== seen);
    } else {
      const changed = await condition(() => state.seq !== seen, Math.max(1, wake.getTime() - Date.now()));
      if (!changed) tick(state, pathway.definition, has(TICKS_AT_WAKE_TIME) ? wake : new Date());
    }
  }
}

/**
 * Keeps the case findable in the Temporal UI by codes only; skips the call when nothing changed.
 * With `stableOnly` (STABLE_SEARCH_ATTRIBUTES) it indexes what changes a few times in a case's life
 * (pathway, area, status, escalation level), not its open steps and next deadline, which change on
 * almost every command: each upsert is a visibility write on the server, and on every completion
 * it had cost the Temporal server as much CPU again as the rest of the command (bench (d): 16.1 →
 * 11.1 ms per completion). Open steps and deadlines are served by the read model (supervision,
 * search), which is where supervisors look. Every upsert under that rule clears both (null): a run
 * that continued as new, or a running case that switched to the rule, may still carry them.
 */
function indexSearchAttributes(state: CaseState, previous: string, stableOnly: boolean): string {
  const snapshot = snapshotOf(state);
  const values = {
    pathway: `${state.pathwayKey}@${state.pathwayVersion}`,
    area: state.areaId,
    status: state.status,
    escalationLevel: snapshot.escalationLevel,
    openSteps: stableOnly ? null : snapshot.openStepIds,
    nextDeadline: stableOnly ? null : snapshot.nextDeadline,
  };
  const fingerprint = JSON.stringify(values);
  if (fingerprint === previous) return previous;
  upsertSearchAttributes([
    { key: caseSearchAttributes.pathway, value: values.pathway },
    { key: caseSearchAttributes.area, value: values.area },
    { key: caseSearchAttributes.status, value: values.status },
    { key: caseSearchAttributes.openSteps, value: values.openSteps },
    { key: caseSearchAttributes.nextDeadline, value: values.nextDeadline ? new Date(values.nextDeadline) : null },
    { key: caseSearchAttributes.escalationLevel, value: values.escalationLevel },
  ]);
  return fingerprint;
}
