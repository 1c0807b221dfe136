/**
 * One durable workflow per intervention job (bulk reassign, bulk extend, version migration): it
 * runs an activity per item, a few at a time, so a job of thousands of cases survives restarts and
 * never holds an HTTP request. Progress lives in PostgreSQL, written by the activities.
 */
import { ActivityFailure, continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createInterventionActivities } from '../activities/intervention-activities';

export interface InterventionJobInput {
  jobId: string;
  total: number;
  /** Items started so far (continue-as-new carries it). */
  nextIndex?: number;
  /** Items run at once. */
  parallelism?: number;
}

type InterventionActivities = ReturnType<typeof createInterventionActivities>;

const { runInterventionItem } = proxyActivities<InterventionActivities>({
  startToCloseTimeout: '1 minute',
  // A case that cannot be reached for a while (worker restart, Temporal busy) is retried, then recorded as failed; a refusal is a result, not a failure.
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', backoffCoefficient: 2, maximumAttempts: 6 },
});
// Bookkeeping only writes to PostgreSQL: it waits for the database however long it is down, so a job always finishes.
const { failInterventionItem, completeInterventionJob } = proxyActivities<InterventionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

const DEFAULT_PARALLELISM = 4;
const HISTORY_BUDGET = 10_000;

/** Runs every item of the job once, then marks it completed. */
export async function interventionJob(input: InterventionJobInput): Promise<void> {
  const parallelism = input.parallelism ?? DEFAULT_PARALLELISM;
  let next = input.nextIndex ?? 0;
  while (next < input.total) {
    const window: number[] = [];
    for (let index = next; index < Math.min(next + parallelism, input.total); index++) window.push(index);
    await Promise.all(
      window.map(async (index) => {
        try {
          await runInterventionItem(input.jobId, index);
        } catch (error) {
          const message = error instanceof ActivityFailure && error.cause ? error.cause.message : 'the item failed';
          await failInterventionItem(input.jobId, index, message);
        }
      }),
    );
    next += window.length;
    const info = workflowInfo();
    if (next < input.total && (info.continueAsNewSuggested || info.historyLength >= HISTORY_BUDGET)) {
      await continueAsNew<typeof interventionJob>({ ...input, nextIndex: next });
    }
  }
  await completeInterventionJob(input.jobId);
}
