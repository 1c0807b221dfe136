import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  alertTime,
  calendarFor,
  deadlineAfter,
  easterSunday,
  holidayOn,
  holidayRuleSchema,
  isWorkingDay,
  localDate,
  parseLocalDate,
  pilotAreaLocalHolidays,
  workingDaysBetween,
  type BusinessCalendar,
} from '../../domain/calendar';

const rome = calendarFor([]);
const livorno = calendarFor(pilotAreaLocalHolidays.livorno);

/** An instant given as Rome wall-clock time, so expectations read like an operator's agenda. */
const at = (wallClock: string, cal: BusinessCalendar = rome) => {
  const [date, time = '00:00'] = wallClock.split(' ');
  const [hour, minute] = time.split(':').map(Number);
  return new Date(parseLocalDate(date, cal).getTime() + (hour * 60 + minute) * 60_000);
};
const wall = (instant: Date, cal: BusinessCalendar = rome) =>
  `${localDate(instant, cal)} ${new Intl.DateTimeFormat('en-GB', { timeZone: cal.timezone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(instant)}`;
const day = (iso: string, cal: BusinessCalendar = rome) => parseLocalDate(iso, cal);

describe('holidays', () => {
  it('computes Gregorian Easter', () => {
    expect(easterSunday(2024)).toEqual({ month: 3, day: 31 });
    expect(easterSunday(2026)).toEqual({ month: 4, day: 5 });
    expect(easterSunday(2027)).toEqual({ month: 3, day: 28 });
    expect(easterSunday(2038)).toEqual({ month: 4, day: 25 });
  });

  it('closes offices on Easter Monday', () => {
    expect(isWorkingDay(day('2026-04-06'), rome)).toBe(false);
    expect(isWorkingDay(day('2027-03-29'), rome)).toBe(false);
    expect(holidayOn(day('2027-03-29'), rome)).toBe("Lunedì dell'Angelo");
    expect(isWorkingDay(day('2026-04-07'), rome)).toBe(true);
  });

  it.each(['2026-01-01', '2026-01-06', '2026-04-25', '2026-05-01', '2026-06-02', '2026-12-08', '2026-12-25', '2027-01-01'])('closes on %s', (iso) => {
    expect(isWorkingDay(day(iso), rome)).toBe(false);
  });

  it('keeps 4 October a working day before 2026 and a holiday from 2026', () => {
    expect(isWorkingDay(day('2024-10-04'), rome)).toBe(true); // a Friday
    expect(isWorkingDay(day('2027-10-04'), rome)).toBe(false); // a Monday
    expect(holidayOn(day('2026-10-04'), rome)).toBe("San Francesco d'Assisi");
    expect(holidayOn(day('2025-10-04'), rome)).toBeUndefined();
  });

  it('applies an area’s local holiday only in that area', () => {
    expect(isWorkingDay(day('2026-05-22', livorno), livorno)).toBe(false);
    expect(isWorkingDay(day('2026-05-22'), rome)).toBe(true);
  });

  it('respects toYear on a local rule', () => {
    const cal = calendarFor([{ month: 3, day: 3, name: 'temporary', toYear: 2026 }]);
    expect(isWorkingDay(day('2026-03-03'), cal)).toBe(false);
    expect(isWorkingDay(day('2027-03-03'), cal)).toBe(true);
  });

  it('treats weekends as closed', () => {
    expect(isWorkingDay(day('2026-05-16'), rome)).toBe(false);
    expect(isWorkingDay(day('2026-05-17'), rome)).toBe(false);
    expect(isWorkingDay(day('2026-05-18'), rome)).toBe(true);
  });

  it('judges the day in the calendar’s time zone, not UTC', () => {
    // 23:30 UTC on Friday 2026-05-15 is already Saturday in Rome.
    expect(isWorkingDay(new Date('2026-05-15T23:30:00Z'), rome)).toBe(false);
    expect(isWorkingDay(new Date('2026-05-15T21:30:00Z'), rome)).toBe(true);
  });

  it('validates holiday rules coming from the API', () => {
    expect(holidayRuleSchema.safeParse({ month: 5, day: 22, name: 'Santa Giulia' }).success).toBe(true);
    expect(holidayRuleSchema.safeParse({ rule: 'easterMonday', name: 'Pasquetta' }).success).toBe(true);
    expect(holidayRuleSchema.safeParse({ month: 2, day: 30, name: 'x' }).success).toBe(false);
    expect(holidayRuleSchema.safeParse({ month: 13, day: 1, name: 'x' }).success).toBe(false);
    expect(holidayRuleSchema.safeParse({ month: 1, day: 2, name: 'x', fromYear: 2027, toYear: 2026 }).success).toBe(false);
    expect(holidayRuleSchema.safeParse({ rule: 'goodFriday', name: 'x' }).success).toBe(false);
  });

  it('rejects an unknown time zone when the calendar is built', () => {
    expect(() => calendarFor([], 'Europe/Atlantis')).toThrow(/time zone/);
  });
});

describe('deadlineAfter', () => {
  it('adds minutes and hours exactly', () => {
    const from = at('2026-05-15 10:00');
    expect(deadlineAfter(from, { amount: 90, unit: 'minutes' }, rome).getTime()).toBe(from.getTime() + 90 * 60_000);
    expect(wall(deadlineAfter(from, { amount: 2, unit: 'hours' }, rome))).toBe('2026-05-15 12:00:00');
  });

  it('gives the end of the same day for 0 calendar days and of the Nth day otherwise', () => {
    expect(wall(deadlineAfter(at('2026-05-15 10:00'), { amount: 0, unit: 'calendarDays' }, rome))).toBe('2026-05-15 23:59:59');
    expect(wall(deadlineAfter(at('2026-05-15 10:00'), { amount: 7, unit: 'calendarDays' }, rome))).toBe('2026-05-22 23:59:59');
    expect(deadlineAfter(at('2026-05-15 10:00'), { amount: 0, unit: 'calendarDays' }, rome).getUTCMilliseconds()).toBe(999);
  });

  it('counts 120 calendar days from a PAD date given as a form date', () => {
    expect(wall(deadlineAfter(day('2026-01-10'), { amount: 120, unit: 'calendarDays' }, rome))).toBe('2026-05-10 23:59:59');
  });

  it('skips the weekend for working days', () => {
    expect(wall(deadlineAfter(at('2026-05-15 10:00'), { amount: 1, unit: 'workingDays' }, rome))).toBe('2026-05-18 23:59:59');
    expect(wall(deadlineAfter(at('2026-05-15 10:00'), { amount: 5, unit: 'workingDays' }, rome))).toBe('2026-05-22 23:59:59');
  });

  it('skips local holidays for working days', () => {
    // From Thursday 21 May in Livorno: Friday 22 is Santa Giulia, so the first working day is Monday.
    expect(wall(deadlineAfter(at('2026-05-21 10:00', livorno), { amount: 1, unit: 'workingDays' }, livorno), livorno)).toBe('2026-05-25 23:59:59');
    expect(wall(deadlineAfter(at('2026-05-21 10:00'), { amount: 1, unit: 'workingDays' }, rome))).toBe('2026-05-22 23:59:59');
  });

  it('skips Easter Monday', () => {
    // Thursday 2 April 2026 + 2 working days: Fri 3, (weekend, Easter Monday 6), Tue 7.
    expect(wall(deadlineAfter(at('2026-04-02 09:00'), { amount: 2, unit: 'workingDays' }, rome))).toBe('2026-04-07 23:59:59');
  });

  it('uses today for 0 working days only when today is a working day', () => {
    expect(wall(deadlineAfter(at('2026-05-15 10:00'), { amount: 0, unit: 'workingDays' }, rome))).toBe('2026-05-15 23:59:59');
    expect(wall(deadlineAfter(at('2026-05-16 10:00'), { amount: 0, unit: 'workingDays' }, rome))).toBe('2026-05-18 23:59:59');
  });

  it('does not count a weekend start day', () => {
    expect(wall(deadlineAfter(at('2026-05-16 10:00'), { amount: 1, unit: 'workingDays' }, rome))).toBe('2026-05-18 23:59:59');
  });

  it('clamps month ends', () => {
    expect(wall(deadlineAfter(at('2026-01-31 10:00'), { amount: 1, unit: 'months' }, rome))).toBe('2026-02-28 23:59:59');
    expect(wall(deadlineAfter(at('2026-01-15 10:00'), { amount: 18, unit: 'months' }, rome))).toBe('2027-07-15 23:59:59');
  });

  it('is safe across the spring DST change', () => {
    // Rome skips 02:00–03:00 on 29 March 2026: the day has 23 hours but still ends at 23:59:59 local.
    const deadline = deadlineAfter(at('2026-03-28 12:00'), { amount: 1, unit: 'calendarDays' }, rome);
    expect(wall(deadline)).toBe('2026-03-29 23:59:59');
    expect(deadline.toISOString()).toBe('2026-03-29T21:59:59.999Z');
    expect(deadlineAfter(at('2026-03-28 12:00'), { amount: 24, unit: 'hours' }, rome).toISOString()).toBe('2026-03-29T11:00:00.000Z');
  });

  it('is safe across the autumn DST change', () => {
    const deadline = deadlineAfter(at('2026-10-24 12:00'), { amount: 1, unit: 'calendarDays' }, rome);
    expect(deadline.toISOString()).toBe('2026-10-25T22:59:59.999Z');
  });

  it('fails loudly on a calendar with no working days instead of looping', () => {
    const everyDay = Array.from({ length: 12 }, (_, m) => Array.from({ length: 31 }, (__, d) => ({ month: m + 1, day: d + 1, name: 'closed' }))).flat();
    const closed = calendarFor(everyDay.filter((rule) => holidayRuleSchema.safeParse(rule).success));
    expect(() => deadlineAfter(at('2026-05-15 10:00'), { amount: 1, unit: 'workingDays' }, closed)).toThrow(/no working day/);
  });
});

describe('alertTime', () => {
  const fridayDeadline = deadlineAfter(at('2026-05-15 09:00'), { amount: 0, unit: 'calendarDays' }, rome);

  it('reminds 2 working days before a Friday deadline on Wednesday at 08:00', () => {
    expect(wall(alertTime(fridayDeadline, { amount: 2, unit: 'workingDays' }, 'before', rome))).toBe('2026-05-13 08:00:00');
  });

  it('escalates 1 working day after a Friday deadline on Monday at 08:00', () => {
    expect(wall(alertTime(fridayDeadline, { amount: 1, unit: 'workingDays' }, 'after', rome))).toBe('2026-05-18 08:00:00');
  });

  it('escalates on Tuesday when the Monday is a holiday', () => {
    const beforeEaster = deadlineAfter(at('2026-04-03 09:00'), { amount: 0, unit: 'calendarDays' }, rome);
    expect(wall(alertTime(beforeEaster, { amount: 1, unit: 'workingDays' }, 'after', rome))).toBe('2026-04-07 08:00:00');
  });

  it('counts plain days for calendar days, weekends included', () => {
    expect(wall(alertTime(fridayDeadline, { amount: 20, unit: 'calendarDays' }, 'before', rome))).toBe('2026-04-25 08:00:00');
    expect(wall(alertTime(fridayDeadline, { amount: 10, unit: 'calendarDays' }, 'after', rome))).toBe('2026-05-25 08:00:00');
  });

  it('puts the day-100 warning of a 120-day plan at 08:00 of day 100', () => {
    const pad = day('2026-01-10');
    const deadline = deadlineAfter(pad, { amount: 120, unit: 'calendarDays' }, rome);
    expect(localDate(alertTime(deadline, { amount: 20, unit: 'calendarDays' }, 'before', rome), rome)).toBe(localDate(deadlineAfter(pad, { amount: 100, unit: 'calendarDays' }, rome), rome));
  });

  it('fires an escalation "0 days after" at the deadline, never before it', () => {
    expect(alertTime(fridayDeadline, { amount: 0, unit: 'calendarDays' }, 'after', rome).getTime()).toBe(fridayDeadline.getTime());
  });

  it('never schedules a reminder after the deadline', () => {
    const early = at('2026-05-15 07:00');
    expect(alertTime(early, { amount: 0, unit: 'calendarDays' }, 'before', rome).getTime()).toBe(early.getTime());
  });

  it('moves minutes and hours exactly', () => {
    expect(alertTime(fridayDeadline, { amount: 0, unit: 'minutes' }, 'after', rome).getTime()).toBe(fridayDeadline.getTime());
    expect(alertTime(fridayDeadline, { amount: 24, unit: 'hours' }, 'after', rome).getTime()).toBe(fridayDeadline.getTime() + 86_400_000);
    expect(alertTime(fridayDeadline, { amount: 30, unit: 'minutes' }, 'before', rome).getTime()).toBe(fridayDeadline.getTime() - 1_800_000);
  });

  it('counts months back and lands at 08:00', () => {
    expect(wall(alertTime(fridayDeadline, { amount: 1, unit: 'months' }, 'before', rome))).toBe('2026-04-15 08:00:00');
  });
});

describe('workingDaysBetween', () => {
  it('counts working days after the first day up to and including the last', () => {
    expect(workingDaysBetween(at('2026-05-11 10:00'), at('2026-05-15 09:00'), rome)).toBe(4);
    expect(workingDaysBetween(at('2026-05-15 10:00'), at('2026-05-18 09:00'), rome)).toBe(1);
    expect(workingDaysBetween(at('2026-05-15 10:00', livorno), at('2026-05-25 09:00', livorno), livorno)).toBe(5);
    expect(workingDaysBetween(at('2026-05-15 10:00'), at('2026-05-25 09:00'), rome)).toBe(6);
  });

  it('is 0 on the same day, over a weekend alone, and when b is not after a', () => {
    expect(workingDaysBetween(at('2026-05-15 08:00'), at('2026-05-15 18:00'), rome)).toBe(0);
    expect(workingDaysBetween(at('2026-05-15 10:00'), at('2026-05-17 10:00'), rome)).toBe(0);
    expect(workingDaysBetween(at('2026-05-18 10:00'), at('2026-05-11 10:00'), rome)).toBe(0);
  });
});

describe('local dates', () => {
  it('reads and writes YYYY-MM-DD in the calendar’s zone', () => {
    expect(parseLocalDate('2026-07-01', rome).toISOString()).toBe('2026-06-30T22:00:00.000Z');
    expect(localDate(new Date('2026-06-30T22:30:00Z'), rome)).toBe('2026-07-01');
  });

  it('rejects anything but a real YYYY-MM-DD', () => {
    expect(() => parseLocalDate('2026-02-30', rome)).toThrow();
    expect(() => parseLocalDate('2026-7-1', rome)).toThrow();
    expect(() => parseLocalDate('2026-07-01T10:00', rome)).toThrow();
  });
});

describe('remembered zone offsets', () => {
  // The calendar remembers UTC offsets per quarter hour (domain/calendar.ts); its dates must be luxon's own.
  const plainLuxon = (instant: Date, days: number) => DateTime.fromJSDate(instant, { zone: 'Europe/Rome' }).plus({ days }).endOf('day').toJSDate();

  it('gives the same deadlines as plain luxon at any instant, DST changes included', () => {
    const from = Date.UTC(2025, 0, 1);
    const to = Date.UTC(2031, 0, 1);
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), fc.integer({ min: 0, max: 400 }), (ms, days) => {
        const instant = new Date(ms);
        expect(deadlineAfter(instant, { amount: days, unit: 'calendarDays' }, rome).getTime()).toBe(plainLuxon(instant, days).getTime());
        expect(localDate(instant, rome)).toBe(DateTime.fromJSDate(instant, { zone: 'Europe/Rome' }).toISODate());
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives luxon’s month deadlines, 08:00 alerts and local midnights at any instant, in zones with and without DST', () => {
    const from = Date.UTC(2025, 0, 1);
    const to = Date.UTC(2031, 0, 1);
    for (const zone of ['Europe/Rome', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Tokyo']) {
      const cal = calendarFor([], zone);
      const local = (instant: Date) => DateTime.fromJSDate(instant, { zone });
      fc.assert(
        fc.property(fc.integer({ min: from, max: to }), fc.integer({ min: -30, max: 30 }), (ms, amount) => {
          const instant = new Date(ms);
          const months = Math.abs(amount);
          expect(deadlineAfter(instant, { amount: months, unit: 'months' }, cal).getTime()).toBe(local(instant).plus({ months }).endOf('day').toMillis());
          const opening = local(instant).plus({ days: amount }).startOf('day').set({ hour: 8 }).toMillis();
          expect(alertTime(instant, { amount: Math.abs(amount), unit: 'calendarDays' }, amount < 0 ? 'before' : 'after', cal).getTime()).toBe(
            amount < 0 ? Math.min(opening, ms) : Math.max(opening, ms),
          );
          const iso = local(instant).toISODate()!;
          expect(parseLocalDate(iso, cal).getTime()).toBe(DateTime.fromISO(iso, { zone }).startOf('day').toMillis());
        }),
        { numRuns: 500 },
      );
    }
  });

  it('starts a day at its first midnight where the clocks go back at midnight, whatever the clock when first asked', () => {
    // Havana, 6 November 2016: 01:00 CDT → 00:00 CST, so local midnight happens twice (04:00 and 05:00 UTC).
    const havana = calendarFor([], 'America/Havana');
    expect(parseLocalDate('2016-11-06', havana).toISOString()).toBe('2016-11-06T04:00:00.000Z');
    expect(deadlineAfter(new Date('2016-11-05T15:00:00Z'), { amount: 0, unit: 'calendarDays' }, havana).toISOString()).toBe('2016-11-06T03:59:59.999Z');
    expect(localDate(new Date('2016-11-06T03:59:59.999Z'), havana)).toBe('2016-11-05');
  });

  it('reads the local day right on each side of the spring and autumn changes', () => {
    // 29 March 2026 01:00 UTC: 02:00 → 03:00 in Rome; 25 October 2026 01:00 UTC: 03:00 → 02:00.
    for (const change of [Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 9, 25, 1)]) {
      for (const delta of [-60_001, -1, 0, 1, 60_000, 899_999, 900_000]) {
        const instant = new Date(change + delta);
        expect(deadlineAfter(instant, { amount: 0, unit: 'calendarDays' }, rome).getTime()).toBe(plainLuxon(instant, 0).getTime());
      }
    }
  });
});
