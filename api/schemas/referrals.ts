/**
 * Referral resources: inbox items, a referral with the codes its step allows, and the bodies of the
 * receiving service's answers (derived from the domain command schemas).
 */
import { z } from 'zod';
import { acceptReferralSchema, extendReferralDeadlineSchema, recordReferralOutcomeSchema, rejectReferralSchema } from '../../domain/case-commands';
import { referralStatuses } from '../../domain/case-state';
import { localizedTextSchema, roleSchema } from '../../domain/pathway-schema';
import type { ReferralDetail, ReferralView } from '../../infra/db/referral-repository';
import { areaIdSchema, cursorSchema, isoDateTime, limitSchema, opaqueId, pageOf, queryBoolean } from './common';
import { escalationViewSchema, reminderViewSchema } from './tasks';

export const referralStatusSchema = z.enum(referralStatuses);

export const referralViewSchema = z
  .object({
    referralId: z.string(),
    caseId: z.string(),
    caseReference: z.string().nullable(),
    pathwayKey: z.string().nullable(),
    pathwayVersion: z.number().int().nullable(),
    stepId: z.string(),
    areaId: z.string(),
    fromService: z.string().describe('The referring service.'),
    toService: z.string().describe('The receiving service, which accepts or rejects and reports the outcome.'),
    role: roleSchema.describe('The role at the receiving service that answers.'),
    status: referralStatusSchema,
    createdAt: isoDateTime,
    acceptDueAt: isoDateTime.nullable().describe('Acceptance deadline.'),
    overdue: z.boolean().describe('Still pending after its acceptance deadline.'),
    reminders: z.array(reminderViewSchema),
    escalations: z.array(escalationViewSchema),
    escalationLevel: z.number().int(),
    respondedAt: isoDateTime.nullable(),
    respondedBy: z.string().nullable(),
    reasonCode: z.string().nullable().describe('Why it was rejected (a code of the step).'),
    outcome: z.string().nullable(),
    outcomeAt: isoDateTime.nullable(),
    outcomeBy: z.string().nullable(),
    version: z.number().int(),
  })
  .meta({ id: 'Referral' }) satisfies z.ZodType<ReferralView>;

const codedOptionSchema = z.object({ code: z.string(), label: localizedTextSchema });

export const referralDetailSchema = referralViewSchema
  .extend({
    step: z
      .object({
        title: localizedTextSchema,
        description: localizedTextSchema.optional(),
        rejectionReasons: z.array(codedOptionSchema),
        outcomes: z.array(codedOptionSchema),
      })
      .nullable()
      .describe("The referral step of the case's pinned pathway version: the codes a rejection and an outcome may use."),
  })
  .meta({ id: 'ReferralDetail' }) satisfies z.ZodType<ReferralDetail>;

export const referralPageSchema = pageOf(referralViewSchema);

export const referralParamsSchema = z.object({ referralId: opaqueId });

const statusListSchema = z
  .string()
  .max(100)
  .transform((value, ctx) => {
    const parsed = z.array(referralStatusSchema).safeParse(value.split(',').map((part) => part.trim()));
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: `comma-separated list of: ${referralStatuses.join(', ')}` });
      return z.NEVER;
    }
    return [...new Set(parsed.data)];
  });

export const referralInboxQuerySchema = z.object({
  status: statusListSchema.optional().describe('Comma-separated statuses; default `pending,accepted` (the open loops).'),
  direction: z
    .enum(['incoming', 'outgoing'])
    .optional()
    .describe('For operators: referrals to your services (incoming) or from them (outgoing); default both.'),
  areaId: areaIdSchema.optional(),
  toService: z.string().max(41).optional(),
  fromService: z.string().max(41).optional(),
  overdue: queryBoolean.optional(),
  caseId: opaqueId.optional().describe('Only the referrals of one case.'),
  limit: limitSchema,
  cursor: cursorSchema,
});

// Optional as a whole (Fastify hands a missing body over as null): clients that accept with no body keep working; the console always sends the appointment.
export const acceptReferralBodySchema = acceptReferralSchema
  .pick({ note: true, firstAppointmentAt: true })
  .nullish()
  .meta({ id: 'AcceptReferral', description: 'Optional: a note, and when the receiving service first sees the person (not in the past).' });
export const rejectReferralBodySchema = rejectReferralSchema.pick({ reasonCode: true, note: true }).meta({ id: 'RejectReferral' });
export const referralOutcomeBodySchema = recordReferralOutcomeSchema.pick({ outcome: true, note: true }).meta({ id: 'ReferralOutcome' });
// The command schema is refined (exactly one of newDueAt/by): the route re-parses with it to apply that rule.
export const extendReferralBodySchema = z.object({
  newDueAt: extendReferralDeadlineSchema.shape.newDueAt,
  by: extendReferralDeadlineSchema.shape.by,
  reason: extendReferralDeadlineSchema.shape.reason,
});
