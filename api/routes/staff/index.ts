/**
 * The staff directory: active people (never service accounts) who share an area with the caller,
 * so consoles can offer colleagues by name when reassigning instead of asking for user ids. Only
 * work details (roles, areas, services); an area outside the caller's answers an empty list.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listColleagues } from '../../../infra/db/directory-repository';
import { readScopeOf } from '../../auth/permissions';
import { actorOf } from '../../plugins/auth';
import { bearerSecurity } from '../../schemas/common';
import { problemResponses } from '../../schemas/problem';
import { staffListSchema, staffQuerySchema } from '../../schemas/staff';

const staffRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/staff', {
    config: { action: 'directory.read' },
    schema: {
      tags: ['me'],
      summary: 'People who work in your areas (for choosing an assignee)',
      security: bearerSecurity,
      querystring: staffQuerySchema,
      response: { 200: staffListSchema, ...problemResponses(400, 401, 403, 503) },
    },
    handler: async (request) => {
      const { areas } = readScopeOf(actorOf(request));
      if (request.query.areaId !== undefined && areas !== null && !areas.includes(request.query.areaId)) return { items: [] };
      const people = await listColleagues(fastify.db, { areas, ...request.query });
      return { items: people.map(({ id, name, roles, areas: workAreas, services }) => ({ id, name, roles, areas: workAreas, services })) };
    },
  });
};

export default staffRoutes;
