/**
 * Business calendar for SLA clocks: working days are Monday to Friday minus Italian national
 * holidays and the area's local holidays (the patron saint's day). Holidays are data, so a
 * coordinator can add a site's feast without a release. Pure: every instant comes in as a
 * parameter, which keeps the functions safe to call from replayed workflow code.
 */
import { IANAZone } from 'luxon';
import { z } from 'zod';
import type { Duration } from './pathway-schema';

export type HolidayRule =
  | { month: number; day: number; name: string; fromYear?: number; toYear?: number }
  | { rule: 'easterMonday'; name: string };

const daysInMonthOfLeapYear = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Validates holiday rules sent by the API or stored per area. */
export const holidayRuleSchema: z.ZodType<HolidayRule> = z.union([
  z
    .object({
      month: z.number().int().min(1).max(12),
      day: z.number().int().min(1).max(31),
      name: z.string().min(1).max(100),
      fromYear: z.number().int().min(1900).max(2200).optional(),
      toYear: z.number().int().min(1900).max(2200).optional(),
    })
    .strict()
    .superRefine((rule, ctx) => {
      // 29 Feb is accepted: it simply never matches in common years.
      if (rule.day > daysInMonthOfLeapYear[rule.month - 1]) {
        ctx.addIssue({ code: 'custom', path: ['day'], message: `month ${rule.month} has no day ${rule.day}` });
      }
      if (rule.fromYear !== undefined && rule.toYear !== undefined && rule.fromYear > rule.toYear) {
        ctx.addIssue({ code: 'custom', path: ['toYear'], message: 'toYear must not precede fromYear' });
      }
    }),
  z.object({ rule: z.literal('easterMonday'), name: z.string().min(1).max(100) }).strict(),
]);

export const italianNationalHolidays: HolidayRule[] = [
  { month: 1, day: 1, name: 'Capodanno' },
  { month: 1, day: 6, name: 'Epifania' },
  { rule: 'easterMonday', name: "Lunedì dell'Angelo" },
  { month: 4, day: 25, name: 'Festa della Liberazione' },
  { month: 5, day: 1, name: 'Festa del Lavoro' },
  { month: 6, day: 2, name: 'Festa della Repubblica' },
  { month: 8, day: 15, name: 'Ferragosto' },
  // San Francesco, restored as a national holiday by L. 151/2025 from 2026.
  { month: 10, day: 4, name: "San Francesco d'Assisi", fromYear: 2026 },
  { month: 11, day: 1, name: 'Ognissanti' },
  { month: 12, day: 8, name: 'Immacolata Concezione' },
  { month: 12, day: 25, name: 'Natale' },
  { month: 12, day: 26, name: 'Santo Stefano' },
];

/** Patron saints' days of the pilot areas (domain brief), as seed data for the areas' local holidays. */
export const pilotAreaLocalHolidays: Readonly<Record<string, HolidayRule[]>> = {
  livorno: [{ month: 5, day: 22, name: 'Santa Giulia' }],
  lucca: [{ month: 7, day: 12, name: 'San Paolino' }],
  pistoia: [{ month: 7, day: 25, name: 'San Jacopo' }],
  grosseto: [{ month: 8, day: 10, name: 'San Lorenzo' }],
};

export interface BusinessCalendar {
  timezone: string;
  holidays: HolidayRule[];
}

const quarterHourMs = 15 * 60_000;
const memoisedOffsetsPerZone = 100_000;

/**
 * An IANA zone whose UTC offsets are remembered per quarter hour. Luxon asks Intl for the offset on
 * every step of a date computation (a formatToParts each time), which made the calendar a large share
 * of the CPU a command costs. A quarter hour is remembered only when its first and last millisecond
 * have the same offset, so an hour with a DST change is always asked again: answers are unchanged.
 */
class QuarterHourZone extends IANAZone {
  private readonly offsets = new Map<number, number>();

  override offset(ts: number): number {
    const quarter = Math.floor(ts / quarterHourMs);
    const known = this.offsets.get(quarter);
    if (known !== undefined) return known;
    const first = super.offset(quarter * quarterHourMs);
    if (first !== super.offset(quarter * quarterHourMs + quarterHourMs - 1)) return super.offset(ts);
    // Bounded: a worker lives long and cases span years.
    if (this.offsets.size >= memoisedOffsetsPerZone) this.offsets.clear();
    this.offsets.set(quarter, first);
    return first;
  }
}

const zones = new Map<string, QuarterHourZone>();

/** The zone of a calendar by IANA name, made and checked once per name. */
function zoneOf(timezone: string): QuarterHourZone {
  let zone = zones.get(timezone);
  if (!zone) {
    if (!IANAZone.isValidZone(timezone)) throw new Error(`unknown time zone "${timezone}"`);
    zone = new QuarterHourZone(timezone);
    zones.set(timezone, zone);
  }
  return zone;
}

/** The calendar of an area: national holidays plus its local ones, judged in its time zone. */
export function calendarFor(localHolidays: HolidayRule[], timezone = 'Europe/Rome'): BusinessCalendar {
  // Fail at configuration time rather than producing Invalid DateTimes deep inside a workflow.
  zoneOf(timezone);
  return { timezone, holidays: [...italianNationalHolidays, ...localHolidays] };
}

/** Gregorian Easter Sunday of a year (anonymous Gregorian computus, Meeus/Jones/Butcher). */
export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const n = h + l - 7 * m + 114;
  return { month: Math.floor(n / 31), day: (n % 31) + 1 };
}

const dayMs = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (setUTCFullYear, unlike Date.UTC, keeps years below 100). */
function dayNumberOf(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime() / dayMs;
}

function dateOfDay(day: number): { year: number; month: number; day: number } {
  const date = new Date(day * dayMs);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

function isoDateOfDay(day: number): string {
  return new Date(day * dayMs).toISOString().slice(0, 10);
}

/**
 * The calendar counts in local day numbers, not luxon DateTimes: a DateTime per step (plus, startOf,
 * endOf, set) made the calendar a large share of a cold replay's CPU, and the answers only need the
 * zone's offsets, which QuarterHourZone remembers. Results are luxon's (tests/unit/calendar.test.ts
 * compares them over every day of several years).
 */
function localDayOf(instant: Date, zone: QuarterHourZone): number {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new Error(`cannot read ${String(instant)} in time zone "${zone.name}": invalid instant`);
  return Math.floor((ms + zone.offset(ms) * 60_000) / dayMs);
}

/** The instant of a local wall-clock time (ms of the local epoch), resolved around DST changes as luxon does (its fixOffset). */
function instantOfLocal(localMs: number, zone: QuarterHourZone): Date {
  const guess = zone.offset(localMs);
  let utc = localMs - guess * 60_000;
  const second = zone.offset(utc);
  if (second === guess) return new Date(utc);
  utc -= (second - guess) * 60_000;
  const third = zone.offset(utc);
  if (second === third) return new Date(utc);
  // A wall-clock time the DST change skips: luxon keeps the time and takes the smaller offset.
  return new Date(localMs - Math.min(second, third) * 60_000);
}

function holidayNameOnDay(day: number, cal: BusinessCalendar): string | undefined {
  const local = dateOfDay(day);
  for (const rule of cal.holidays) {
    if ('rule' in rule) {
      const easter = easterSunday(local.year);
      if (dayNumberOf(local.year, easter.month, easter.day) + 1 === day) return rule.name;
    } else if (
      rule.month === local.month &&
      rule.day === local.day &&
      (rule.fromYear === undefined || local.year >= rule.fromYear) &&
      (rule.toYear === undefined || local.year <= rule.toYear)
    ) {
      return rule.name;
    }
  }
  return undefined;
}

function isWorkingLocalDay(day: number, cal: BusinessCalendar): boolean {
  // 1970-01-01 was a Thursday: day 0 → 4 (Monday = 1 … Sunday = 7).
  const weekday = ((((day + 3) % 7) + 7) % 7) + 1;
  return weekday <= 5 && holidayNameOnDay(day, cal) === undefined;
}

/** The local day the same day of the month `months` later (or earlier), clamped to the month's end as luxon's plus does. */
function plusMonths(day: number, months: number): number {
  const local = dateOfDay(day);
  const lastOfMonth = dateOfDay(dayNumberOf(local.year, local.month + months + 1, 0)).day;
  return dayNumberOf(local.year, local.month + months, Math.min(local.day, lastOfMonth));
}

function endOfLocalDay(day: number, cal: BusinessCalendar): Date {
  return new Date(instantOfLocal((day + 1) * dayMs, zoneOf(cal.timezone)).getTime() - 1);
}

// A calendar whose rules cover every day (a data-entry mistake) must fail loudly, not loop forever.
const longestPlausibleClosure = 400;

function stepToWorkingDay(day: number, direction: 1 | -1, cal: BusinessCalendar): number {
  let current = day;
  for (let i = 0; i < longestPlausibleClosure; i += 1) {
    if (isWorkingLocalDay(current, cal)) return current;
    current += direction;
  }
  throw new Error(`no working day within ${longestPlausibleClosure} days of ${isoDateOfDay(day)}: check the holiday calendar`);
}

/** The Nth working day strictly after (or before) a local day; N = 0 means the day itself if working, else the nearest in that direction. */
function nthWorkingDay(day: number, n: number, direction: 1 | -1, cal: BusinessCalendar): number {
  if (n === 0) return stepToWorkingDay(day, direction, cal);
  let current = day;
  for (let counted = 0; counted < n; counted += 1) current = stepToWorkingDay(current + direction, direction, cal);
  return current;
}

function localDayIn(instant: Date, cal: BusinessCalendar): number {
  return localDayOf(instant, zoneOf(cal.timezone));
}

/** Whether the local date of an instant (in the calendar's time zone) is a working day. */
export function isWorkingDay(instant: Date, cal: BusinessCalendar): boolean {
  return isWorkingLocalDay(localDayIn(instant, cal), cal);
}

/** The name of the holiday on the instant's local date, if any. */
export function holidayOn(instant: Date, cal: BusinessCalendar): string | undefined {
  return holidayNameOnDay(localDayIn(instant, cal), cal);
}

/** The local date of an instant as 'YYYY-MM-DD'. */
export function localDate(instant: Date, cal: BusinessCalendar): string {
  return isoDateOfDay(localDayIn(instant, cal));
}

/** The start of a local day given as 'YYYY-MM-DD' (form dates); throws on anything else. */
export function parseLocalDate(isoDate: string, cal: BusinessCalendar): Date {
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!parts) throw new Error(`expected a date as YYYY-MM-DD, got "${isoDate}"`);
  const day = dayNumberOf(Number(parts[1]), Number(parts[2]), Number(parts[3]));
  if (isoDateOfDay(day) !== isoDate) throw new Error(`"${isoDate}" is not a calendar date`);
  return instantOfLocal(day * dayMs, zoneOf(cal.timezone));
}

/**
 * When a deadline of duration `d` counted from `from` falls. Day-based units give the end of a
 * local day (23:59:59.999), because a person told "within 7 days" has the whole seventh day.
 */
export function deadlineAfter(from: Date, d: Duration, cal: BusinessCalendar): Date {
  switch (d.unit) {
    case 'minutes':
      return new Date(from.getTime() + d.amount * 60_000);
    case 'hours':
      return new Date(from.getTime() + d.amount * 3_600_000);
    case 'calendarDays':
      return endOfLocalDay(localDayIn(from, cal) + d.amount, cal);
    case 'workingDays':
      return endOfLocalDay(nthWorkingDay(localDayIn(from, cal), d.amount, 1, cal), cal);
    case 'months':
      return endOfLocalDay(plusMonths(localDayIn(from, cal), d.amount), cal);
  }
}

// Reminders and escalations in day units reach people at the start of the office day, not at midnight.
const officeOpeningMs = 8 * 3_600_000;

/**
 * When a reminder (`before` the deadline) or an escalation level (`after` it) fires. Day units
 * land at 08:00 local; the result is clamped to the deadline so a reminder never fires after the
 * deadline and an escalation never fires before it (e.g. "0 days after" a 23:59 deadline).
 */
export function alertTime(deadline: Date, d: Duration, direction: 'before' | 'after', cal: BusinessCalendar): Date {
  const sign = direction === 'before' ? -1 : 1;
  let target: Date;
  switch (d.unit) {
    case 'minutes':
      return new Date(deadline.getTime() + sign * d.amount * 60_000);
    case 'hours':
      return new Date(deadline.getTime() + sign * d.amount * 3_600_000);
    case 'calendarDays':
      target = atOpening(localDayIn(deadline, cal) + sign * d.amount, cal);
      break;
    case 'workingDays':
      target = atOpening(nthWorkingDay(localDayIn(deadline, cal), d.amount, sign, cal), cal);
      break;
    case 'months':
      target = atOpening(plusMonths(localDayIn(deadline, cal), sign * d.amount), cal);
      break;
  }
  const clamped = direction === 'before' ? Math.min(target.getTime(), deadline.getTime()) : Math.max(target.getTime(), deadline.getTime());
  return new Date(clamped);
}

function atOpening(day: number, cal: BusinessCalendar): Date {
  return instantOfLocal(day * dayMs + officeOpeningMs, zoneOf(cal.timezone));
}

/** Working days strictly after a's local day up to and including b's local day; 0 when b is not after a. */
export function workingDaysBetween(a: Date, b: Date, cal: BusinessCalendar): number {
  if (b.getTime() <= a.getTime()) return 0;
  const last = localDayIn(b, cal);
  let count = 0;
  for (let day = localDayIn(a, cal) + 1; day <= last; day += 1) if (isWorkingLocalDay(day, cal)) count += 1;
  return count;
}
