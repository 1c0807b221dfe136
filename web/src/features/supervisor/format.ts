/**
 * Dates, numbers and labels as a supervisor reads them: in the console's language, dates in the
 * pilot areas' time zone (Europe/Rome), codes (areas, services, statuses) turned into words.
 */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { localeOf } from '../../i18n/format';

const timeZone = 'Europe/Rome';
const dayMs = 86_400_000;

export interface Formatters {
  dateTime: (iso: string) => string;
  date: (iso: string) => string;
  number: (value: number) => string;
  /** A figure with at most one decimal (days of a median). */
  decimal: (value: number) => string;
  percent: (rate: number) => string;
  /** "3 days ago" style distance from now, for "since when". */
  ago: (iso: string) => string;
  area: (areaId: string) => string;
  service: (service: string) => string;
  bytes: (count: number) => string;
  /** The word for a data code (`group.code` in the supervisor namespace), or the code itself when it has none. */
  code: (group: string, code: string) => string;
}

/** Formatters for the current language; stable while the language does not change. */
export function useFormat(): Formatters {
  const { t, i18n } = useTranslation('supervisor');
  const language = i18n.language;
  return useMemo(() => {
    const dateTimeFormat = new Intl.DateTimeFormat(localeOf(language), { dateStyle: 'medium', timeStyle: 'short', timeZone });
    const dateFormat = new Intl.DateTimeFormat(localeOf(language), { dateStyle: 'medium', timeZone });
    const numberFormat = new Intl.NumberFormat(language);
    const decimalFormat = new Intl.NumberFormat(language, { maximumFractionDigits: 1 });
    const percentFormat = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 });
    const relative = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
    return {
      dateTime: (iso) => dateTimeFormat.format(new Date(iso)),
      date: (iso) => dateFormat.format(new Date(iso)),
      number: (value) => numberFormat.format(value),
      decimal: (value) => decimalFormat.format(value),
      percent: (rate) => percentFormat.format(rate),
      ago(iso) {
        const elapsed = Date.now() - Date.parse(iso);
        const days = Math.floor(Math.abs(elapsed) / dayMs);
        if (days >= 1) return relative.format(elapsed >= 0 ? -days : days, 'day');
        const hours = Math.floor(Math.abs(elapsed) / 3_600_000);
        if (hours >= 1) return relative.format(elapsed >= 0 ? -hours : hours, 'hour');
        return relative.format(-Math.max(0, Math.floor(elapsed / 60_000)), 'minute');
      },
      area: (areaId) => (i18n.exists(`supervisor:areas.${areaId}`) ? t(`areas.${areaId}`) : areaId.charAt(0).toUpperCase() + areaId.slice(1)),
      service: (service) => (i18n.exists(`supervisor:services.${service}`) ? t(`services.${service}`) : service),
      // Codes come from data (a new area, service or outcome needs no release): unknown ones show as they are.
      code: (group, code) => (i18n.exists(`supervisor:${group}.${code}`) ? t(`${group}.${code}`) : code),
      bytes: (count) => (count < 1024 ? `${numberFormat.format(count)} B` : `${numberFormat.format(Math.round(count / 102.4) / 10)} KB`),
    };
  }, [language, t, i18n]);
}

/** The date an `<input type="date">` holds (YYYY-MM-DD) for an instant, in Europe/Rome. */
export function localDateInput(date: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/** The instant a day of `<input type="date">` ends (23:59) in Europe/Rome, wherever the browser is. */
export function endOfLocalDay(day: string): string {
  const guess = new Date(`${day}T23:59:00Z`);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(guess)
      .map((part) => [part.type, Number(part.value)]),
  );
  // Rome's offset from UTC at that moment (one or two hours), taken off the wall-clock guess.
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
  return new Date(guess.getTime() - (wall - guess.getTime())).toISOString();
}

/** YYYY-MM-DD plus some days (calendar arithmetic on the date alone). */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
