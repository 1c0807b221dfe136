/**
 * The stalled-cases report: each case in scope with every reason it counts as stalled.
 */
import { z } from 'zod';
import { areaIdSchema, cursorSchema, isoDateTime, limitSchema, pageOf } from './common';
import { caseSummarySchema } from './cases';

export const stalledReasonSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('overdue_task'), since: isoDateTime, taskIds: z.array(z.string()) }),
    z.object({ type: z.literal('no_progress'), since: isoDateTime, workingDays: z.number().int() }),
    z.object({ type: z.literal('escalated'), since: isoDateTime, level: z.number().int() }),
  ])
  .meta({ id: 'StalledReason' });
export type StalledReason = z.infer<typeof stalledReasonSchema>;

export const stalledCaseSchema = z
  .object({ case: caseSummarySchema, reasons: z.array(stalledReasonSchema).min(1) })
  .meta({ id: 'StalledCase' });

export const stalledPageSchema = pageOf(stalledCaseSchema);

export const stalledQuerySchema = z.object({
  noProgressDays: z.coerce.number().int().min(1).max(365).default(10).describe('Working days without progress that make a case stalled.'),
  areaId: areaIdSchema.optional(),
  limit: limitSchema,
  cursor: cursorSchema,
});
