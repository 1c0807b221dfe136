/**
 * Persons: the registry (record who a person is, find them without exposing anyone outside the
 * caller's areas, read one) and erasure (GDPR art. 17): erasure destroys their data keys, so every
 * Temporal payload, sealed read-model value and document of theirs becomes undecodable, removes
 * their blind index entries, anonymises their cases' read-model rows (coded columns stay, so
 * aggregate figures survive), records who erased them, when and why, and terminates their running
 * case workflows with a non-personal reason.
 *
 * Searches travel in POST bodies, never in URLs, so what was searched never reaches access logs.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { caseWorkflowId } from '../../../domain/case-messages';
import { PersonErasedError } from '../../../infra/codec/person-key-store';
import { erasePerson, listCasesOfPerson } from '../../../infra/db/person-repository';
import { recordIdentity, type PersonIdentity } from '../../../infra/db/person-registry-repository';
import { seesArea } from '../../auth/permissions';
import { reportAccess } from '../../plugins/audit';
import { actorOf } from '../../plugins/auth';
import { loggable, problem } from '../../plugins/problems';
import { bearerSecurity } from '../../schemas/common';
import {
  erasureBodySchema,
  erasureSchema,
  personIdentityBodySchema,
  personParamsSchema,
  personSearchBodySchema,
  personSearchResultSchema,
  personViewSchema,
  type Erasure,
} from '../../schemas/persons';
import { problemResponses, problemTypes } from '../../schemas/problem';
import { checkedCodiceFiscale, personViewOf, queryOf, recordingAreaOf, searchPersons, visiblePlacement } from './registry';

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
      // The bytes are already noise (their key is gone); deleting them also frees the store.
      for (const document of erased.documents) {
        if (document.store !== fastify.documentStore.kind) continue;
        await fastify.documentStore.delete(document.objectKey).catch((error: unknown) => fastify.log.warn({ err: loggable(error) }, 'erased document not deleted from the store'));
      }
      const { cases: erasedCases, documents, ...record } = erased;
      return { ...record, cases: erasedCases.length, documents: documents.length, workflows };
    },
  });

  app.post('/persons/search', {
    config: { action: 'persons.search', audit: 'read' },
    schema: {
      tags: ['persons'],
      summary: 'Find a person by codice fiscale, name with birth year, or alias (first contact)',
      description:
        'Matches with a case in your areas come back in full; a person known only in other areas is reported as "known in area X, contact service Y", never with any of their data. Searched values travel in the body only.',
      security: bearerSecurity,
      body: personSearchBodySchema,
      response: { 200: personSearchResultSchema, ...problemResponses(400, 401, 403, 422, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const mode = request.body.codiceFiscale !== undefined ? 'codiceFiscale' : request.body.alias !== undefined ? 'alias' : 'name';
      const result = await searchPersons(fastify.db, actor, queryOf(request.body));
      reportAccess(request, {
        personId: result.matches.length === 1 ? result.matches[0].personId : null,
        fields: [`person.search.${mode}`, ...result.matches.map((match) => `person.${match.personId}`)],
      });
      return result;
    },
  });

  app.get('/persons/:personId', {
    config: { action: 'persons.read', audit: 'read' },
    schema: {
      tags: ['persons'],
      summary: 'A person of your areas: identity and their cases in your areas',
      security: bearerSecurity,
      params: personParamsSchema,
      response: { 200: personViewSchema, ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const placement = await visiblePlacement(fastify.db, actor, request.params.personId);
      if (!placement) throw problem.notFound(`no person ${request.params.personId}`);
      reportAccess(request, { personId: placement.personId, fields: ['person.identity'] });
      return personViewOf(fastify.db, actor, placement);
    },
  });

  app.put('/persons/:personId/identity', {
    config: { action: 'persons.record', audit: 'write' },
    schema: {
      tags: ['persons'],
      summary: "Record who a person of your areas is (replaces what was recorded); makes them findable",
      description:
        "Sealed under the person's key and indexed blindly (HMAC of the codice fiscale, of the name words with the birth year, of the alias words). A codice fiscale recorded for another person answers 409 without naming them.",
      security: bearerSecurity,
      params: personParamsSchema,
      body: personIdentityBodySchema,
      response: { 200: personViewSchema, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const { personId } = request.params;
      const placement = await visiblePlacement(fastify.db, actor, personId);
      if (!placement) throw problem.notFound(`no person ${personId}`);
      const body = request.body;
      if (body.birthYear === undefined && (body.givenName !== undefined || body.familyName !== undefined) && body.codiceFiscale === undefined && body.aliases.length === 0) {
        throw problem.unprocessable(problemTypes.invalidData, 'a name alone cannot find anyone', [
          { path: ['birthYear'], message: 'give the birth year with the name (or a codice fiscale or an alias)', location: 'body' },
        ]);
      }
      const identity: PersonIdentity = {
        ...(body.codiceFiscale !== undefined ? { codiceFiscale: checkedCodiceFiscale(body.codiceFiscale, ['codiceFiscale']) } : {}),
        ...(body.givenName !== undefined ? { givenName: body.givenName } : {}),
        ...(body.familyName !== undefined ? { familyName: body.familyName } : {}),
        ...(body.birthYear !== undefined ? { birthYear: body.birthYear } : {}),
        aliases: body.aliases,
      };
      // Recorded in the first area of the actor's where the person has a case: whom others are told to contact.
      const areaId = recordingAreaOf(actor, placement);
      if (!areaId) throw problem.notFound(`no person ${personId}`);
      reportAccess(request, { personId, areaId, fields: Object.keys(identity).map((key) => `person.${key}`) });
      try {
        const outcome = await recordIdentity(fastify.db, personId, identity, { areaId, service: actor.services[0] ?? null, actorId: actor.id, now: fastify.now() });
        if (!outcome.recorded) {
          throw problem.conflict('this codice fiscale is recorded for another person: search for it and start the case for that person', problemTypes.conflict);
        }
      } catch (error) {
        if (error instanceof PersonErasedError) throw problem.conflict('this person was erased: nothing more is recorded about them');
        throw error;
      }
      // The view reads the identity afresh; the placement's cases are the same as before the recording.
      return personViewOf(fastify.db, actor, placement);
    },
  });
}
