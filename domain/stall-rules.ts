/**
 * Stalled-case rules as data: which row applies to a case (the most specific one) and the instant
 * before which a case's "since" breaks a rule. Pure: the clock and the calendar come in as parameters.
 */
import { DateTime } from 'luxon';
import { easterSunday, type BusinessCalendar } from './calendar';

export const stallRuleKinds = ['overdue_task', 'no_progress', 'no_contact', 'escalated', 'referral_not_accepted', 'suspended_too_long', 'isee_expiring', 'contact_failures'] as const;
export type StallRuleKind = (typeof stallRuleKinds)[number];

/**
 * What `threshold` means per kind: calendar days past the deadline (overdue_task,
 * referral_not_accepted), working days without progress in the area's calendar (no_progress),
 * calendar days (no_contact, suspended_too_long), or the escalation level reached (escalated).
 */
export const stallThresholdBounds: Readonly<Record<StallRuleKind, { min: number; max: number; unit: string }>> = {
  overdue_task: { min: 0, max: 365, unit: 'calendar days past the due date' },
  no_progress: { min: 1, max: 365, unit: 'working days without progress' },
  no_contact: { min: 1, max: 3650, unit: 'calendar days without a successful contact' },
  escalated: { min: 1, max: 20, unit: 'escalation level' },
  referral_not_accepted: { min: 0, max: 365, unit: 'calendar days past the acceptance deadline' },
  suspended_too_long: { min: 1, max: 3650, unit: 'calendar days suspended' },
  // The ISEE certificate expires on 31 December: renewal needs an appointment at a CAF, so warn well before.
  isee_expiring: { min: 1, max: 365, unit: 'calendar days before the latest ISEE of the case expires' },
  // Not a stalled-case report of its own: the rule pauses the case's internal clocks (domain/contact-pause.ts).
  contact_failures: { min: 1, max: 100, unit: 'failed contact attempts in a row that pause the internal clocks' },
};

/** Kinds that act on the case (through the API's commands) rather than flag it in the stalled-cases report. */
export const clockRuleKinds: readonly StallRuleKind[] = ['contact_failures'];

/** One stored rule row: null pathway or area means "any". */
export interface StallRule {
  pathwayKey: string | null;
  areaId: string | null;
  kind: StallRuleKind;
  threshold: number;
  enabled: boolean;
}

/** Specificity rank: a pathway's own rule beats an area-wide tuning, and both beat the global default. */
function specificity(rule: StallRule): number {
  return (rule.pathwayKey !== null ? 2 : 0) + (rule.areaId !== null ? 1 : 0);
}

/** The rule row of this kind that applies to a case of the pathway in the area, or null when none does or it is disabled. */
export function effectiveRule(rules: readonly StallRule[], pathwayKey: string, areaId: string, kind: StallRuleKind): StallRule | null {
  let best: StallRule | null = null;
  for (const rule of rules) {
    if (rule.kind !== kind) continue;
    if (rule.pathwayKey !== null && rule.pathwayKey !== pathwayKey) continue;
    if (rule.areaId !== null && rule.areaId !== areaId) continue;
    if (!best || specificity(rule) > specificity(best)) best = rule;
  }
  return best?.enabled ? best : null;
}

const dayMs = 86_400_000;

/**
 * The instant before which a case's "since" breaks the rule: a case breaks it when since < cutoff.
 * For `escalated` there is no cutoff (the level is compared instead), nor for `contact_failures` (a count): null.
 */
export function stallCutoff(kind: StallRuleKind, threshold: number, now: Date, calendar: BusinessCalendar): Date | null {
  switch (kind) {
    case 'escalated':
      return null;
    case 'no_progress':
      return workingDaysCutoff(now, threshold, calendar);
    case 'contact_failures':
      return null;
    case 'isee_expiring':
      // Ahead, not behind: a case breaks the rule when its ISEE expires before now + N days.
      return new Date(now.getTime() + threshold * dayMs);
    default:
      return new Date(now.getTime() - threshold * dayMs);
  }
}

/**
 * The latest instant `a` with workingDaysBetween(a, now) ≥ n, exclusive: the start of the n-th
 * working day counted back from today (today included when it is a working day). An instant
 * before it has at least n working days strictly after its local day up to today.
 */
export function workingDaysCutoff(now: Date, n: number, calendar: BusinessCalendar): Date {
  const today = localDayNumber(now, calendar.timezone);
  const year = yearOfDay(today);
  // A year of closures would be a broken calendar, not a real one.
  const holidays = holidayDays(calendar, year - Math.ceil(n / 200) - 2, year);
  let counted = 0;
  for (let day = today; day > today - n * 7 - 400; day -= 1) {
    if (isWorkingDayNumber(day, holidays)) {
      counted += 1;
      if (counted === n) return startOfDayNumber(day, calendar.timezone);
    }
  }
  throw new Error(`no ${n} working days before ${now.toISOString()}: check the holiday calendar`);
}

/**
 * Working days strictly after a's local day up to and including b's local day (0 when b is not
 * after a): the same count as calendar.workingDaysBetween, on day numbers instead of a DateTime per
 * day, so that a page of stalled cases idle for months costs microseconds.
 */
export function countWorkingDays(a: Date, b: Date, calendar: BusinessCalendar): number {
  if (b.getTime() <= a.getTime()) return 0;
  const first = localDayNumber(a, calendar.timezone) + 1;
  const last = localDayNumber(b, calendar.timezone);
  if (last < first) return 0;
  const holidays = holidayDays(calendar, yearOfDay(first), yearOfDay(last));
  let count = 0;
  for (let day = first; day <= last; day += 1) if (isWorkingDayNumber(day, holidays)) count += 1;
  return count;
}

/** Days since 1970-01-01 of the instant's local date in the zone. */
function localDayNumber(instant: Date, zone: string): number {
  const local = DateTime.fromJSDate(instant, { zone });
  return Date.UTC(local.year, local.month - 1, local.day) / dayMs;
}

function yearOfDay(day: number): number {
  return new Date(day * dayMs).getUTCFullYear();
}

function startOfDayNumber(day: number, zone: string): Date {
  const date = new Date(day * dayMs);
  return DateTime.fromObject({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }, { zone }).startOf('day').toJSDate();
}

function isWorkingDayNumber(day: number, holidays: ReadonlySet<number>): boolean {
  // 1970-01-01 was a Thursday: day 0 → 4 (Monday = 1 … Sunday = 7).
  const weekday = ((((day + 3) % 7) + 7) % 7) + 1;
  return weekday <= 5 && !holidays.has(day);
}

/** The day numbers of the calendar's holidays in the years fromYear..toYear. */
function holidayDays(calendar: BusinessCalendar, fromYear: number, toYear: number): Set<number> {
  const days = new Set<number>();
  for (let year = fromYear; year <= toYear; year += 1) {
    for (const rule of calendar.holidays) {
      if ('rule' in rule) {
        const easter = easterSunday(year);
        days.add(Date.UTC(year, easter.month - 1, easter.day + 1) / dayMs);
      } else if ((rule.fromYear === undefined || year >= rule.fromYear) && (rule.toYear === undefined || year <= rule.toYear)) {
        const date = new Date(Date.UTC(year, rule.month - 1, rule.day));
        // 29 February in a common year rolls into March: it simply does not happen that year.
        if (date.getUTCMonth() === rule.month - 1) days.add(date.getTime() / dayMs);
      }
    }
  }
  return days;
}
