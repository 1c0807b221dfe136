/**
 * Tasks: the inbox (by area, service, assignee, status, deadline), a task with its step's form, and
 * the task commands (claim, release, complete, reassign, extend). A task outside the actor's areas
 * and services is "not found".
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assignmentRefusal, coverRefusal, maySupervise, mayPerform } from '../../../domain/access';
import { completeTaskSchema, extendDeadlineSchema, type TaskCommand } from '../../../domain/case-commands';
import { findUser } from '../../../infra/db/directory-repository';
import { caseIdOfTaskId } from '../../../domain/case-interpreter';
import { commandUpdateId } from '../../../infra/case-commands';
import { forgetCommandIntent } from '../../../infra/db/command-intent-repository';
import { findTask, findTaskRecordingIntent, selectTaskViews, taskViewOf, type AssigneeFilter, type TaskDetail } from '../../../infra/db/task-repository';
import type { AuthenticatedActor } from '../../auth/actor-cache';
import { readScopeOf } from '../../auth/permissions';
import { reportAccess } from '../../plugins/audit';
import { actorOf } from '../../plugins/auth';
import { problem } from '../../plugins/problems';
import { bearerSecurity, decodeCursor, encodeCursor, idempotencyHeadersSchema, idempotencyKeyOf, taskCursorSchema } from '../../schemas/common';
import { problemResponses, problemTypes } from '../../schemas/problem';
import {
  completeTaskBodySchema,
  extendDeadlineBodySchema,
  reassignTaskBodySchema,
  taskDetailSchema,
  taskInboxQuerySchema,
  taskPageSchema,
  taskParamsSchema,
} from '../../schemas/tasks';
import { handTaskBodySchema } from '../../schemas/absence-cover';

function withoutCompletionKey(task: TaskDetail): Omit<TaskDetail, 'completionKey'> {
  const { completionKey: _completionKey, ...visible } = task;
  return visible;
}

function assigneeFilter(actor: AuthenticatedActor, assignee: string | undefined): AssigneeFilter | undefined {
  if (assignee === undefined) return undefined;
  if (assignee === 'me') return { kind: 'user', id: actor.id };
  if (assignee === 'unassigned') return { kind: 'unassigned' };
  if (assignee === 'me-or-unassigned') return { kind: 'userOrUnassigned', id: actor.id };
  return { kind: 'user', id: assignee };
}

const taskRoutes: FastifyPluginAsyncZod = async (fastify) => {
  async function visibleTask(request: FastifyRequest, taskId: string): Promise<TaskDetail> {
    const task = await findTask(fastify.db, readScopeOf(actorOf(request)), taskId, fastify.now());
    if (!task) throw problem.notFound(`no task ${taskId}`);
    reportAccess(request, { caseId: task.caseId, areaId: task.areaId });
    return task;
  }

  /**
   * Scope check, role check, state check, then the workflow; answers with the task as now projected.
   * The task's scope read also records the command's intent (one statement and round trip less per
   * command); a command refused here, before it is sent, forgets it again.
   */
  async function runTaskCommand<K extends TaskCommand['kind']>(
    request: FastifyRequest,
    taskId: string,
    kind: K,
    commandOf: (task: TaskDetail) => Extract<TaskCommand, { kind: K }> | Promise<Extract<TaskCommand, { kind: K }>>,
  ) {
    const actor = actorOf(request);
    const idempotencyKey = idempotencyKeyOf(request);
    const caseId = caseIdOfTaskId(taskId);
    const updateId = commandUpdateId(caseId, actor.id, kind, idempotencyKey);
    // The role was checked from the route's config.action (tasks.act); the scope here.
    const found = await findTaskRecordingIntent(fastify.db, readScopeOf(actor), taskId, fastify.now(), { updateId, caseId });
    if (!found) throw problem.notFound(`no task ${taskId}`);
    const { task, confirmedSeq } = found;
    reportAccess(request, { caseId: task.caseId, areaId: task.areaId });
    let sent = false;
    try {
      const command: TaskCommand = await commandOf(task);
      if (command.kind === 'completeTask') reportAccess(request, { fields: Object.keys(command.data).map((key) => `${task.stepId}.${key}`) });
      if (command.kind === 'completeTask' && task.status === 'completed') {
        // A retried completion (same key) is answered from the read model; anything else conflicts.
        if (command.idempotencyKey !== undefined && command.idempotencyKey === task.completionKey) return withoutCompletionKey(task);
        throw problem.conflict('the task is already completed');
      }
      // Settled tasks are refused from the read model without waking the workflow, except for a keyed
      // command: it may be the repeat of one that settled it, which the workflow answers as it first did.
      if ((task.status === 'completed' || task.status === 'cancelled') && idempotencyKey === undefined) throw problem.conflict(`the task is ${task.status}`);
      sent = true;
      const batch = await fastify.caseCommands.execute(task.caseId, actor, command, { log: request.log, idempotencyKey, auditedRequest: request, intent: { updateId, confirmedSeq } });
      // The Update's durable result already holds the task as the read model now has it: no read back.
      // It is answered even if, say, a transfer took it out of the caller's scope meanwhile, and a
      // signer of a joint plan handed on to the next service sees their signature.
      const projected = batch.tasks.find((t) => t.id === taskId);
      if (projected) return withoutCompletionKey({ ...task, ...taskViewOf(projected, batch.snapshot, fastify.now()) });
      // A repeat whose first result the read model already confirmed carries no task: read it.
      const current = await findTask(fastify.db, readScopeOf(actor), taskId, fastify.now());
      if (!current) throw problem.notFound(`no task ${taskId}`);
      return withoutCompletionKey(current);
    } finally {
      // Nothing was sent, so nothing can be in the history: the intent only marks the case for the
      // reconciler, which is harmless if this fails (a no-op reconciliation later).
      if (!sent && confirmedSeq !== undefined) {
        await forgetCommandIntent(fastify.db, updateId).catch((error: unknown) => request.log.warn({ err: error }, 'could not forget the intent of a refused task command'));
      }
    }
  }

  const commandResponses = { 200: taskDetailSchema, ...problemResponses(400, 401, 403, 404, 409, 422, 503) };

  fastify.get('/tasks', {
    // Audited only when it shows people's aliases (a list otherwise carries no personal data).
    config: { action: 'tasks.read', audit: 'read-if-reported' },
    schema: {
      tags: ['tasks'],
      summary: 'Task inbox: tasks in your areas and services, soonest deadline first',
      security: bearerSecurity,
      querystring: taskInboxQuerySchema,
      response: { 200: taskPageSchema, ...problemResponses(400, 401, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const { limit, cursor, assignee, status, ...filters } = request.query;
      const position = cursor === undefined ? undefined : decodeCursor(cursor, taskCursorSchema);
      if (cursor !== undefined && !position) {
        throw problem.invalidCursor();
      }
      const page = await selectTaskViews(
        fastify.db,
        readScopeOf(actor),
        { ...filters, assignee: assigneeFilter(actor, assignee), statuses: status ?? ['open', 'claimed'] },
        { limit, after: position ? { dueAt: position.d, taskId: position.id } : undefined },
        fastify.now(),
        // Roles that may find a case by its person may see whose it is; coordinators and auditors may not.
        { personAliases: mayPerform(actor.roles, 'cases.searchByPerson') },
      );
      if (page.items.some((task) => task.personAlias)) reportAccess(request, { fields: ['person.shortAlias'] });
      return { items: page.items, nextCursor: page.next ? encodeCursor({ d: page.next.dueAt, id: page.next.taskId }) : null };
    },
  });

  fastify.get('/tasks/:taskId', {
    config: { action: 'tasks.read', audit: 'read' },
    schema: {
      tags: ['tasks'],
      summary: "A task with its step's form (from the case's pinned pathway version)",
      security: bearerSecurity,
      params: taskParamsSchema,
      response: { 200: taskDetailSchema, ...problemResponses(400, 401, 404, 503) },
    },
    handler: async (request) => withoutCompletionKey(await visibleTask(request, request.params.taskId)),
  });

  fastify.post('/tasks/:taskId/claim', {
    config: { action: 'tasks.act', audit: 'write' },
    schema: { tags: ['tasks'], summary: 'Take the task (assign it to yourself)', security: bearerSecurity, params: taskParamsSchema, headers: idempotencyHeadersSchema, response: commandResponses },
    handler: async (request) => runTaskCommand(request, request.params.taskId, 'claimTask', (task) => ({ kind: 'claimTask', taskId: task.taskId })),
  });

  fastify.post('/tasks/:taskId/release', {
    config: { action: 'tasks.act', audit: 'write' },
    schema: { tags: ['tasks'], summary: "Put the task back in the service's queue", security: bearerSecurity, params: taskParamsSchema, headers: idempotencyHeadersSchema, response: commandResponses },
    handler: async (request) => runTaskCommand(request, request.params.taskId, 'releaseTask', (task) => ({ kind: 'releaseTask', taskId: task.taskId })),
  });

  fastify.post('/tasks/:taskId/complete', {
    config: { action: 'tasks.act', audit: 'write' },
    schema: {
      tags: ['tasks'],
      summary: "Complete the task with its form's data",
      description: 'Form problems answer 422 with paths under `data`. With an Idempotency-Key, a repeat returns the completed task.',
      security: bearerSecurity,
      params: taskParamsSchema,
      headers: idempotencyHeadersSchema,
      body: completeTaskBodySchema,
      response: commandResponses,
    },
    handler: async (request) =>
      runTaskCommand(request, request.params.taskId, 'completeTask', (task) =>
        completeTaskSchema.parse({ kind: 'completeTask', taskId: task.taskId, data: request.body.data, idempotencyKey: request.headers['idempotency-key'] }),
      ),
  });

  fastify.post('/tasks/:taskId/reassign', {
    config: { action: 'tasks.act', audit: 'write' },
    schema: {
      tags: ['tasks'],
      summary: "Give the task to someone else, or back to the service's queue with assigneeId null (supervisors)",
      security: bearerSecurity,
      params: taskParamsSchema,
      headers: idempotencyHeadersSchema,
      body: reassignTaskBodySchema,
      response: commandResponses,
    },
    handler: async (request) =>
      runTaskCommand(request, request.params.taskId, 'reassignTask', async (task) => {
        const { assigneeId, reason } = request.body;
        // Who may reassign first (the workflow's own rule), so a non-supervisor learns nothing of the directory.
        if (!maySupervise(actorOf(request), task.areaId)) throw problem.forbidden('only a supervisor of the area can reassign tasks');
        if (assigneeId !== null) {
          // The same rule as the bulk reassign's (domain/access.ts): an assignee who could not work the task would strand it.
          const refusal = assignmentRefusal(assigneeId, await findUser(fastify.db, assigneeId), task);
          if (refusal) {
            throw problem.unprocessable(problemTypes.invalidData, 'the assignee cannot work this task', [{ path: ['assigneeId'], message: refusal.message, location: 'body' }]);
          }
        }
        return { kind: 'reassignTask', taskId: task.taskId, assigneeId, reason };
      }),
  });

  fastify.post('/tasks/:taskId/hand', {
    config: { action: 'tasks.act', audit: 'write' },
    schema: {
      tags: ['tasks'],
      summary: 'Hand a task you hold to a colleague of your area and service who can work it (absence cover); area managers hand anyone’s',
      security: bearerSecurity,
      params: taskParamsSchema,
      headers: idempotencyHeadersSchema,
      body: handTaskBodySchema,
      response: commandResponses,
    },
    handler: async (request) =>
      runTaskCommand(request, request.params.taskId, 'handTask', async (task) => {
        const actor = actorOf(request);
        const { assigneeId, reason } = request.body;
        if (task.assigneeId === null) throw problem.conflict('the task waits in the service queue: nobody holds it to hand it on');
        // Who may hand it first (the workflow's own rule), so others learn nothing of the directory.
        if (task.assigneeId !== actor.id && !maySupervise(actor, task.areaId)) throw problem.forbidden('only the holder of the task or a supervisor of the area can hand it on');
        const holder = task.assigneeId === actor.id ? actor : await findUser(fastify.db, task.assigneeId);
        const colleague = await findUser(fastify.db, assigneeId);
        // A colleague of the holder's (domain/access.ts), who can also work this very task.
        const refusal = (holder ? coverRefusal({ ...holder, id: task.assigneeId }, assigneeId, colleague) : null) ?? assignmentRefusal(assigneeId, colleague, task);
        if (refusal) {
          throw problem.unprocessable(problemTypes.invalidData, 'this colleague cannot take the task', [{ path: ['assigneeId'], message: refusal.message, location: 'body' }]);
        }
        return { kind: 'handTask', taskId: task.taskId, assigneeId, reason };
      }),
  });

  fastify.post('/tasks/:taskId/extend', {
    config: { action: 'tasks.act', audit: 'write' },
    schema: {
      tags: ['tasks'],
      summary: 'Move the deadline: a new date (newDueAt) or a duration (by), with a reason (supervisors)',
      security: bearerSecurity,
      params: taskParamsSchema,
      headers: idempotencyHeadersSchema,
      body: extendDeadlineBodySchema,
      response: commandResponses,
    },
    handler: async (request) =>
      runTaskCommand(request, request.params.taskId, 'extendDeadline', (task) => {
        const parsed = extendDeadlineSchema.safeParse({ kind: 'extendDeadline', taskId: task.taskId, ...request.body });
        if (!parsed.success) {
          throw problem.invalidBody('give exactly one of "newDueAt" or "by"', parsed.error.issues);
        }
        return parsed.data;
      }),
  });
};

export default taskRoutes;
