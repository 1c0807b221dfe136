/**
 * Absence cover: for a period (local dates, both included) the tasks an operator holds go to a named
 * colleague of the same area and service (who may cover whom: domain/access.ts coverRefusal). Pure.
 */
import { DateTime } from 'luxon';

/** The longest cover one request sets: a longer absence is a caseload transfer, not a cover. */
export const maxCoverDays = 366;

/** A period of cover, as local dates (YYYY-MM-DD, Europe/Rome), both days included. */
export interface CoverPeriod {
  from: string;
  to: string;
}

/** Today's date where the services work: covers start and end on local days. */
export function localToday(now: Date, timezone = 'Europe/Rome'): string {
  return DateTime.fromJSDate(now, { zone: timezone }).toISODate()!;
}

/** Whether the cover is in force on the local day `today`. */
export function coverInForce(period: CoverPeriod, today: string): boolean {
  return period.from <= today && today <= period.to;
}

/** Why a new period cannot be set (each with its field), or an empty list: it ends after it starts, not in the past, within a year. */
export function coverPeriodIssues(period: CoverPeriod, today: string): Array<{ path: string[]; message: string }> {
  if (period.to < period.from) return [{ path: ['to'], message: 'must not be before "from"' }];
  if (period.to < today) return [{ path: ['to'], message: `the period is over (today is ${today})` }];
  const days = DateTime.fromISO(period.to).diff(DateTime.fromISO(period.from), 'days').days + 1;
  return days > maxCoverDays ? [{ path: ['to'], message: `a cover lasts at most ${maxCoverDays} days` }] : [];
}
