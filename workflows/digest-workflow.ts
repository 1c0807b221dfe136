/**
 * The daily supervisor digest: started by a Temporal Schedule (Europe/Rome, see
 * workers/notification-dispatcher.ts) or by an admin (`POST /notifications/digest/run`). The workflow
 * id keys the run, so a retried activity never queues a digest twice.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { NotificationActivities } from '../activities/notification-activities';

const { queueSupervisorDigests } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 10 },
});

/** Queues one digest email per supervisor with stalled cases; returns the counts. */
export async function supervisorDigest(): Promise<{ supervisors: number; queued: number; skippedNoSmtp: boolean }> {
  return queueSupervisorDigests({ runKey: workflowInfo().workflowId });
}
