/**
 * The one way to send a command to a case, used by the API and by activities alike: record the
 * command's intent, run the workflow Update, and write its result to the read model in the statement
 * that ends the intent. The Update's result comes back only once the workflow task that applied it is
 * in the workflow's history, so the read model only ever takes durable changes; an intent left behind
 * by a process that died in between is found by the reconciler (`reconcileCase`).
 */
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { CaseCommand, CommandRejection } from '../domain/case-commands';
import { COMMAND_REJECTED, caseUpdates, caseWorkflowId, pendingProjectionQuery, type CaseCommandResult, type CaseUpdateArgs } from '../domain/case-messages';
import type { Actor, ProjectionBatch } from '../domain/case-state';
import { PersonErasedError } from './codec/person-key-store';
import type { AuditEntry } from './db/audit-repository';
import { forgetCommandIntent, readModelVersion, recordCommandIntent } from './db/command-intent-repository';
import type { Queryable } from './db/pool';
import { applyProjection } from './db/projection-repository';

/** A command the case's workflow refused (its validator's reason); nothing reached the history. */
export class CaseCommandRejectedError extends Error {
  constructor(readonly rejection: CommandRejection) {
    super(rejection.message);
    this.name = 'CaseCommandRejectedError';
  }
}

export interface CaseCommandDeps {
  temporal: Client;
  db: Queryable;
}

export interface CaseCommandOptions {
  /**
   * The Update's id. The same id on the same case is answered with the first result by Temporal, so
   * a retried command (same idempotency key, or a retried activity) never applies twice.
   */
  updateId?: string;
  /** The audit row of the request that sent the command, written in the statement that writes its result. */
  audit?: AuditEntry;
  /**
   * The intent the caller already recorded (findTaskRecordingIntent: in the read of the task), under
   * its Update id, with the read model's version it read; without it the intent is recorded here.
   */
  recordedIntent?: { updateId: string; confirmedSeq: number };
}

function isCommandRejection(value: unknown): value is CommandRejection {
  return typeof value === 'object' && value !== null && typeof (value as CommandRejection).type === 'string' && typeof (value as CommandRejection).message === 'string';
}

/** The validator's reason when `error` is a refused case Update, else undefined. */
export function rejectionOf(error: unknown): CommandRejection | undefined {
  if (!(error instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = error.cause as { type?: unknown; details?: unknown[] } | undefined;
  const rejection = cause?.details?.[0];
  return cause?.type === COMMAND_REJECTED && isCommandRejection(rejection) ? rejection : undefined;
}

/**
 * A stable Update id for a command carrying a caller's idempotency key: the key is the caller's, so
 * it is scoped by actor, case and command kind, and hashed (ids are logged by Temporal; keys are not ours to show).
 */
export function updateIdForKey(caseId: string, actorId: string, kind: CaseCommand['kind'], idempotencyKey: string): string {
  const digest = createHash('sha256').update(JSON.stringify([caseId, actorId, kind, idempotencyKey])).digest('base64url');
  return `cmd-${digest}`;
}

/** The Update id of a command: named by the caller's idempotency key when it has one, else new. */
export function commandUpdateId(caseId: string, actorId: string, kind: CaseCommand['kind'], idempotencyKey: string | undefined): string {
  return idempotencyKey === undefined ? `cmd-${randomUUID()}` : updateIdForKey(caseId, actorId, kind, idempotencyKey);
}

/**
 * Runs `command` on the case as `actor` and writes its result to the read model before returning it.
 * Throws CaseCommandRejectedError when the workflow refuses it, WorkflowNotFoundError when the case has
 * no workflow, PersonErasedError when the person was erased; any other failure may or may not have
 * applied the command, and its intent stays for the reconciler.
 */
export async function executeCaseCommand(deps: CaseCommandDeps, caseId: string, actor: Actor, command: CaseCommand, options: CaseCommandOptions = {}): Promise<ProjectionBatch> {
  const updateId = options.recordedIntent?.updateId ?? options.updateId ?? `cmd-${randomUUID()}`;
  const confirmedSeq = options.recordedIntent?.confirmedSeq ?? (await recordCommandIntent(deps.db, updateId, caseId));
  // caseUpdates is keyed by command kind; the argument's command matches the update by construction.
  const update = caseUpdates[command.kind] as unknown as UpdateDefinition<CaseCommandResult, [CaseUpdateArgs], string>;
  // Events remember the actor's id and kind; the workflow re-checks permissions with roles and scope.
  const args: CaseUpdateArgs = {
    actor: { id: actor.id, kind: actor.kind, roles: actor.roles, areas: actor.areas, services: actor.services },
    command,
    confirmedSeq,
    // The command's time (commandTime): in the Update's input, so a replay stamps what the live run did.
    sentAt: new Date().toISOString(),
  };
  let result: CaseCommandResult;
  try {
    result = await deps.temporal.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(update, { args: [args], updateId });
  } catch (error) {
    const rejection = rejectionOf(error);
    // Refused, no workflow, or not even encodable (erased person): nothing reached the history.
    if (rejection || error instanceof WorkflowNotFoundError || error instanceof PersonErasedError) {
      await forgetCommandIntent(deps.db, updateId);
      if (rejection) throw new CaseCommandRejectedError(rejection);
    }
    throw error;
  }
  await applyProjection(deps.db, result.batch, updateId, options.audit);
  return result.batch;
}

/**
 * Brings the case's read model up to its workflow's durable state: asks the workflow for everything
 * the read model may lack and writes it. Returns the workflow's last event and the read model's
 * version afterwards (equal once caught up).
 */
export async function reconcileCase(deps: CaseCommandDeps, caseId: string): Promise<{ seq: number; readModelSeq: number }> {
  const pending = await deps.temporal.workflow.getHandle(caseWorkflowId(caseId)).query(pendingProjectionQuery);
  await applyProjection(deps.db, pending.batch);
  return { seq: pending.seq, readModelSeq: await readModelVersion(deps.db, caseId) };
}
