/**
 * Side effects of intervention jobs: each item sends one case command to its case's workflow as an
 * Update through the Temporal client (the workflow's validator re-checks it with the job's actor),
 * then records the result. Built by a factory so the worker injects the pool and the client.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { CaseCommand } from '../domain/case-commands';
import { CaseCommandRejectedError, executeCaseCommand } from '../infra/case-commands';
import {
  findRunnableItem,
  finishInterventionItem,
  finishInterventionJob,
  type InterventionItemError,
  type InterventionItemStatus,
  type RunnableItem,
} from '../infra/db/intervention-repository';
import { findVersion } from '../infra/db/pathway-repository';

export interface InterventionActivityDeps {
  pool: Pool;
  temporal: Client;
}

/** Creates the activities the worker registers for intervention jobs. */
export function createInterventionActivities({ pool, temporal }: InterventionActivityDeps) {
  /** The command as the case receives it: a migration gets its (immutable) target definition here. */
  async function commandOf(item: RunnableItem): Promise<CaseCommand | InterventionItemError> {
    const stored = item.command;
    if (stored.kind !== 'migrateCase' || 'definition' in stored) return stored;
    const { pathwayKey, ...command } = stored;
    const version = await findVersion(pool, pathwayKey, command.toVersion);
    if (!version) return { type: 'not_found', message: `pathway ${pathwayKey} has no version ${command.toVersion}` };
    return { ...command, definition: version.definition };
  }

  return {
    /** Runs one item of a job once: sends its update, records done, refused (with the validator's reason) or failed. */
    async runInterventionItem(jobId: string, index: number): Promise<InterventionItemStatus> {
      const item = await findRunnableItem(pool, jobId, index);
      if (!item) throw ApplicationFailure.nonRetryable(`job ${jobId} has no item ${index}`);
      if (item.status !== 'pending') return item.status;
      const command = await commandOf(item);
      if (!('kind' in command)) {
        await finishInterventionItem(pool, jobId, index, 'failed', command);
        return 'failed';
      }
      try {
        // The update id makes a retried activity a no-op on the case: Temporal answers the first result,
        // which is written to the read model again (idempotently) in case the first attempt died before.
        await executeCaseCommand({ temporal, db: pool }, item.caseId, item.actor, command, { updateId: `intervention-${jobId}-${index}` });
      } catch (error) {
        if (error instanceof CaseCommandRejectedError) {
          await finishInterventionItem(pool, jobId, index, 'refused', error.rejection);
          return 'refused';
        }
        if (error instanceof WorkflowNotFoundError) {
          await finishInterventionItem(pool, jobId, index, 'failed', { type: 'case_not_running', message: 'the case has no running workflow' });
          return 'failed';
        }
        throw error;
      }
      await finishInterventionItem(pool, jobId, index, 'done', null);
      return 'done';
    },

    /** Records an item that kept failing after its retries, so the job can still finish. */
    async failInterventionItem(jobId: string, index: number, message: string): Promise<void> {
      await finishInterventionItem(pool, jobId, index, 'failed', { type: 'error', message });
    },

    /** Marks the job completed once every item has a result. */
    async completeInterventionJob(jobId: string): Promise<void> {
      await finishInterventionJob(pool, jobId, 'completed');
    },
  };
}
