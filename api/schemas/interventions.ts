/**
 * Interventions: single-case commands (skip, reopen, move to a step), bulk reassign and bulk extend
 * by filter with a dry run, version migration of running cases, and the progress of the jobs that
 * run the real operations.
 */
import { z } from 'zod';
import { extendDeadlineSchema, moveToStepSchema, reopenStepSchema, skipStepSchema } from '../../domain/case-commands';
import { migrationProblemCodes } from '../../domain/case-migration';
import { roleSchema, stepIdSchema } from '../../domain/pathway-schema';
import { interventionJobKinds } from '../../infra/db/intervention-repository';
import { areaIdSchema, cursorSchema, isoDateTime, opaqueId } from './common';

/** At most this many tasks or cases per bulk request: a bigger change is several narrower ones. */
export const MAX_BULK_ITEMS = 2_000;

export const skipStepBodySchema = skipStepSchema.pick({ stepId: true, next: true, reason: true });
export const reopenStepBodySchema = reopenStepSchema.pick({ stepId: true, reason: true });
export const moveToStepBodySchema = moveToStepSchema.pick({ stepId: true, reason: true });

const reasonSchema = skipStepSchema.shape.reason;

export const interventionFilterSchema = z
  .strictObject({
    areaId: areaIdSchema.optional(),
    service: z.string().max(41).optional(),
    assigneeId: opaqueId.nullable().optional().describe('Tasks of this user (absence cover, caseload transfer); null for tasks in the shared queue.'),
    stepId: z.string().max(63).optional(),
    pathwayKey: z.string().max(63).optional(),
    // Versions are PostgreSQL integers: a larger number is a 400, not a database error.
    pathwayVersion: z.number().int().positive().max(2_147_483_647).optional(),
    status: z.enum(['open', 'claimed']).optional(),
    overdue: z.boolean().optional(),
    caseId: opaqueId.optional(),
  })
  .refine((filter) => Object.values(filter).some((value) => value !== undefined), {
    message: 'name at least one criterion: a bulk change of every task in scope is never meant',
  })
  .describe('Open tasks in your areas matching every criterion given.');

export const bulkReassignBodySchema = z.strictObject({
  filter: interventionFilterSchema,
  assigneeId: opaqueId.nullable().describe("The user who takes the tasks (able to work them), or null for the service's queue."),
  reason: reasonSchema,
  dryRun: z.boolean().default(false).describe('List what would move (and what cannot, with why) without changing anything.'),
});

export const bulkExtendBodySchema = z
  .strictObject({
    filter: interventionFilterSchema,
    by: extendDeadlineSchema.shape.by,
    newDueAt: extendDeadlineSchema.shape.newDueAt,
    reason: reasonSchema,
    dryRun: z.boolean().default(false),
  })
  .refine((body) => Boolean(body.by) !== Boolean(body.newDueAt), { message: 'give exactly one of "by" or "newDueAt"', path: ['by'] });

export const bulkSkipReasons = ['already_assigned', 'assignee_cannot_work', 'case_not_active', 'not_later', 'no_deadline'] as const;

const bulkTaskSchema = z.object({
  taskId: z.string(),
  caseId: z.string(),
  caseReference: z.string().nullable(),
  stepId: z.string(),
  areaId: z.string(),
  service: z.string(),
  role: roleSchema,
  assigneeId: z.string().nullable(),
  dueAt: isoDateTime.nullable(),
});

export const bulkChangeSchema = bulkTaskSchema
  .extend({
    newAssigneeId: z.string().nullable().optional(),
    newDueAt: isoDateTime.optional(),
  })
  .meta({ id: 'BulkChange' });

export const bulkSkipSchema = bulkTaskSchema.extend({ reason: z.enum(bulkSkipReasons), message: z.string() }).meta({ id: 'BulkSkip' });

export const bulkDryRunSchema = z
  .object({
    dryRun: z.literal(true),
    total: z.number().int().describe('Tasks matching the filter.'),
    changes: z.array(bulkChangeSchema).describe('Exactly the tasks the real run would change, and how.'),
    skipped: z.array(bulkSkipSchema).describe('Tasks matching the filter that cannot change, with why.'),
  })
  .meta({ id: 'BulkDryRun' });

export const jobAcceptedSchema = z
  .object({
    jobId: z.uuid(),
    kind: z.enum(interventionJobKinds),
    status: z.enum(['running', 'completed', 'not_started']),
    total: z.number().int().describe('Items the job sends (one case update each).'),
    location: z.string(),
  })
  .meta({ id: 'InterventionJobAccepted' });

export const bulkAcceptedSchema = jobAcceptedSchema.extend({ skipped: z.array(bulkSkipSchema) }).meta({ id: 'BulkAccepted' });

export const jobParamsSchema = z.object({ jobId: z.uuid() });
export const jobQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1_000).default(100).describe('Items per page (1–1000).'),
  cursor: cursorSchema,
});

const itemErrorSchema = z.object({
  type: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })).optional(),
});

export const jobSchema = z
  .object({
    jobId: z.uuid(),
    kind: z.enum(interventionJobKinds),
    status: z.enum(['running', 'completed', 'not_started']),
    reason: z.string(),
    parameters: z.record(z.string(), z.unknown()),
    createdBy: z.string(),
    createdAt: isoDateTime,
    finishedAt: isoDateTime.nullable(),
    counts: z.object({ total: z.number().int(), pending: z.number().int(), done: z.number().int(), refused: z.number().int(), failed: z.number().int() }),
    items: z.array(
      z.object({
        index: z.number().int(),
        caseId: z.string(),
        taskId: z.string().nullable(),
        status: z.enum(['pending', 'done', 'refused', 'failed']),
        error: itemErrorSchema.nullable().describe('Why the case refused the change (its validator) or why it failed.'),
        finishedAt: isoDateTime.nullable(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'InterventionJob' });

export const migrationParamsSchema = z.object({ key: z.string().max(63) });

export const migrationBodySchema = z.strictObject({
  fromVersion: z.number().int().positive().max(2_147_483_647),
  toVersion: z.number().int().positive().max(2_147_483_647),
  stepMapping: z
    .record(stepIdSchema, stepIdSchema)
    .default({})
    .describe('Old step id → new step id; an open step not named keeps its id, which must exist in the new version.'),
  caseIds: z.array(opaqueId).min(1).max(MAX_BULK_ITEMS).optional().describe('Default: every running case of fromVersion in your areas.'),
  reason: reasonSchema,
  dryRun: z.boolean().default(false),
});

export const migrationCaseReportSchema = z
  .object({
    caseId: z.string(),
    reference: z.string().nullable(),
    areaId: z.string().nullable(),
    canMove: z.boolean(),
    problems: z.array(
      z.object({
        code: z.enum([...migrationProblemCodes, 'not_found', 'case_not_running']),
        stepId: z.string().nullable(),
        message: z.string(),
      }),
    ),
  })
  .meta({ id: 'MigrationCaseReport' });

export const migrationDryRunSchema = z
  .object({
    dryRun: z.literal(true),
    pathwayKey: z.string(),
    fromVersion: z.number().int(),
    toVersion: z.number().int(),
    total: z.number().int(),
    movable: z.number().int(),
    cases: z.array(migrationCaseReportSchema),
  })
  .meta({ id: 'MigrationDryRun' });

export const migrationAcceptedSchema = jobAcceptedSchema.extend({ skipped: z.array(migrationCaseReportSchema) }).meta({ id: 'MigrationAccepted' });
