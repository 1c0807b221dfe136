/**
 * Reporting: the period every export and indicator takes, and the funders' indicators.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { areaIdSchema } from './common';

const reportTimezone = 'Europe/Rome';
const maxPeriodDays = 3660;

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((value) => {
    const date = DateTime.fromISO(value, { zone: reportTimezone });
    return date.isValid && date.year >= 1900 && date.year <= 2200;
  }, 'not a calendar date between 1900 and 2200');

/** Start of a local day (Europe/Rome) as an instant. */
export function startOfLocalDay(date: string): Date {
  return DateTime.fromISO(date, { zone: reportTimezone }).startOf('day').toJSDate();
}

export const periodQuerySchema = z
  .object({
    from: localDate.describe('First day of the period (Europe/Rome), included.'),
    to: localDate.describe('Day after the last day of the period (Europe/Rome), excluded.'),
  })
  .superRefine((query, ctx) => {
    const from = DateTime.fromISO(query.from);
    const to = DateTime.fromISO(query.to);
    if (!from.isValid || !to.isValid) return;
    if (to <= from) ctx.addIssue({ code: 'custom', path: ['to'], message: '`to` must be after `from`' });
    else if (to.diff(from, 'days').days > maxPeriodDays) ctx.addIssue({ code: 'custom', path: ['to'], message: `a period spans at most ${maxPeriodDays} days` });
  });

export const indicatorsQuerySchema = z.intersection(periodQuerySchema, z.object({ areaId: areaIdSchema.optional() }));

export const funderIndicatorsSchema = z
  .object({
    period: z.object({ from: z.string(), to: z.string(), timezone: z.string() }),
    takenIn: z
      .array(z.object({ areaId: z.string(), targetGroup: z.string().nullable(), people: z.number().int(), cases: z.number().int() }))
      .describe('People taken in (distinct persons of the cases started) in the period, by area and target group, and those cases.'),
    plansSigned: z.array(z.object({ areaId: z.string(), cases: z.number().int() })).describe('Joint plans signed by every named service in the period.'),
    closures: z
      .array(z.object({ areaId: z.string(), status: z.string(), outcome: z.string().nullable(), cases: z.number().int() }))
      .describe('Cases closed or cancelled in the period, by outcome.'),
  })
  .meta({ id: 'FunderIndicators' });

export const csvExportSchema = z.string().describe('CSV (RFC 4180, UTF-8, header row); codes, dates and pseudonymous ids only.');

export const reportTimezoneName = reportTimezone;
