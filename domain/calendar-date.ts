/**
 * A date as forms and commands carry it: 'YYYY-MM-DD' naming a real day. Pure and free of imports,
 * so the API, the workflow bundle and the browser console check dates with the same code.
 */

/**
 * Years a date in a form may name. Dates become deadlines and timestamps; a year like 0000 or 9999
 * would make a deadline the read model cannot store, so it is refused at the edge.
 */
export const calendarYearRange = { min: 1900, max: 2200 } as const;

/** True for 'YYYY-MM-DD' strings naming a real day of the proleptic Gregorian calendar, in `calendarYearRange`. */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < calendarYearRange.min || year > calendarYearRange.max) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthLengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= monthLengths[month - 1];
}
