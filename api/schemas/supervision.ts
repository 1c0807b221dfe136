/**
 * Supervision: the stalled-cases report (every broken rule, since when, who owns the next move) and
 * the stalled-case rules that drive it.
 */
import { z } from 'zod';
import { pathwayKeySchema } from '../../domain/pathway-schema';
import { stallRuleKinds, stallThresholdBounds } from '../../domain/stall-rules';
import type { StalledCaseView } from '../../infra/db/supervision-repository';
import type { StallRuleRecord } from '../../infra/db/stall-rule-repository';
import { areaIdSchema, cursorSchema, isoDateTime, limitSchema, pageOf } from './common';
import { caseSummarySchema } from './cases';

export const stallRuleKindSchema = z.enum(stallRuleKinds).describe(
  `overdue_task: an open task more than N calendar days past due (0 = as soon as overdue); no_progress: N working days (area calendar) without progress; ` +
    `no_contact: N days without a successful contact with the person (since the case start when none yet); escalated: an open task at escalation level ≥ N; ` +
    `referral_not_accepted: a referral still pending N days after its acceptance deadline; suspended_too_long: suspended for more than N days; ` +
    `isee_expiring: the latest ISEE certificate of the case (or of its person) expires within N days, or has expired (31 December), and no newer one was uploaded; ` +
    `contact_failures: N failed contact attempts in a row pause the case's internal clocks until a successful contact (statutory deadlines run on); it lists no stalled case.`,
);

const ownerBase = {
  stepId: z.string(),
  service: z.string().describe("The service that must act (a referral's receiving service)."),
  role: z.string(),
  dueAt: isoDateTime.nullable().describe("The task's deadline, or the referral's acceptance deadline."),
};

export const nextMoveOwnerSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('task'),
      taskId: z.string(),
      ...ownerBase,
      assigneeId: z.string().nullable().describe('The person who holds the task; null when it waits in the service queue.'),
    }),
    z.object({ kind: z.literal('referral'), referralId: z.string(), ...ownerBase, assigneeId: z.null() }),
  ])
  .meta({ id: 'NextMoveOwner' });

const reasonBase = {
  since: isoDateTime.describe('When the condition the rule measures began: the earliest overdue due date, the last progress, the last contact (or the case start), the first escalation of a task now at level ≥ k, the acceptance deadline, the suspension.'),
  threshold: z.number().int().describe('The threshold of the rule that applies to this case.'),
  owners: z.array(nextMoveOwnerSchema).describe('Who owns the next move for this rule.'),
};

export const stalledReasonSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('overdue_task'), ...reasonBase, taskIds: z.array(z.string()) }),
    z.object({ type: z.literal('no_progress'), ...reasonBase, workingDays: z.number().int() }),
    z.object({ type: z.literal('no_contact'), ...reasonBase, days: z.number().int(), lastContactAt: isoDateTime.nullable() }),
    z.object({ type: z.literal('escalated'), ...reasonBase, level: z.number().int() }),
    z.object({ type: z.literal('referral_not_accepted'), ...reasonBase, referralIds: z.array(z.string()) }),
    z.object({ type: z.literal('suspended_too_long'), ...reasonBase, days: z.number().int() }),
    z.object({ type: z.literal('isee_expiring'), ...reasonBase, expiresOn: z.iso.date().describe('The last day the ISEE is valid (Europe/Rome).') }),
  ])
  .meta({ id: 'StalledReason' });
export type StalledReason = z.infer<typeof stalledReasonSchema>;

export const stalledCaseSchema = z
  .object({
    case: caseSummarySchema,
    since: isoDateTime.describe('Urgency: the earliest `since` among the broken rules (of the chosen kinds when filtered); the list is sorted by it, oldest first.'),
    reasons: z.array(stalledReasonSchema).min(1).describe('Every rule the case breaks.'),
  })
  .meta({ id: 'StalledCase' }) satisfies z.ZodType<StalledCaseView>;

export const stalledPageSchema = pageOf(stalledCaseSchema);

export const stalledQuerySchema = z.object({
  areaId: areaIdSchema.optional(),
  pathwayKey: pathwayKeySchema.optional(),
  kind: z
    .union([stallRuleKindSchema, z.array(stallRuleKindSchema).max(stallRuleKinds.length)])
    .optional()
    .describe('Only cases breaking one of these rule kinds (repeat the parameter for several).'),
  limit: limitSchema,
  cursor: cursorSchema,
});

export const stallRuleSchema = z
  .object({
    pathwayKey: pathwayKeySchema.nullable().describe('null = every pathway.'),
    areaId: areaIdSchema.nullable().describe('null = every area.'),
    kind: stallRuleKindSchema,
    threshold: z.number().int(),
    enabled: z.boolean(),
  })
  .strict()
  .meta({ id: 'StallRule' });

export const stallRuleRecordSchema = stallRuleSchema
  .extend({ updatedAt: isoDateTime, updatedBy: z.string() })
  .meta({ id: 'StallRuleRecord' }) satisfies z.ZodType<StallRuleRecord>;

export const stallRuleListSchema = z
  .object({
    rules: z.array(stallRuleRecordSchema),
    precedence: z.string(),
  })
  .meta({ id: 'StallRuleList' });

export const stallRulesBodySchema = z
  .object({
    rules: z.array(stallRuleSchema).max(2000),
  })
  .strict()
  .superRefine((body, ctx) => {
    const seen = new Map<string, number>();
    body.rules.forEach((rule, index) => {
      const bounds = stallThresholdBounds[rule.kind];
      if (rule.threshold < bounds.min || rule.threshold > bounds.max) {
        ctx.addIssue({ code: 'custom', path: ['rules', index, 'threshold'], message: `${rule.kind}: ${bounds.unit}, from ${bounds.min} to ${bounds.max}` });
      }
      const key = `${rule.pathwayKey ?? '*'}|${rule.areaId ?? '*'}|${rule.kind}`;
      const first = seen.get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['rules', index], message: `the same pathway, area and kind as rules[${first}]` });
      else seen.set(key, index);
    });
  })
  .meta({ id: 'StallRulesReplacement' });

export const stallRulePrecedence =
  'For each kind the most specific row wins: (pathway, area) > (pathway, any area) > (any pathway, area) > (any, any). A disabled row switches the kind off for its scope.';
