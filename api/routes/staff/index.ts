/**
 * The staff directory: active people (never service accounts) who share an area with the caller,
 * so consoles can offer colleagues by name when reassigning instead of asking for user ids. Only
 * work details (roles, areas, services); an area outside the caller's answers an empty list.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assignmentRefusal } from '../../../domain/access';
import { listColleagues } from '../../../infra/db/directory-repository';
import { findTask } from '../../../infra/db/task-repository';
import { readScopeOf } from '../../auth/permissions';
import { actorOf } from '../../plugins/auth';
import { problem } from '../../plugins/problems';
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
      response: { 200: staffListSchema, ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request) => {
      const scope = readScopeOf(actorOf(request));
      const { taskId, ...filters } = request.query;
      if (filters.areaId !== undefined && scope.areas !== null && !scope.areas.includes(filters.areaId)) return { items: [] };
      // The picker's question "who could take this task?" is answered by the rule the reassign command applies, not a copy of it.
      const task = taskId === undefined ? null : await findTask(fastify.db, scope, taskId, fastify.now());
      if (taskId !== undefined && !task) throw problem.notFound(`no task ${taskId}`);
      const people = await listColleagues(fastify.db, { areas: scope.areas, ...filters });
      const eligible = task ? people.filter((person) => assignmentRefusal(person.id, person, task) === null) : people;
      return { items: eligible.map(({ id, name, roles, areas: workAreas, services }) => ({ id, name, roles, areas: workAreas, services })) };
    },
  });
};

export default staffRoutes;
