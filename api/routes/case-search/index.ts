/**
 * Case search (`POST /cases/search`): by pseudonymous reference for everyone who reads cases, and by
 * person (codice fiscale, name with birth year, alias) for the roles that may look people up. Only
 * cases in the actor's scope come back; the search is audited as a read of the registry.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { findCasesByReference, findCasesOfPersons, type FoundCase } from '../../../infra/db/case-search-repository';
import { findPersonIds, shortAliasesOf } from '../../../infra/db/person-registry-repository';
import { mayPerform, readScopeOf } from '../../auth/permissions';
import { reportAccess } from '../../plugins/audit';
import { actorOf } from '../../plugins/auth';
import { problem } from '../../plugins/problems';
import { caseSearchBodySchema, caseSearchResultSchema } from '../../schemas/case-search';
import { bearerSecurity } from '../../schemas/common';
import { problemResponses } from '../../schemas/problem';
import { queryOf } from '../persons/registry';

const caseSearchRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.post('/cases/search', {
    config: { action: 'cases.read', audit: 'read' },
    schema: {
      tags: ['cases'],
      summary: 'Find cases by reference, or (operators, supervisors, admins) by the person they are about',
      security: bearerSecurity,
      body: caseSearchBodySchema,
      response: { 200: caseSearchResultSchema, ...problemResponses(400, 401, 403, 422, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const scope = readScopeOf(actor);
      const maySeePeople = mayPerform(actor.roles, 'cases.searchByPerson');
      const { reference, person } = request.body;
      let found: FoundCase[];
      if (person !== undefined) {
        if (!maySeePeople) throw problem.forbidden('your roles may not search cases by person ("cases.searchByPerson")');
        found = await findCasesOfPersons(fastify.db, scope, await findPersonIds(fastify.db, queryOf(person, ['person'])));
      } else {
        found = await findCasesByReference(fastify.db, scope, (reference as string).toUpperCase());
      }
      const aliases = maySeePeople ? await shortAliasesOf(fastify.db, found.flatMap((item) => (item.personId ? [item.personId] : []))) : new Map<string, string>();
      reportAccess(request, {
        caseId: found.length === 1 ? found[0].caseId : null,
        areaId: found.length === 1 ? found[0].areaId : null,
        fields: [person !== undefined ? 'case.search.person' : 'case.search.reference', ...(aliases.size > 0 ? ['person.shortAlias'] : [])],
      });
      return {
        items: found.map(({ personId, ...summary }) => ({ ...summary, personAlias: personId ? (aliases.get(personId) ?? null) : null })),
      };
    },
  });
};

export default caseSearchRoutes;
