/**
 * Message definitions shared by the case workflow and its callers: one Update per command (each
 * with a validator in the workflow), a query for the current snapshot, and the workflow input.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CaseCommand, CaseCommandEnvelope, CaseCommandKind } from './case-commands';
import type { NewCase } from './case-engine';
import type { CaseSnapshot, CaseState, CaseTask, ProjectionBatch } from './case-state';
import type { MigrationCheck } from './case-migration';

/** The case workflow's input: what starting a case needs (the engine's `NewCase`), and how the workflow runs. */
export interface CaseWorkflowInput extends NewCase {
  /** History events after which the case continues as new (bounded history for long follow-ups). */
  historyLimit?: number;
  /**
   * Index the case in Temporal visibility (default true). Only Temporal's time-skipping test server
   * turns this off, because it cannot register custom search attributes.
   */
  indexSearchAttributes?: boolean;
  /**
   * The caller has already written the case's first projection (the API does, in the statement that
   * records the start): the workflow then skips projecting it again.
   */
  firstBatchProjected?: boolean;
  /** Present only when continuing as new. */
  state?: CaseState;
  /**
   * Present only when continuing as new: the ids of the last Updates the previous runs applied.
   * Temporal answers a repeated Update id from the run that took it; a new run does not know it, so
   * the workflow answers a repeat of these without applying it again.
   */
  appliedUpdateIds?: string[];
}

/**
 * What every case update returns: the read-model batch of everything the read model was not yet known
 * to hold, the update's own events included. It reaches the caller only once the workflow task that
 * made it is in the workflow's history, so the caller may write it to the read model.
 */
export interface CaseCommandResult {
  batch: ProjectionBatch;
}

/**
 * An update's argument: the command with its actor, the case's read-model version as the sender
 * read it (`confirmedSeq`: every event up to it is in the read model, so the workflow may forget
 * them), and when the sender sent it (`sentAt`, ISO 8601: the command's time, see commandTime).
 */
export type CaseUpdateArgs<C extends CaseCommand = CaseCommand> = CaseCommandEnvelope<C> & { confirmedSeq?: number; sentAt?: string };

/** What the reconciler asks a case: everything the read model may lack, and the case's last event. */
export interface PendingProjection {
  batch: ProjectionBatch;
  seq: number;
}

type UpdateFor<K extends CaseCommandKind> = ReturnType<typeof defineUpdate<CaseCommandResult, [CaseUpdateArgs<Extract<CaseCommand, { kind: K }>>], K>>;

function caseUpdate<K extends CaseCommandKind>(kind: K): UpdateFor<K> {
  return defineUpdate<CaseCommandResult, [CaseUpdateArgs<Extract<CaseCommand, { kind: K }>>], K>(kind);
}

export const caseUpdates = {
  claimTask: caseUpdate('claimTask'),
  releaseTask: caseUpdate('releaseTask'),
  completeTask: caseUpdate('completeTask'),
  reassignTask: caseUpdate('reassignTask'),
  extendDeadline: caseUpdate('extendDeadline'),
  suspendCase: caseUpdate('suspendCase'),
  resumeCase: caseUpdate('resumeCase'),
  cancelCase: caseUpdate('cancelCase'),
  closeCase: caseUpdate('closeCase'),
  transferCase: caseUpdate('transferCase'),
  requestTransfer: caseUpdate('requestTransfer'),
  acceptTransfer: caseUpdate('acceptTransfer'),
  refuseTransfer: caseUpdate('refuseTransfer'),
  withdrawTransfer: caseUpdate('withdrawTransfer'),
  handTask: caseUpdate('handTask'),
  addNote: caseUpdate('addNote'),
  recordContact: caseUpdate('recordContact'),
  acceptReferral: caseUpdate('acceptReferral'),
  rejectReferral: caseUpdate('rejectReferral'),
  recordReferralOutcome: caseUpdate('recordReferralOutcome'),
  extendReferralDeadline: caseUpdate('extendReferralDeadline'),
  skipStep: caseUpdate('skipStep'),
  reopenStep: caseUpdate('reopenStep'),
  moveToStep: caseUpdate('moveToStep'),
  migrateCase: caseUpdate('migrateCase'),
} as const satisfies { [K in CaseCommandKind]: UpdateFor<K> };

export const caseSnapshotQuery = defineQuery<CaseSnapshot>('caseSnapshot');
/** Everything the read model may still lack (answered from durable state: the server never queries mid-task). */
export const pendingProjectionQuery = defineQuery<PendingProjection>('pendingProjection');
export const openTasksQuery = defineQuery<CaseTask[]>('openTasks');
/** Whether the case could move to another pathway version, and why not: the migration dry run, by the validator's own rules. */
export const migrationCheckQuery = defineQuery<MigrationCheck, [CaseCommandEnvelope<Extract<CaseCommand, { kind: 'migrateCase' }>>]>('migrationCheck');

/**
 * The workflow types the worker hosts (workflows/index.ts exports functions of these names): the
 * only place callers find them, so a rename cannot leave a caller starting a type nobody hosts.
 */
export const workflowTypes = {
  case: 'pathwayCase',
  interventionJob: 'interventionJob',
  supervisorDigest: 'supervisorDigest',
  retentionSweep: 'retentionSweep',
} as const;

/** Workflow ids carry only the opaque case id: no personal data. */
export function caseWorkflowId(caseId: string): string {
  return `case-${caseId}`;
}

/** ApplicationFailure type used for every refused command; details[0] is the CommandRejection. */
export const COMMAND_REJECTED = 'CommandRejected';
