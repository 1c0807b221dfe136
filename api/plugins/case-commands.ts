/**
 * Sends commands to running cases: one workflow Update per command. The workflow projects the
 * command's events through a local activity inside the same workflow task, and an Update's result
 * travels with that task's completion, so when the result arrives here the read model already has
 * it: the caller reads their own write without a second write from the API. Refusals from the
 * workflow's validators become the matching problem.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { FastifyBaseLogger } from 'fastify';
import fp from 'fastify-plugin';
import type { CaseCommand, CaseCommandEnvelope, CommandRejection } from '../../domain/case-commands';
import { COMMAND_REJECTED, caseUpdates, caseWorkflowId, type CaseCommandResult } from '../../domain/case-messages';
import type { Actor, ProjectionBatch } from '../../domain/case-state';
import { PersonErasedError } from '../../infra/codec/person-key-store';
import { problemTypes, type ProblemIssue } from '../schemas/problem';
import { problem, ProblemError } from './problems';

export interface CaseCommandRunner {
  /**
   * Runs the command on the case's workflow and projects the result; throws a ProblemError when
   * refused. With the request's logger, the outcome is logged with the request id and workflow id.
   */
  execute(caseId: string, actor: Actor, command: CaseCommand, log?: FastifyBaseLogger): Promise<ProjectionBatch>;
}

declare module 'fastify' {
  interface FastifyInstance {
    caseCommands: CaseCommandRunner;
  }
}

function isCommandRejection(value: unknown): value is CommandRejection {
  return typeof value === 'object' && value !== null && typeof (value as CommandRejection).type === 'string' && typeof (value as CommandRejection).message === 'string';
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

/** Runs the update and maps its failures to problems. */
export async function executeCaseUpdate(temporal: Client, caseId: string, actor: Actor, command: CaseCommand): Promise<ProjectionBatch> {
  // caseUpdates is keyed by command kind; the envelope's command matches the update by construction.
  const update = caseUpdates[command.kind] as unknown as UpdateDefinition<CaseCommandResult, [CaseCommandEnvelope], string>;
  // Events remember the actor's id and kind; the workflow re-checks permissions with roles and scope.
  const envelope: CaseCommandEnvelope = {
    actor: { id: actor.id, kind: actor.kind, roles: actor.roles, areas: actor.areas, services: actor.services },
    command,
  };
  try {
    const { batch } = await temporal.workflow.getHandle(caseWorkflowId(caseId)).executeUpdate(update, { args: [envelope] });
    return batch;
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      const cause = error.cause as { type?: unknown; details?: unknown[] } | undefined;
      const rejection = cause?.details?.[0];
      if (cause?.type === COMMAND_REJECTED && isCommandRejection(rejection)) throw problemOfRejection(rejection, command);
    }
    // The codec cannot encrypt for an erased person: their case takes no more commands.
    if (error instanceof PersonErasedError) throw problem.conflict('the person this case is about was erased', problemTypes.caseNotActive);
    throw error;
  }
}

export default fp(
  async function caseCommands(fastify) {
    fastify.decorate('caseCommands', {
      async execute(caseId: string, actor: Actor, command: CaseCommand, log?: FastifyBaseLogger): Promise<ProjectionBatch> {
        const run = () => fastify.withTemporalDeadline(() => executeCaseUpdate(fastify.temporal, caseId, actor, command));
        // Codes only: the command kind, never its data.
        const logged = log?.child({ workflowId: caseWorkflowId(caseId), command: command.kind });
        const started = performance.now();
        let batch: ProjectionBatch;
        try {
          try {
            batch = await run();
          } catch (error) {
            if (!(error instanceof WorkflowNotFoundError)) throw error;
            // A case recorded a moment ago may not have its workflow yet: start it, then try once more.
            if (!(await fastify.caseWorkflows.ensureStarted(caseId))) throw problem.notFound('the case is not running');
            batch = await run().catch((retryError: unknown) => {
              throw retryError instanceof WorkflowNotFoundError ? problem.notFound('the case is not running') : retryError;
            });
          }
        } catch (error) {
          if (error instanceof ProblemError && error.status < 500) logged?.info({ refused: error.type }, 'case command refused');
          else logged?.warn({ ms: Math.round(performance.now() - started) }, 'case command failed');
          throw error;
        }
        logged?.info({ events: batch.events.length, ms: Math.round(performance.now() - started) }, 'case command applied');
        return batch;
      },
    });
  },
  { name: 'case-commands', dependencies: ['dependencies', 'case-workflows'] },
);
