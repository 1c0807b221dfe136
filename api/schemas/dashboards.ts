/**
 * Supervision dashboards: the figures a supervisor or coordinator reads at a glance, each scoped to
 * the reader's areas. Definitions are in infra/db/dashboard-repository.ts and repeated here for the
 * OpenAPI document.
 */
import { z } from 'zod';
import { pathwayKeySchema } from '../../domain/pathway-schema';
import { ageingBuckets } from '../../infra/db/dashboard-repository';
import { areaIdSchema, isoDateTime } from './common';

/** The longest period a dashboard aggregates at once. */
export const maxPeriodDays = 366;

export const dashboardFilterSchema = z.object({
  areaId: areaIdSchema.optional().describe('One of your areas (an area outside your scope yields empty figures).'),
  pathwayKey: pathwayKeySchema.optional(),
});

// Years a person could mean: anything else is a typo, and some would not even reach PostgreSQL intact.
const periodInstant = isoDateTime.refine((value) => {
  const year = new Date(value).getUTCFullYear();
  return year >= 1970 && year <= 9999;
}, 'a year between 1970 and 9999');

export const dashboardPeriodQuerySchema = dashboardFilterSchema
  .extend({
    from: periodInstant.optional().describe('Start of the period (inclusive); default `to` minus 90 days.'),
    to: periodInstant.optional().describe('End of the period (exclusive); default now.'),
  })
  .superRefine((query, ctx) => {
    if (query.from === undefined || query.to === undefined) return;
    const span = Date.parse(query.to) - Date.parse(query.from);
    if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (span > maxPeriodDays * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `the period may span at most ${maxPeriodDays} days` });
  });

const periodSchema = z.object({ from: isoDateTime, to: isoDateTime }).meta({ id: 'DashboardPeriod' });

const countRowSchema = z.object({ areaId: z.string(), stepId: z.string(), status: z.string(), count: z.number().int() }).meta({ id: 'DashboardCount' });

export const countsSchema = z
  .object({
    tasks: z.array(countRowSchema).describe('Open tasks (open, claimed) by area × step × status.'),
    cases: z.array(countRowSchema).describe('Open cases (active, suspended) by area × open step × status; a case with two open steps counts under each.'),
  })
  .meta({ id: 'DashboardCounts' });

export const ageingSchema = z
  .object({
    buckets: z.array(z.enum(ageingBuckets)).describe('Whole days since the task was created.'),
    items: z.array(z.object({ areaId: z.string(), bucket: z.enum(ageingBuckets), count: z.number().int() })),
  })
  .meta({ id: 'DashboardAgeing' });

export const onTimeSchema = z
  .object({
    period: periodSchema,
    items: z.array(
      z.object({
        stepId: z.string(),
        completed: z.number().int().describe('Tasks of the step completed in the period that had a due date.'),
        onTime: z.number().int().describe('Of those, completed at or before the due date.'),
        rate: z.number().nullable().describe('onTime ÷ completed (0–1).'),
      }),
    ),
  })
  .meta({ id: 'DashboardOnTime' });

export const planTimeSchema = z
  .object({
    period: periodSchema,
    items: z.array(
      z.object({
        areaId: z.string(),
        plans: z.number().int().describe('Joint plans fully signed in the period.'),
        medianDays: z.number().describe('Median days from the case start (first contact) to the signed plan (percentile_cont).'),
        p90Days: z.number().describe('90th percentile of the same (percentile_cont).'),
      }),
    ),
  })
  .meta({ id: 'DashboardPlanTime' });

export const escalationsSchema = z
  .object({
    items: z.array(
      z.object({
        areaId: z.string(),
        level: z.number().int(),
        tasks: z.number().int().describe('Open tasks at this escalation level.'),
        referrals: z.number().int().describe('Pending referrals at this escalation level.'),
      }),
    ),
  })
  .meta({ id: 'DashboardEscalations' });

export const weeklyTrendSchema = z
  .object({
    period: periodSchema,
    timezone: z.string(),
    items: z.array(
      z.object({
        weekStart: z.string().describe('Monday of the week (local date).'),
        new: z.number().int().describe('Cases started in the week.'),
        closed: z.number().int().describe('Cases closed in the week.'),
        cancelled: z.number().int().describe('Cases cancelled in the week.'),
        stalled: z
          .number()
          .int()
          .describe('Cases that went overdue in the week: a task whose deadline fell in the week was not completed by it (still open, or completed late).'),
      }),
    ),
  })
  .meta({ id: 'DashboardWeeklyTrend' });
