/**
 * One durable workflow per case. It holds the case state, applies commands through Updates (whose
 * validators refuse bad commands before anything reaches history), sleeps until the next reminder,
 * escalation, wait or follow-up, and projects every event to the read model.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createCaseActivities } from '../activities/case-activities';
import type { CaseCommandEnvelope } from '../domain/case-commands';
import { applyCommand, checkCommand } from '../domain/case-command-handlers';
import { batchSince, createCase, markProjected, nextWakeAt, openTasks, snapshotOf, tick } from '../domain/case-engine';
import { COMMAND_REJECTED, caseSnapshotQuery, caseUpdates, migrationCheckQuery, openTasksQuery, type CaseCommandResult, type CaseWorkflowInput } from '../domain/case-messages';
import { checkMigration } from '../domain/case-migration';
import type { CaseSnapshot, CaseState } from '../domain/case-state';
import { caseSearchAttributes } from '../domain/search-attributes';

// A local activity: the projection runs inside the workflow task that produced the change, so an
// update's result reaches the caller only once its events are in the read model, and each change
// costs one workflow task instead of a task, an activity round trip through the server and another task.
const { projectCase } = proxyLocalActivities<ReturnType<typeof createCaseActivities>>({
  startToCloseTimeout: '10 seconds',
  // The read model can be down for a while; the case must wait for it, never skip an event.
  retry: { initialInterval: '200 milliseconds', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** Patch id: a migration re-lays a pending referral's acceptance reminders and ladder from the new step. */
const MIGRATION_RETIMES_REFERRALS = 'migration-retimes-referrals';

/** History length after which a case continues as new; long follow-ups stay cheap to replay. */
export const DEFAULT_HISTORY_LIMIT = 2_000;

/** The case workflow: interprets the pinned pathway version until the case closes. */
export async function pathwayCase(input: CaseWorkflowInput): Promise<CaseSnapshot> {
  // The pinned version; a migration (migrateCase) replaces it, and continue-as-new carries the replacement.
  let pathway = input.pathway;
  const state: CaseState = input.state ?? createCase(input).state;
  // Only on the first run: a continued run's state already knows what it projected.
  if (!input.state && input.firstBatchProjected) markProjected(state, state.seq);
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;

  const validate = (envelope: CaseCommandEnvelope): void => {
    const rejection = checkCommand(state, pathway.definition, envelope);
    if (rejection) {
      throw ApplicationFailure.create({ type: COMMAND_REJECTED, message: rejection.message, details: [rejection], nonRetryable: true });
    }
  };
  const handle = (envelope: CaseCommandEnvelope): CaseCommandResult => {
    const seqBefore = state.seq;
    const { command } = envelope;
    // Migrations recorded before referral clocks were re-laid must replay as they ran.
    const options = command.kind === 'migrateCase' ? { retimeReferrals: patched(MIGRATION_RETIMES_REFERRALS) } : {};
    applyCommand(state, pathway.definition, envelope, new Date(), options);
    if (command.kind === 'migrateCase') pathway = { key: pathway.key, version: command.toVersion, definition: command.definition };
    return { batch: batchSince(state, seqBefore) };
  };
  for (const update of Object.values(caseUpdates)) {
    setHandler(update as typeof caseUpdates.addNote, handle, { validator: validate });
  }
  setHandler(caseSnapshotQuery, () => snapshotOf(state));
  setHandler(openTasksQuery, () => openTasks(state));
  setHandler(migrationCheckQuery, (envelope) => checkMigration(state, pathway.definition, envelope.actor, envelope.command));

  let indexed = '';
  for (;;) {
    if (state.seq > state.projectedSeq) {
      const upTo = state.seq;
      await projectCase(batchSince(state, state.projectedSeq));
      markProjected(state, upTo);
      continue;
    }
    if (input.indexSearchAttributes !== false) indexed = indexSearchAttributes(state, indexed);
    if (state.status === 'closed' || state.status === 'cancelled') {
      await condition(allHandlersFinished);
      if (state.seq === state.projectedSeq) return snapshotOf(state);
      continue;
    }
    const info = workflowInfo();
    if (info.historyLength >= historyLimit || info.continueAsNewSuggested) {
      await condition(allHandlersFinished);
      if (state.seq === state.projectedSeq) await continueAsNew<typeof pathwayCase>({ ...input, pathway, state });
      continue;
    }
    const seen = state.seq;
    const wake = nextWakeAt(state);
    if (wake === null) {
      await condition(() => state.seq !== seen);
    } else {
      const changed = await condition(() => state.seq !== seen, Math.max(1, wake.getTime() - Date.now()));
      if (!changed) tick(state, pathway.definition, new Date());
    }
  }
}

/** Keeps the case findable in the Temporal UI by codes and dates only; skips the call when nothing changed. */
function indexSearchAttributes(state: CaseState, previous: string): string {
  const snapshot = snapshotOf(state);
  const values = {
    pathway: `${state.pathwayKey}@${state.pathwayVersion}`,
    area: state.areaId,
    status: state.status,
    openSteps: snapshot.openStepIds,
    nextDeadline: snapshot.nextDeadline,
    escalationLevel: snapshot.escalationLevel,
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
