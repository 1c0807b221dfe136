/**
 * Texts and dates in the person's language, one way for every screen: pathway texts fall back to
 * Italian (the pathways' working language); dates are read in Europe/Rome (the pilot areas' clock
 * and the deadlines' zone) and written day-month-year in both languages (en-GB for English).
 */

/** A pathway text: Italian always, English when the coordinator wrote it. */
export type LocalizedText = { it: string; en?: string };

/** The Intl locale for a console language. */
export function localeOf(language: string): string {
  return language.startsWith('en') ? 'en-GB' : 'it-IT';
}

/** The text in the language asked for, falling back to Italian. */
export function localized(text: LocalizedText | undefined | null, language: string): string {
  if (!text) return '';
  return (language.startsWith('en') ? text.en : undefined) ?? text.it ?? '';
}

/** A date-time in the person's language, Europe/Rome, e.g. "26 nov 2026, 14:30"; `empty` when there is none. */
export function formatDateTime(value: string | null | undefined, language: string, empty = '—'): string {
  if (!value) return empty;
  return new Intl.DateTimeFormat(localeOf(language), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Rome' }).format(new Date(value));
}

/** A calendar date (YYYY-MM-DD) in the person's language, without shifting it across time zones. */
export function formatDate(value: string, language: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return value;
  return new Intl.DateTimeFormat(localeOf(language), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))));
}
