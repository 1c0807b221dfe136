/**
 * Business calendar for SLA clocks: working days are Monday to Friday minus Italian national
 * holidays and the area's local holidays (the patron saint's day). Holidays are data, so a
 * coordinator can add a site's feast without a release. Pure: every instant comes in as a
 * parameter, which keeps the functions safe to call from replayed workflow code.
 */
import { DateTime, IANAZone } from 'luxon';
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

function easterMonday(year: number): { month: number; day: number } {
  const sunday = easterSunday(year);
  const monday = DateTime.utc(year, sunday.month, sunday.day).plus({ days: 1 });
  return { month: monday.month, day: monday.day };
}

function holidayNameOn(local: DateTime, cal: BusinessCalendar): string | undefined {
  for (const rule of cal.holidays) {
    if ('rule' in rule) {
      const monday = easterMonday(local.year);
      if (monday.month === local.month && monday.day === local.day) return rule.name;
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

function isWorkingLocalDay(local: DateTime, cal: BusinessCalendar): boolean {
  return local.weekday <= 5 && holidayNameOn(local, cal) === undefined;
}

function toLocal(instant: Date, cal: BusinessCalendar): DateTime {
  const local = DateTime.fromJSDate(instant, { zone: zoneOf(cal.timezone) });
  if (!local.isValid) throw new Error(`cannot read ${String(instant)} in time zone "${cal.timezone}": ${local.invalidExplanation ?? local.invalidReason}`);
  return local;
}

// A calendar whose rules cover every day (a data-entry mistake) must fail loudly, not loop forever.
const longestPlausibleClosure = 400;

function stepToWorkingDay(day: DateTime, direction: 1 | -1, cal: BusinessCalendar): DateTime {
  let current = day;
  for (let i = 0; i < longestPlausibleClosure; i += 1) {
    if (isWorkingLocalDay(current, cal)) return current;
    current = current.plus({ days: direction });
  }
  throw new Error(`no working day within ${longestPlausibleClosure} days of ${day.toISODate()}: check the holiday calendar`);
}

/** The Nth working day strictly after (or before) a local day; N = 0 means the day itself if working, else the nearest in that direction. */
function nthWorkingDay(day: DateTime, n: number, direction: 1 | -1, cal: BusinessCalendar): DateTime {
  if (n === 0) return stepToWorkingDay(day.startOf('day'), direction, cal);
  let current = day.startOf('day');
  for (let counted = 0; counted < n; counted += 1) {
    current = stepToWorkingDay(current.plus({ days: direction }), direction, cal);
  }
  return current;
}

/** Whether the local date of an instant (in the calendar's time zone) is a working day. */
export function isWorkingDay(instant: Date, cal: BusinessCalendar): boolean {
  return isWorkingLocalDay(toLocal(instant, cal), cal);
}

/** The name of the holiday on the instant's local date, if any. */
export function holidayOn(instant: Date, cal: BusinessCalendar): string | undefined {
  return holidayNameOn(toLocal(instant, cal), cal);
}

/** The local date of an instant as 'YYYY-MM-DD'. */
export function localDate(instant: Date, cal: BusinessCalendar): string {
  return toLocal(instant, cal).toISODate() ?? '';
}

/** The start of a local day given as 'YYYY-MM-DD' (form dates); throws on anything else. */
export function parseLocalDate(isoDate: string, cal: BusinessCalendar): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) throw new Error(`expected a date as YYYY-MM-DD, got "${isoDate}"`);
  const local = DateTime.fromISO(isoDate, { zone: zoneOf(cal.timezone) });
  if (!local.isValid) throw new Error(`"${isoDate}" is not a calendar date`);
  return local.startOf('day').toJSDate();
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
      return toLocal(from, cal).plus({ days: d.amount }).endOf('day').toJSDate();
    case 'workingDays':
      return nthWorkingDay(toLocal(from, cal), d.amount, 1, cal).endOf('day').toJSDate();
    case 'months':
      return toLocal(from, cal).plus({ months: d.amount }).endOf('day').toJSDate();
  }
}

// Reminders and escalations in day units reach people at the start of the office day, not at midnight.
const officeOpeningHour = 8;

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
      target = atOpening(toLocal(deadline, cal).plus({ days: sign * d.amount }));
      break;
    case 'workingDays':
      target = atOpening(nthWorkingDay(toLocal(deadline, cal), d.amount, sign, cal));
      break;
    case 'months':
      target = atOpening(toLocal(deadline, cal).plus({ months: sign * d.amount }));
      break;
  }
  const clamped = direction === 'before' ? Math.min(target.getTime(), deadline.getTime()) : Math.max(target.getTime(), deadline.getTime());
  return new Date(clamped);
}

function atOpening(day: DateTime): Date {
  return day.startOf('day').set({ hour: officeOpeningHour }).toJSDate();
}

/** Working days strictly after a's local day up to and including b's local day; 0 when b is not after a. */
export function workingDaysBetween(a: Date, b: Date, cal: BusinessCalendar): number {
  if (b.getTime() <= a.getTime()) return 0;
  const last = toLocal(b, cal).startOf('day');
  let current = toLocal(a, cal).startOf('day').plus({ days: 1 });
  let count = 0;
  while (current.toMillis() <= last.toMillis()) {
    if (isWorkingLocalDay(current, cal)) count += 1;
    current = current.plus({ days: 1 });
  }
  return count;
}
