/**
 * Bulk interventions by filter (reassign for absence cover or caseload transfer; extend deadlines),
 * each with a reason and a synchronous dry run that lists exactly the tasks that would change and
 * those that cannot, with why. The real run is a durable job: one reassignTask / extendDeadline
 * update per task, re-checked by each case's workflow with the submitter's roles; its progress is
 * at `GET /interventions/{jobId}`. Only tasks in the actor's areas are ever considered.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assigneeRefusal, assignmentRefusal, maySupervise, supervisionScopeOf } from '../../../domain/access';
import { calendarFor, deadlineAfter } from '../../../domain/calendar';
import type { Actor } from '../../../domain/case-state';
import { findArea, findUser, type UserRecord } from '../../../infra/db/directory-repository';
import {
  findInterventionJob,
  listInterventionItems,
  selectInterventionTasks,
  type InterventionTask,
  type InterventionTaskFilter,
} from '../../../infra/db/intervention-repository';
import { isAdmin } from '../../auth/permissions';
import { actorOf } from '../../plugins/auth';
import { problem } from '../../plugins/problems';
import { bearerSecurity, decodeCursor, encodeCursor } from '../../schemas/common';
import {
  bulkAcceptedSchema,
  bulkDryRunSchema,
  bulkExtendBodySchema,
  bulkReassignBodySchema,
  jobParamsSchema,
  jobQuerySchema,
  jobSchema,
  MAX_BULK_ITEMS,
  type bulkChangeSchema,
  type bulkSkipSchema,
} from '../../schemas/interventions';
import { problemResponses, problemTypes } from '../../schemas/problem';
import { submitInterventionJob } from './jobs';

type BulkChange = z.infer<typeof bulkChangeSchema>;
type BulkSkip = z.infer<typeof bulkSkipSchema>;

const itemCursorSchema = z.object({ i: z.number().int().min(-1).max(1_000_000) });

const taskOf = (task: InterventionTask) => ({
  taskId: task.taskId,
  caseId: task.caseId,
  caseReference: task.caseReference,
  stepId: task.stepId,
  areaId: task.areaId,
  service: task.service,
  role: task.role,
  assigneeId: task.assigneeId,
  dueAt: task.dueAt,
});

const interventionRoutes: FastifyPluginAsyncZod = async (fastify) => {
  /** The open tasks in the actor's scope the filter names; an area outside it is refused, too many is a 422. */
  async function targetedTasks(actor: Actor, filter: InterventionTaskFilter): Promise<InterventionTask[]> {
    if (filter.areaId !== undefined && !maySupervise(actor, filter.areaId)) throw problem.forbidden(`area "${filter.areaId}" is outside your areas`);
    const tasks = await selectInterventionTasks(fastify.db, supervisionScopeOf(actor), filter, fastify.now(), MAX_BULK_ITEMS);
    if (tasks.length > MAX_BULK_ITEMS) {
      throw problem.unprocessable(problemTypes.invalidData, `more than ${MAX_BULK_ITEMS} tasks match`, [
        { path: ['filter'], message: `narrow the filter: at most ${MAX_BULK_ITEMS} tasks per intervention`, location: 'body' },
      ]);
    }
    return tasks;
  }

  const skip = (task: InterventionTask, reason: BulkSkip['reason'], message: string): BulkSkip => ({ ...taskOf(task), reason, message });
  const notActive = (task: InterventionTask): BulkSkip | null =>
    task.caseStatus === 'active' ? null : skip(task, 'case_not_active', `the case is ${task.caseStatus ?? 'not in the read model'}`);

  const bulkResponses = { 200: bulkDryRunSchema, 202: bulkAcceptedSchema, ...problemResponses(400, 401, 403, 422, 503) };

  fastify.post('/interventions/bulk-reassign', {
    config: { action: 'interventions.run', audit: 'write' },
    schema: {
      tags: ['interventions'],
      summary: 'Reassign every open task matching a filter (absence cover, caseload transfer), with a dry run',
      description:
        'With `dryRun: true` answers 200 with exactly the tasks that would move and those that cannot (with why), changing nothing. ' +
        'Otherwise answers 202 with a job: each task is reassigned by its case (the reason goes on the timeline); progress at `GET /interventions/{jobId}`.',
      security: bearerSecurity,
      body: bulkReassignBodySchema,
      response: bulkResponses,
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const { filter, assigneeId, reason, dryRun } = request.body;
      let target: UserRecord | null = null;
      if (assigneeId !== null) {
        target = await findUser(fastify.db, assigneeId);
        // Someone who can be given no task at all is refused as a single reassign refuses them, not listed task by task.
        const refusal = assigneeRefusal(assigneeId, target);
        if (refusal) {
          throw problem.unprocessable(problemTypes.invalidData, 'the assignee cannot work these tasks', [{ path: ['assigneeId'], message: refusal.message, location: 'body' }]);
        }
      }
      const tasks = await targetedTasks(actor, filter);
      const changes: BulkChange[] = [];
      const skipped: BulkSkip[] = [];
      for (const task of tasks) {
        const cannotWork = assigneeId === null ? null : assignmentRefusal(assigneeId, target, task);
        const refusal =
          notActive(task) ??
          (task.assigneeId === assigneeId ? skip(task, 'already_assigned', 'the task already has that assignee') : null) ??
          (cannotWork ? skip(task, 'assignee_cannot_work', cannotWork.message) : null);
        if (refusal) skipped.push(refusal);
        else changes.push({ ...taskOf(task), newAssigneeId: assigneeId });
      }
      if (dryRun) return reply.code(200).send({ dryRun: true as const, total: tasks.length, changes, skipped });
      const job = await submitInterventionJob(fastify, actor, {
        kind: 'bulk_reassign',
        reason,
        parameters: { filter, assigneeId },
        items: changes.map((change) => ({ caseId: change.caseId, taskId: change.taskId, command: { kind: 'reassignTask', taskId: change.taskId, assigneeId, reason } })),
      });
      return reply.code(202).header('location', job.location).send({ ...job, skipped });
    },
  });

  fastify.post('/interventions/bulk-extend', {
    config: { action: 'interventions.run', audit: 'write' },
    schema: {
      tags: ['interventions'],
      summary: 'Extend the deadline of every open task matching a filter (by a duration or to a date), with a dry run',
      description:
        'Each extended task restarts its escalation ladder and recomputes its reminders, as a single extension does. ' +
        '`dryRun: true` lists each task with its new due date, and the tasks that cannot be extended with why.',
      security: bearerSecurity,
      body: bulkExtendBodySchema,
      response: bulkResponses,
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const { filter, by, newDueAt, reason, dryRun } = request.body;
      const tasks = await targetedTasks(actor, filter);
      const calendars = new Map<string, ReturnType<typeof calendarFor>>();
      const calendarOf = async (areaId: string) => {
        let calendar = calendars.get(areaId);
        if (!calendar) {
          const area = await findArea(fastify.db, areaId);
          calendar = calendarFor(area?.localHolidays ?? [], area?.timezone);
          calendars.set(areaId, calendar);
        }
        return calendar;
      };
      const changes: BulkChange[] = [];
      const skipped: BulkSkip[] = [];
      for (const task of tasks) {
        const inactive = notActive(task);
        if (inactive) {
          skipped.push(inactive);
          continue;
        }
        if (by && task.dueAt === null) {
          skipped.push(skip(task, 'no_deadline', 'the task has no deadline to move by a duration; give newDueAt'));
          continue;
        }
        // The same computation as the case engine's: a duration counts from the current due date on the area's calendar.
        const due = newDueAt ? new Date(newDueAt) : deadlineAfter(new Date(task.dueAt!), by!, await calendarOf(task.areaId));
        if (task.dueAt !== null && due.getTime() <= Date.parse(task.dueAt)) {
          skipped.push(skip(task, 'not_later', `the new deadline is not after ${task.dueAt}`));
          continue;
        }
        changes.push({ ...taskOf(task), newDueAt: due.toISOString() });
      }
      if (dryRun) return reply.code(200).send({ dryRun: true as const, total: tasks.length, changes, skipped });
      const job = await submitInterventionJob(fastify, actor, {
        kind: 'bulk_extend',
        reason,
        parameters: { filter, ...(by ? { by } : { newDueAt }) },
        items: changes.map((change) => ({
          caseId: change.caseId,
          taskId: change.taskId,
          // The date the dry run announced, not `by` again: the case's own calendar may differ from the area's today.
          command: { kind: 'extendDeadline', taskId: change.taskId, reason, newDueAt: change.newDueAt },
        })),
      });
      return reply.code(202).header('location', job.location).send({ ...job, skipped });
    },
  });

  fastify.get('/interventions/:jobId', {
    config: { action: 'interventions.read' },
    schema: {
      tags: ['interventions'],
      summary: 'Progress of an intervention job: counts and the result of each item',
      description: 'Visible to the user who submitted it and to admins.',
      security: bearerSecurity,
      params: jobParamsSchema,
      querystring: jobQuerySchema,
      response: { 200: jobSchema, ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const { jobId } = request.params;
      const job = await findInterventionJob(fastify.db, jobId, isAdmin(actor) ? null : actor.id);
      if (!job) throw problem.notFound(`no job ${jobId}`);
      const position = request.query.cursor === undefined ? { i: -1 } : decodeCursor(request.query.cursor, itemCursorSchema);
      if (!position) {
        throw problem.invalidCursor();
      }
      const page = await listInterventionItems(fastify.db, jobId, { afterIndex: position.i, limit: request.query.limit });
      return { ...job, items: page.items, nextCursor: page.nextAfterIndex === null ? null : encodeCursor({ i: page.nextAfterIndex }) };
    },
  });
};

export default interventionRoutes;
