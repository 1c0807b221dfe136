/**
 * Submitting intervention jobs: the job and its items are recorded in PostgreSQL first, then one
 * durable workflow runs them (an update per case), so the HTTP request returns at once with a job
 * id and the progress is read from `GET /interventions/{jobId}`.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { workflowTypes } from '../../../domain/case-messages';
import type { Actor } from '../../../domain/case-state';
import { createInterventionJob, finishInterventionJob, type InterventionJobKind, type NewInterventionItem } from '../../../infra/db/intervention-repository';
import type { interventionJob } from '../../../workflows/intervention-workflow';

export interface SubmittedJob {
  jobId: string;
  kind: InterventionJobKind;
  status: 'running';
  total: number;
  location: string;
}

/** Records the job with its items, then starts its workflow; a job Temporal did not take is marked not_started and the error rethrown. */
export async function submitInterventionJob(
  fastify: FastifyInstance,
  actor: Actor,
  job: { kind: InterventionJobKind; reason: string; parameters: Record<string, unknown>; items: NewInterventionItem[] },
): Promise<SubmittedJob> {
  const jobId = randomUUID();
  await createInterventionJob(fastify.db, { jobId, actor, ...job });
  try {
    await fastify.withTemporalDeadline(() =>
      fastify.temporal.workflow.start<typeof interventionJob>(workflowTypes.interventionJob, {
        // The job id only: no personal data in workflow ids.
        workflowId: `intervention-${jobId}`,
        taskQueue: fastify.taskQueue,
        args: [{ jobId, total: job.items.length }],
      }),
    );
  } catch (error) {
    await finishInterventionJob(fastify.db, jobId, 'not_started');
    throw error;
  }
  return { jobId, kind: job.kind, status: 'running', total: job.items.length, location: `/interventions/${jobId}` };
}

/** Runs `work` over `items` with at most `limit` at a time, keeping the order of results. */
export async function mapWithLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  });
  await Promise.all(lanes);
  return results;
}
