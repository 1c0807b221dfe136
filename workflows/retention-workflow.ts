/**
 * Retention: started by a Temporal Schedule (see workers/retention-schedule.ts), it anonymises every
 * case closed longer ago than the retention period, batch by batch, and reports the counts only.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createRetentionActivities } from '../activities/retention-activities';

const { anonymiseExpiredCases } = proxyActivities<ReturnType<typeof createRetentionActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** A bound on batches per run, so one run's history stays small; the next run continues. */
const maxBatches = 200;

/** Anonymises expired cases until none is left (or the batch bound is reached). */
export async function retentionSweep(): Promise<{ cases: number; persons: number }> {
  const total = { cases: 0, persons: 0 };
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const { cases, persons, more } = await anonymiseExpiredCases();
    total.cases += cases;
    total.persons += persons;
    if (!more) break;
  }
  return total;
}
