/**
 * Audit of access, for auditors (their areas) and admins (everything): every read of a case's
 * personal data and every write, newest first, filtered by case, actor, action and time.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listAuditEvents } from '../../../infra/db/audit-repository';
import { readScopeOf } from '../../auth/permissions';
import { actorOf } from '../../plugins/auth';
import { problem } from '../../plugins/problems';
import { auditCursorSchema, auditPageSchema, auditQuerySchema } from '../../schemas/audit';
import { bearerSecurity, decodeCursor, encodeCursor } from '../../schemas/common';
import { problemResponses } from '../../schemas/problem';

const auditRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/audit/events', {
    config: { action: 'audit.read' },
    schema: {
      tags: ['audit'],
      summary: 'Who read or wrote which case data, when (auditors: their areas; admins: all)',
      description: 'Field keys only, never values. Entries with no case area (e.g. pathway edits) are listed to admins only.',
      security: bearerSecurity,
      querystring: auditQuerySchema,
      response: { 200: auditPageSchema, ...problemResponses(400, 401, 403, 503) },
    },
    handler: async (request) => {
      const { limit, cursor, ...filters } = request.query;
      const position = cursor === undefined ? undefined : decodeCursor(cursor, auditCursorSchema);
      if (cursor !== undefined && !position) {
        throw problem.invalidCursor();
      }
      const page = await listAuditEvents(fastify.db, readScopeOf(actorOf(request)).areas, filters, { limit, beforeId: position?.before });
      return { items: page.items, nextCursor: page.nextBeforeId === null ? null : encodeCursor({ before: page.nextBeforeId }) };
    },
  });
};

export default auditRoutes;
