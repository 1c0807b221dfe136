/**
 * Case resources: the start request, list items, detail with collected data, timeline events, and
 * the bodies of case commands (derived from the domain command schemas).
 */
import { z } from 'zod';
import { addNoteSchema, recordContactSchema, cancelCaseSchema, closeCaseSchema, resumeCaseSchema, suspendCaseSchema, transferCaseSchema } from '../../domain/case-commands';
import { caseEventTypes, caseStatuses } from '../../domain/case-state';
import { pathwayKeySchema } from '../../domain/pathway-schema';
import type { CaseDetail, CaseEventView, CaseSummary } from '../../infra/db/case-repository';
import { areaIdSchema, cursorSchema, isoDateTime, limitSchema, opaqueId, pageOf, queryBoolean } from './common';
import { taskViewSchema } from './tasks';

export const caseStatusSchema = z.enum(caseStatuses);

const scalarValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]);
// A repeating group (e.g. household members): a list of items, each sub-field key → value.
const fieldValueSchema = z.union([scalarValueSchema, z.array(z.record(z.string(), scalarValueSchema))]);

export const caseDataSchema = z
  .record(z.string(), z.record(z.string(), fieldValueSchema))
  .meta({ id: 'CaseData', description: 'Collected data by step id, then field key; `case` holds the start data.' });

export const planSignOffSchema = z
  .object({
    taskId: z.string(),
    stepId: z.string(),
    required: z.array(z.string()),
    signed: z.array(z.string()),
    missing: z.array(z.string()),
  })
  .meta({ id: 'PlanSignOff' });

export const caseSummarySchema = z
  .object({
    caseId: z.string(),
    reference: z.string().describe('Pseudonymous reference, e.g. RT-LI-7K3Q9X: no personal data.'),
    pathwayKey: z.string(),
    pathwayVersion: z.number().int(),
    areaId: z.string(),
    status: caseStatusSchema,
    outcome: z.string().nullable(),
    startedAt: isoDateTime,
    updatedAt: isoDateTime,
    lastProgressAt: isoDateTime,
    closedAt: isoDateTime.nullable(),
    suspendedAt: isoDateTime.nullable(),
    openStepIds: z.array(z.string()),
    nextDeadline: isoDateTime.nullable(),
    escalationLevel: z.number().int(),
    version: z.number().int(),
    lastContactAt: isoDateTime.nullable().describe('Last successful contact with the person (failed attempts do not count).'),
    targetGroup: z.string().nullable().describe('Reporting code from the start data (`case.targetGroup`), e.g. homeless, family_with_minors.'),
    planSignedAt: isoDateTime.nullable().describe('When a joint plan was first signed by every service it names.'),
    planSignOff: planSignOffSchema
      .nullable()
      .describe('The open joint plan: services that must sign, have signed, and are still missing; null when no plan awaits signatures.'),
  })
  .meta({ id: 'CaseSummary' }) satisfies z.ZodType<CaseSummary>;

export const redactedFieldsSchema = z
  .array(z.string())
  .describe('Special-category fields hidden from you (`<stepId>.<fieldKey>`): omitted from `data`, listed so a UI can show them as hidden.');

export const caseDetailSchema = caseSummarySchema
  .extend({
    data: caseDataSchema,
    openTasks: z.array(taskViewSchema),
    redactedFields: redactedFieldsSchema,
    personId: z.string().nullable().optional().describe('Pseudonymous id of the person the case is about; pass it to start another case for them.'),
  })
  .meta({ id: 'CaseDetail' }) satisfies z.ZodType<CaseDetail>;

export const caseEventSchema = z
  .object({
    seq: z.number().int(),
    type: z.string().describe(`One of: ${caseEventTypes.join(', ')}.`),
    at: isoDateTime,
    actor: z.object({ id: z.string(), kind: z.string() }),
    stepId: z.string().nullable(),
    taskId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    redactedFields: redactedFieldsSchema.optional(),
  })
  .meta({ id: 'CaseEvent' }) satisfies z.ZodType<CaseEventView>;

export const casePageSchema = pageOf(caseSummarySchema);
export const caseTimelineSchema = pageOf(caseEventSchema);

export const caseParamsSchema = z.object({ caseId: opaqueId });

export const startCaseBodySchema = z
  .object({
    pathwayKey: pathwayKeySchema,
    version: z.number().int().min(1).max(1_000_000).optional().describe('Default: the newest version open to new cases.'),
    areaId: areaIdSchema,
    data: z.record(z.string(), z.unknown()).default({}).describe("Values of the pathway's caseFields (no personal identity)."),
    personId: z.uuid().optional().describe('An existing person (from an earlier case) this case is about; by default a new person.'),
  })
  .meta({ id: 'StartCase' });
export type StartCaseBody = z.infer<typeof startCaseBodySchema>;

export const startCaseHeadersSchema = z.looseObject({
  'idempotency-key': z.string().min(1).max(200).describe('Required. The same key and body return the same case.'),
});

export const caseListQuerySchema = z.object({
  areaId: areaIdSchema.optional(),
  pathwayKey: z.string().max(63).optional(),
  status: caseStatusSchema.optional(),
  stepId: z.string().max(63).optional().describe('Cases with this step open.'),
  escalated: queryBoolean.optional(),
  overdue: queryBoolean.optional(),
  limit: limitSchema,
  cursor: cursorSchema,
});


export const timelineQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: cursorSchema,
});


export const suspendCaseBodySchema = suspendCaseSchema.pick({ reason: true });
export const resumeCaseBodySchema = resumeCaseSchema.pick({ reason: true });
export const cancelCaseBodySchema = cancelCaseSchema.pick({ reason: true });
export const closeCaseBodySchema = closeCaseSchema.pick({ outcome: true, reason: true });
export const transferCaseBodySchema = transferCaseSchema.pick({ areaId: true, reason: true });
export const addNoteBodySchema = addNoteSchema.pick({ text: true, category: true });
export const recordContactBodySchema = recordContactSchema
  .pick({ outcome: true, channel: true, at: true, note: true })
  .meta({ id: 'RecordContact', description: 'A contact with the person (`reached`) or a failed attempt; `at` may not be in the future.' });
