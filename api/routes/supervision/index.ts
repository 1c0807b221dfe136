/**
 * Supervision: active cases in the supervisor's areas that look stalled, each with every reason —
 * an overdue task, no progress for N working days (the area's calendar), or an escalation.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { calendarFor, workingDaysBetween } from '../../../domain/calendar';
import { listStalledCandidates, type StalledCandidate } from '../../../infra/db/case-repository';
import { maySupervise, readScopeOf } from '../../auth/permissions';
import { actorOf } from '../../plugins/auth';
import { problem } from '../../plugins/problems';
import { bearerSecurity, caseCursorSchema, decodeCursor, encodeCursor } from '../../schemas/common';
import { problemResponses } from '../../schemas/problem';
import { stalledPageSchema, stalledQuerySchema, type StalledReason } from '../../schemas/supervision';

const dayMs = 24 * 60 * 60 * 1000;

function reasonsOf(candidate: StalledCandidate, noProgressDays: number, now: Date): StalledReason[] {
  const reasons: StalledReason[] = [];
  const { summary } = candidate;
  if (candidate.overdueTasks.length > 0) {
    reasons.push({ type: 'overdue_task', since: candidate.overdueTasks[0].dueAt, taskIds: candidate.overdueTasks.map((task) => task.taskId) });
  }
  const calendar = calendarFor(candidate.area?.localHolidays ?? [], candidate.area?.timezone);
  const idleDays = workingDaysBetween(new Date(summary.lastProgressAt), now, calendar);
  if (idleDays >= noProgressDays) reasons.push({ type: 'no_progress', since: summary.lastProgressAt, workingDays: idleDays });
  if (summary.escalationLevel >= 1) {
    reasons.push({ type: 'escalated', since: candidate.escalatedSince ?? summary.updatedAt, level: summary.escalationLevel });
  }
  return reasons;
}

const supervisionRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/supervision/stalled', {
    schema: {
      tags: ['supervision'],
      summary: 'Stalled cases in your areas, with every reason (supervisors and admins)',
      description: 'Pages may hold fewer items than `limit`; follow `nextCursor` until it is null.',
      security: bearerSecurity,
      querystring: stalledQuerySchema,
      response: { 200: stalledPageSchema, ...problemResponses(400, 401, 403, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      if (!maySupervise(actor)) throw problem.forbidden('only supervisors and admins see stalled cases');
      const { noProgressDays, areaId, limit, cursor } = request.query;
      const position = cursor === undefined ? undefined : decodeCursor(cursor, caseCursorSchema);
      if (cursor !== undefined && !position) {
        throw problem.badRequest('the cursor is not valid for this list', [{ path: ['cursor'], message: 'use nextCursor from a previous page', location: 'querystring' }]);
      }
      const now = fastify.now();
      // N working days span at least N-1 whole days (local midnights, DST): a safe pre-filter; counted exactly below.
      const progressCutoff = new Date(now.getTime() - Math.max(0, noProgressDays - 1) * dayMs + 2 * 60 * 60 * 1000);
      const page = await listStalledCandidates(
        fastify.db,
        readScopeOf(actor),
        { areaId },
        { limit, after: position ? { startedAt: position.s, caseId: position.id } : undefined },
        now,
        progressCutoff,
      );
      const items = page.items
        .map((candidate) => ({ case: candidate.summary, reasons: reasonsOf(candidate, noProgressDays, now) }))
        .filter((item) => item.reasons.length > 0);
      return { items, nextCursor: page.next ? encodeCursor({ s: page.next.startedAt, id: page.next.caseId }) : null };
    },
  });
};

export default supervisionRoutes;
