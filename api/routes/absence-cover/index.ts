/**
 * Absence cover: an operator (or their area manager) names a colleague of the same area and service
 * for a period; while it is in force, every task the absent person holds, and any that comes to them
 * during the period, is handed to the colleague (a `task_reassigned` event marked `handed`, by a sweep
 * in every API instance and at once when the cover is set). Who may cover whom: domain/access.ts.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { coverRefusal, mayManageCover, seesArea } from '../../../domain/access';
import { coverInForce, coverPeriodIssues, localToday } from '../../../domain/absence-cover';
import type { Actor } from '../../../domain/case-state';
import { createCover, dueHandovers, endCover, findCover, listCovers, type AbsenceCover } from '../../../infra/db/absence-cover-repository';
import { findUser, listColleagues, type UserRecord } from '../../../infra/db/directory-repository';
import { actorOf } from '../../plugins/auth';
import { sweepPeriodically } from '../../plugins/periodic-sweep';
import { loggable, problem } from '../../plugins/problems';
import {
  coverColleaguesQuerySchema,
  coverColleaguesSchema,
  coverListQuerySchema,
  coverListSchema,
  coverParamsSchema,
  coverViewSchema,
  createCoverBodySchema,
} from '../../schemas/absence-cover';
import { bearerSecurity } from '../../schemas/common';
import { problemResponses, problemTypes } from '../../schemas/problem';

/** Who hands covered tasks on: the system, on the strength of a cover someone allowed to set it set. */
/** How often each API instance hands covered people's tasks on: a task that reaches them during the period moves within seconds. */
const coverSweepEveryMs = 5_000;

const coverSweepActor: Actor = { id: 'absence-cover', kind: 'system', roles: [], areas: [], services: [] };

/**
 * Hands every task that covered people hold today (of `userId` alone, when given) to their
 * colleagues. Keyed per cover, task and task version: a repeat by another instance is the same Update.
 */
export async function handCoveredTasks(fastify: FastifyInstance, log: FastifyBaseLogger, userId?: string): Promise<number> {
  let handed = 0;
  for (const due of await dueHandovers(fastify.db, localToday(fastify.now()), userId)) {
    try {
      await fastify.caseCommands.execute(
        due.caseId,
        coverSweepActor,
        { kind: 'handTask', taskId: due.taskId, assigneeId: due.colleagueId, reason: 'absence cover' },
        { log, idempotencyKey: `absence-cover:${due.coverId}:${due.taskId}:${due.version}` },
      );
      handed += 1;
    } catch (error) {
      // One task that cannot move (a case closed meanwhile) must not hold up the others.
      log.warn({ err: loggable(error), taskId: due.taskId }, 'absence cover could not hand a task on');
    }
  }
  return handed;
}

const absenceCoverRoutes: FastifyPluginAsyncZod = async (fastify) => {
  sweepPeriodically(fastify, coverSweepEveryMs, 'absence cover sweep', async () => {
    await handCoveredTasks(fastify, fastify.log);
  });

  const view = (cover: AbsenceCover) => ({ ...cover, inForce: cover.endedAt === null && coverInForce(cover, localToday(fastify.now())) });

  /** The absent person the request is about, if the actor may manage their cover: 404 outside the actor's areas, 403 inside. */
  async function managedUser(request: FastifyRequest, userId: string | undefined): Promise<UserRecord> {
    const actor = actorOf(request);
    const user = await findUser(fastify.db, userId ?? actor.id);
    if (!user || !(user.id === actor.id || user.areas.some((areaId) => seesArea(actor, areaId)))) throw problem.notFound(`no user ${userId}`);
    if (!mayManageCover(actor, user)) throw problem.forbidden("only the person themselves or a manager of their area sets their absence cover");
    return user;
  }

  fastify.get('/absence-covers', {
    config: { action: 'absence.manage' },
    schema: {
      tags: ['absence-cover'],
      summary: 'Absence covers of a person (yourself by default): those where they are absent and those where they cover',
      security: bearerSecurity,
      querystring: coverListQuerySchema,
      response: { 200: coverListSchema, ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request) => {
      const user = await managedUser(request, request.query.userId);
      return { items: (await listCovers(fastify.db, [user.id], request.query.includeEnded)).map(view) };
    },
  });

  fastify.get('/absence-covers/colleagues', {
    config: { action: 'absence.manage' },
    schema: {
      tags: ['absence-cover'],
      summary: 'The colleagues who may cover a person (yourself by default): active, in one of the same areas and services',
      security: bearerSecurity,
      querystring: coverColleaguesQuerySchema,
      response: { 200: coverColleaguesSchema, ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request) => {
      const user = await managedUser(request, request.query.userId);
      const candidates = await listColleagues(fastify.db, { areas: user.areas });
      const items = candidates.filter((colleague) => coverRefusal(user, colleague.id, colleague) === null);
      return { items: items.map(({ id, name, services }) => ({ id, name, services })) };
    },
  });

  fastify.post('/absence-covers', {
    config: { action: 'absence.manage', audit: 'write' },
    schema: {
      tags: ['absence-cover'],
      summary: "Set an absence cover: from `from` to `to` the absent person's tasks go to the colleague (at once when it starts today)",
      security: bearerSecurity,
      body: createCoverBodySchema,
      response: { 201: coverViewSchema, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
    },
    handler: async (request, reply) => {
      const { userId, colleagueId, from, to } = request.body;
      const user = await managedUser(request, userId);
      const refusal = coverRefusal(user, colleagueId, await findUser(fastify.db, colleagueId));
      if (refusal) {
        throw problem.unprocessable(problemTypes.invalidData, 'this colleague cannot cover', [{ path: ['colleagueId'], message: refusal.message, location: 'body' }]);
      }
      const issues = coverPeriodIssues({ from, to }, localToday(fastify.now()));
      if (issues.length > 0) throw problem.unprocessable(problemTypes.invalidData, 'the period is not valid', issues.map((issue) => ({ ...issue, location: 'body' as const })));
      const result = await createCover(fastify.db, { userId: user.id, colleagueId, from, to, createdBy: actorOf(request).id });
      if ('overlapping' in result) throw problem.conflict(`a cover from ${result.overlapping.from} to ${result.overlapping.to} overlaps this period`);
      const cover = view(result.created);
      if (cover.inForce) await handCoveredTasks(fastify, request.log, user.id);
      return reply.code(201).send(cover);
    },
  });

  fastify.post('/absence-covers/:coverId/end', {
    config: { action: 'absence.manage', audit: 'write' },
    schema: {
      tags: ['absence-cover'],
      summary: 'End a cover now (the person is back early, or it was set by mistake); tasks already handed stay with the colleague',
      security: bearerSecurity,
      params: coverParamsSchema,
      response: { 200: coverViewSchema, ...problemResponses(400, 401, 403, 404, 409, 503) },
    },
    handler: async (request) => {
      const cover = await findCover(fastify.db, request.params.coverId);
      if (!cover) throw problem.notFound(`no absence cover ${request.params.coverId}`);
      await managedUser(request, cover.userId);
      if (!(await endCover(fastify.db, cover.coverId, actorOf(request).id))) throw problem.conflict('the cover has already ended');
      return view((await findCover(fastify.db, cover.coverId))!);
    },
  });
};

export default absenceCoverRoutes;
