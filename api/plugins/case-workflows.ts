/**
 * Starts the workflows of recorded cases. A case start commits its record (with the workflow input)
 * and its first projection in PostgreSQL, answers, and starts the workflow right after; if that
 * start fails or the process dies first, a sweep in every API instance starts it later, and a
 * command that reaches a case before its workflow exists starts it on the spot. Starting is
 * idempotent (the workflow id is the case id, conflict policy USE_EXISTING).
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createCase } from '../../domain/case-engine';
import { caseWorkflowId, workflowTypes, type CaseWorkflowInput } from '../../domain/case-messages';
import { findCaseStartRequestByCase, listPendingWorkflowStarts, markWorkflowStarted, type CaseStartRequest } from '../../infra/db/idempotency-repository';
import { findVersion } from '../../infra/db/pathway-repository';
import { applyProjection } from '../../infra/db/projection-repository';
import { forEachLimited } from '../../infra/for-each-limited';
import { sweepPeriodically } from './periodic-sweep';
import { loggable } from './problems';

/** The workflow type hosted by the case worker (workflows/case-workflow.ts). */
// The workflow type comes from the one Temporal contract (domain/case-messages.ts).

export interface CaseWorkflowStarter {
  /** Starts the workflow in the background; a failure is left to the sweep. */
  startSoon(input: CaseWorkflowInput): void;
  /**
   * Starts the workflow of a recorded case if it may not exist yet, and with `project` also writes
   * its first projection (a no-op when the read model already has it or anything newer); false when
   * the case has no start record.
   */
  ensureStarted(caseId: string, options?: { project?: boolean }): Promise<boolean>;
}

declare module 'fastify' {
  interface FastifyInstance {
    caseWorkflows: CaseWorkflowStarter;
  }
}

const sweepEveryMs = 2_000;
// A start younger than this is most likely still in flight from its own request.
const sweepGraceMs = 3_000;
const sweepBatchSize = 100;
/** Starts in flight at once, from requests and from the sweep each: more only queue in Temporal's client until their deadline. */
const startConcurrency = 16;
/** At most this many batches per sweep, so one sweep never runs for ever. */
const sweepMaxBatches = 40;

async function startWorkflow(fastify: FastifyInstance, input: CaseWorkflowInput): Promise<void> {
  try {
    await fastify.withTemporalDeadline(() =>
      fastify.temporal.workflow.start(workflowTypes.case, {
        taskQueue: fastify.taskQueue,
        workflowId: caseWorkflowId(input.caseId),
        // Every recorded start has its first projection already (written with the record, or by finishStart).
        args: [{ ...input, firstBatchProjected: true }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        // A case id is never reused, even after the case has ended.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    );
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  await markWorkflowStarted(fastify.db, input.caseId);
}

/** The full workflow input of a recorded case: the stored input plus its pinned definition. */
async function inputOf(fastify: FastifyInstance, request: CaseStartRequest): Promise<CaseWorkflowInput | null> {
  if (!request.workflowInput) return null;
  const version = await findVersion(fastify.db, request.pathwayKey, request.pathwayVersion);
  if (!version) return null;
  return { ...request.workflowInput, pathway: { key: version.key, version: version.version, definition: version.definition } };
}

export default fp(
  async function caseWorkflows(fastify) {
    const inFlight = new Set<Promise<void>>();
    const track = (work: Promise<void>) => {
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    };
    // Under a burst of case starts, unbounded background starts all wait on Temporal together, time
    // out together and leave everything to the sweep (a soak of 20,000 cases started 6/s). Beyond
    // startConcurrency the record (durable, like an outbox row) waits for the sweep, which drains it
    // at the same bounded rate.
    let backgroundStarts = 0;

    /** Finishes a recorded start: first projection (on request) and workflow (unless known started). */
    const finishStart = async (request: CaseStartRequest, options: { project?: boolean } = {}): Promise<boolean> => {
      const input = await inputOf(fastify, request);
      if (!input) return false;
      if (options.project) await applyProjection(fastify.db, createCase(input).batch);
      if (!request.workflowStartedAt) await startWorkflow(fastify, input);
      return true;
    };
    const ensureStarted = async (caseId: string, options: { project?: boolean } = {}): Promise<boolean> => {
      const request = await findCaseStartRequestByCase(fastify.db, caseId);
      return request ? finishStart(request, options) : false;
    };

    fastify.decorate('caseWorkflows', {
      startSoon(input: CaseWorkflowInput) {
        if (backgroundStarts >= startConcurrency) return;
        backgroundStarts += 1;
        // After the current request has answered: the caller need not wait for the start's serialisation.
        const afterAnswer = new Promise<void>((resolve) => setImmediate(resolve));
        track(
          afterAnswer
            .then(() => startWorkflow(fastify, input))
            .catch((error: unknown) => {
              fastify.log.warn({ caseId: input.caseId, err: loggable(error) }, 'case workflow start deferred to the sweep');
            })
            .finally(() => {
              backgroundStarts -= 1;
            }),
        );
      },
      ensureStarted,
    });

    // A backlog (a burst of starts, or Temporal slow or away while cases were recorded) drains batch
    // after batch, startConcurrency at a time. A batch where nothing started ends the round (Temporal
    // is away); a few failures do not hold back the rest of the backlog.
    sweepPeriodically(fastify, sweepEveryMs, 'case workflow sweep', async () => {
      for (let round = 0; round < sweepMaxBatches; round += 1) {
        const pending = await listPendingWorkflowStarts(fastify.db, new Date(Date.now() - sweepGraceMs), sweepBatchSize);
        let failures = 0;
        // One case that cannot start yet must not hold back the others of its batch.
        await forEachLimited(pending, startConcurrency, (request) =>
          finishStart(request).then(
            () => undefined,
            (error: unknown) => {
              failures += 1;
              fastify.log.warn({ caseId: request.caseId, err: loggable(error) }, 'case workflow start still pending');
            },
          ),
        );
        if (failures === pending.length || pending.length < sweepBatchSize) break;
      }
    });
    fastify.addHook('onClose', async () => {
      await Promise.allSettled([...inFlight]);
    });
  },
  { name: 'case-workflows', dependencies: ['dependencies'] },
);
