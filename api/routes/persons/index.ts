/**
 * Erasure of a person (GDPR art. 17): destroys their data keys, so every Temporal payload and
 * sealed read-model value of theirs becomes undecodable, anonymises their cases' read-model rows
 * (coded columns stay, so aggregate figures survive), records who erased them, when and why, and
 * terminates their running case workflows with a non-personal reason.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { caseWorkflowId } from '../../../domain/case-messages';
import { erasePerson, listCasesOfPerson } from '../../../infra/db/person-repository';
import { seesArea } from '../../auth/permissions';
import { actorOf } from '../../plugins/auth';
import { loggable, problem } from '../../plugins/problems';
import { bearerSecurity } from '../../schemas/common';
import { erasureBodySchema, erasureSchema, personParamsSchema, type Erasure } from '../../schemas/persons';
import { problemResponses } from '../../schemas/problem';

/** What a terminated workflow's history says: nothing about the person. */
export const ERASURE_TERMINATION_REASON = 'person erased';

export default async function personRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  /** Terminates the case workflows that still run; each outcome counted, none fatal (the keys are already gone). */
  const terminateWorkflows = async (caseIds: string[]): Promise<Erasure['workflows']> => {
    const outcomes = await Promise.all(
      caseIds.map(async (caseId) => {
        try {
          await fastify.withTemporalDeadline(() => fastify.temporal.workflow.getHandle(caseWorkflowId(caseId)).terminate(ERASURE_TERMINATION_REASON));
          return 'terminated' as const;
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) return 'notRunning' as const;
          fastify.log.warn({ caseId, err: loggable(error) }, 'case workflow of an erased person not terminated');
          return 'failed' as const;
        }
      }),
    );
    const count = (outcome: (typeof outcomes)[number]) => outcomes.filter((item) => item === outcome).length;
    return { terminated: count('terminated'), notRunning: count('notRunning'), failed: count('failed') };
  };

  app.post('/persons/:personId/erasure', {
    config: { action: 'persons.erase', audit: 'write' },
    schema: {
      tags: ['persons'],
      summary: "Erase a person: destroy their keys, anonymise their cases, stop their workflows",
      description:
        'Every Temporal payload and read-model value of the person becomes undecodable; their cases keep area, pathway, status, steps and dates for aggregate figures. A repeat answers 409.',
      security: bearerSecurity,
      params: personParamsSchema,
      body: erasureBodySchema,
      response: { 200: erasureSchema, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const { personId } = request.params;
      const cases = await listCasesOfPerson(fastify.db, personId);
      // A person is in scope when all their cases are: nobody erases data they could not see.
      if (cases.length === 0 || !cases.every((item) => seesArea(actor, item.areaId))) throw problem.notFound(`no person ${personId}`);
      const erased = await erasePerson(fastify.db, fastify.personKeys, personId, { actorId: actor.id, reason: request.body.reason, now: fastify.now() });
      if (erased === 'not_found') throw problem.notFound(`no person ${personId}`);
      if (erased === 'already_erased') throw problem.conflict(`person ${personId} was already erased`);
      const workflows = await terminateWorkflows(erased.cases);
      const { cases: erasedCases, ...record } = erased;
      return { ...record, cases: erasedCases.length, workflows };
    },
  });
}
