/**
 * The Temporal Schedule that runs the retention workflow once a day. Created at worker start and
 * idempotent: an existing schedule (from another worker or an earlier start) is left as it is.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { workflowTypes } from '../domain/case-messages';

/** One schedule per task queue, so deployments sharing a namespace do not share it. */
export function retentionScheduleId(taskQueue: string): string {
  return `reticulate-retention-${taskQueue}`;
}

/** Creates the daily retention schedule unless it exists; true when this call created it. */
export async function ensureRetentionSchedule(client: Client, taskQueue: string): Promise<boolean> {
  try {
    await client.schedule.create({
      scheduleId: retentionScheduleId(taskQueue),
      spec: { intervals: [{ every: '1 day' }] },
      action: { type: 'startWorkflow', workflowType: workflowTypes.retentionSweep, taskQueue, args: [] },
      // A run still going (a large backlog) is not doubled; the next one picks up what is left.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    });
    return true;
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return false;
    throw error;
  }
}
