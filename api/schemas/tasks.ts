/**
 * Task resources: inbox items, a task with its step's form, and the bodies of task commands.
 */
import { z } from 'zod';
import { completeTaskSchema, extendDeadlineSchema, reassignTaskSchema } from '../../domain/case-commands';
import { taskStatuses } from '../../domain/case-state';
import { clockKinds, formSchema, localizedTextSchema, roleSchema } from '../../domain/pathway-schema';
import type { TaskDetail, TaskView } from '../../infra/db/task-repository';
import { areaIdSchema, cursorSchema, isoDateTime, limitSchema, opaqueId, pageOf, queryBoolean } from './common';

export const taskStatusSchema = z.enum(taskStatuses);

/** A reminder before a deadline (of a task, or of a referral's acceptance) and when it fired. */
export const reminderViewSchema = z.object({ at: isoDateTime, firedAt: isoDateTime.nullable() });

/** A level of an escalation ladder after a deadline, and when it fired. */
export const escalationViewSchema = z.object({
  level: z.number().int(),
  at: isoDateTime,
  role: roleSchema,
  service: z.string(),
  reassign: z.boolean(),
  firedAt: isoDateTime.nullable(),
  beforeDeadline: z.literal(true).optional().describe('A warning that fires before the deadline (absent on levels after it).'),
});

/** A deadline's clock: statutory (from a legal date, with its legal basis; suspension never moves it) or internal (paused while the case is suspended). */
export const deadlineClockSchema = z
  .object({ kind: z.enum(clockKinds), legalBasis: localizedTextSchema.nullable() })
  .meta({ id: 'DeadlineClock' });

export const taskViewSchema = z
  .object({
    taskId: z.string(),
    caseId: z.string(),
    caseReference: z.string().nullable(),
    pathwayKey: z.string().nullable(),
    pathwayVersion: z.number().int().nullable(),
    stepId: z.string(),
    areaId: z.string(),
    service: z.string(),
    role: roleSchema,
    assigneeId: z.string().nullable(),
    status: taskStatusSchema,
    createdAt: isoDateTime,
    dueAt: isoDateTime.nullable(),
    overdue: z.boolean(),
    escalationLevel: z.number().int(),
    reminders: z.array(reminderViewSchema),
    escalations: z.array(escalationViewSchema),
    signOff: z
      .object({
        services: z.array(z.string()),
        signed: z.array(z.object({ service: z.string(), actorId: z.string(), at: isoDateTime })),
        missing: z.array(z.string()).describe('Services that have not signed yet.'),
      })
      .nullable(),
    completedAt: isoDateTime.nullable(),
    completedBy: z.string().nullable(),
    occurrence: z.number().int().nullable(),
    version: z.number().int(),
    deadlineClock: deadlineClockSchema
      .nullable()
      .describe('The kind of the deadline: statutory (the law’s date, with its legal basis; a suspension never moves it) or internal (paused while the case is suspended); null without a deadline.'),
    personAlias: z.string().nullable().optional().describe("The short alias of the case's person (first alias, or given name and family initial), when one was recorded."),
  })
  .meta({ id: 'Task' }) satisfies z.ZodType<TaskView>;

export const taskDetailSchema = taskViewSchema
  .extend({
    step: z
      .object({ title: localizedTextSchema, description: localizedTextSchema.optional(), form: formSchema })
      .nullable()
      .describe("The step's title and form from the case's pinned pathway version."),
  })
  .meta({ id: 'TaskDetail' }) satisfies z.ZodType<Omit<TaskDetail, 'completionKey'>>;

export const taskPageSchema = pageOf(taskViewSchema);

export const taskParamsSchema = z.object({ taskId: opaqueId });

const statusListSchema = z
  .string()
  .max(100)
  .transform((value, ctx) => {
    const parts = value.split(',').map((part) => part.trim());
    const parsed = z.array(taskStatusSchema).safeParse(parts);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: `comma-separated list of: ${taskStatuses.join(', ')}` });
      return z.NEVER;
    }
    return [...new Set(parsed.data)];
  });

export const taskInboxQuerySchema = z.object({
  areaId: areaIdSchema.optional(),
  service: z.string().max(41).optional(),
  assignee: z.string().min(1).max(200).optional().describe("`me`, `unassigned`, `me-or-unassigned` (an operator's working inbox), or a user id."),
  status: statusListSchema.optional().describe('Comma-separated statuses; default `open,claimed`.'),
  overdue: queryBoolean.optional(),
  stepId: z.string().max(63).optional(),
  caseId: opaqueId.optional().describe('Only the tasks of one case.'),
  limit: limitSchema,
  cursor: cursorSchema,
});


export const completeTaskBodySchema = completeTaskSchema.pick({ data: true });
export const reassignTaskBodySchema = reassignTaskSchema.pick({ assigneeId: true, reason: true });
// extendDeadlineSchema is refined (exactly one of newDueAt/by): the route re-parses with it to apply that rule.
export const extendDeadlineBodySchema = z.object({
  newDueAt: extendDeadlineSchema.shape.newDueAt,
  by: extendDeadlineSchema.shape.by,
  reason: extendDeadlineSchema.shape.reason,
});
