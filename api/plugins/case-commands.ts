/**
 * Sends commands to running cases through the one command path (infra/case-commands.ts): the
 * command's intent is recorded, the workflow Update runs, and its durable result is written to the
 * read model before the answer, so the caller reads their own write. Refusals from the workflow's
 * validators become the matching problem. Intents left behind by a crash are reconciled by
 * api/plugins/case-reconciler.ts.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { CaseCommand, CommandRejection } from '../../domain/case-commands';
import { caseWorkflowId } from '../../domain/case-messages';
import type { Actor, ProjectionBatch } from '../../domain/case-state';
import { CaseCommandRejectedError, commandUpdateId, executeCaseCommand } from '../../infra/case-commands';
import { PersonErasedError } from '../../infra/codec/person-key-store';
import { problemTypes, type ProblemIssue } from '../schemas/problem';
import { auditWithChange } from './audit';
import { problem, ProblemError } from './problems';

/** How a command is sent: all optional. */
export interface CaseCommandContext {
  /** The request's logger: the outcome is logged with the request id and workflow id. */
  log?: FastifyBaseLogger;
  /** The caller's idempotency key: a repeat is answered with the first result (never applied twice). */
  idempotencyKey?: string;
  /** The read model shows the case closed or cancelled, so a workflow not found is refused at once. */
  caseEnded?: boolean;
  /**
   * A write request that has reported to the audit log all it will (api/plugins/audit.ts): its row is
   * written in the statement that writes the command's result.
   */
  auditedRequest?: FastifyRequest;
  /**
   * The command's Update id and intent, when the caller recorded the intent itself in the read of the
   * object it checked (findTaskRecordingIntent; `confirmedSeq` undefined: not recorded there). The
   * Update id then is this one; the idempotency key is not used to name it again.
   */
  intent?: { updateId: string; confirmedSeq: number | undefined };
}

export interface CaseCommandRunner {
  /** Runs the command on the case's workflow and projects the result; throws a ProblemError when refused. */
  execute(caseId: string, actor: Actor, command: CaseCommand, context?: CaseCommandContext): Promise<ProjectionBatch>;
}

declare module 'fastify' {
  interface FastifyInstance {
    caseCommands: CaseCommandRunner;
  }
}

/** The problem a workflow refusal means; form-data issues are located under `data` of the body. */
export function problemOfRejection(rejection: CommandRejection, command: CaseCommand): ProblemError {
  switch (rejection.type) {
    case 'not_found':
      return problem.notFound(rejection.message);
    case 'forbidden':
      return problem.forbidden(rejection.message);
    case 'conflict':
      return problem.conflict(rejection.message);
    case 'case_not_active':
      return problem.conflict(rejection.message, problemTypes.caseNotActive);
    case 'invalid_data': {
      const prefix = command.kind === 'completeTask' ? ['data'] : [];
      const issues: ProblemIssue[] = (rejection.issues ?? []).map((issue) => ({ path: [...prefix, ...issue.path], message: issue.message, location: 'body' }));
      return problem.unprocessable(problemTypes.invalidData, rejection.message, issues);
    }
    default:
      return problem.conflict(rejection.message);
  }
}

/** The command's outcome as a problem where it is one: refusals and an erased person's case. */
function asProblem(error: unknown, command: CaseCommand): unknown {
  if (error instanceof CaseCommandRejectedError) return problemOfRejection(error.rejection, command);
  // The codec cannot encrypt for an erased person: their case takes no more commands.
  if (error instanceof PersonErasedError) return problem.conflict('the person this case is about was erased', problemTypes.caseNotActive);
  return error;
}

export default fp(
  async function caseCommands(fastify) {
    fastify.decorate('caseCommands', {
      async execute(caseId: string, actor: Actor, command: CaseCommand, context: CaseCommandContext = {}): Promise<ProjectionBatch> {
        const { log, idempotencyKey, caseEnded = false, auditedRequest, intent } = context;
        // The caller's idempotency key names the Update: Temporal answers a retry with the first result.
        const updateId = intent?.updateId ?? commandUpdateId(caseId, actor.id, command.kind, idempotencyKey);
        const audit = auditedRequest ? auditWithChange(auditedRequest) : undefined;
        // The caller's recorded intent serves the first attempt only: an attempt that finds no workflow forgets it.
        const recordedIntent = intent?.confirmedSeq === undefined ? undefined : { updateId, confirmedSeq: intent.confirmedSeq };
        const run = (attempt: { recordedIntent?: typeof recordedIntent } = {}) =>
          fastify
            .withTemporalDeadline(() => executeCaseCommand({ temporal: fastify.temporal, db: fastify.db }, caseId, actor, command, { updateId, audit: audit?.entry, ...attempt }))
            .catch((error: unknown) => {
              throw asProblem(error, command);
            });
        // Codes only: the command kind, never its data.
        const logged = log?.child({ workflowId: caseWorkflowId(caseId), command: command.kind });
        const started = performance.now();
        let batch: ProjectionBatch;
        try {
          try {
            batch = await run({ recordedIntent });
          } catch (error) {
            if (!(error instanceof WorkflowNotFoundError)) throw error;
            // An ended case's run is over: a keyed repeat of the command that ended it was answered above.
            if (caseEnded) throw problem.conflict('the case has ended', problemTypes.caseNotActive);
            // A case recorded a moment ago may not have its workflow yet: start it, then try once more.
            if (!(await fastify.caseWorkflows.ensureStarted(caseId))) throw problem.notFound('the case is not running');
            // Its workflow exists (started now or before, never twice), so still not found means its run has
            // ended: a keyed repeat of the command that ended it was answered by Temporal above; anything else is refused.
            batch = await run().catch((retryError: unknown) => {
              throw retryError instanceof WorkflowNotFoundError ? problem.conflict('the case has ended', problemTypes.caseNotActive) : retryError;
            });
          }
        } catch (error) {
          if (error instanceof ProblemError && error.status < 500) logged?.info({ refused: error.type }, 'case command refused');
          else logged?.warn({ ms: Math.round(performance.now() - started) }, 'case command failed');
          throw error;
        }
        audit?.written();
        logged?.info({ events: batch.events.length, ms: Math.round(performance.now() - started) }, 'case command applied');
        return batch;
      },
    });
  },
  { name: 'case-commands', dependencies: ['dependencies', 'case-workflows'] },
);
