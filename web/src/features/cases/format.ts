/**
 * Small helpers shared by the case and operator screens: texts of a pathway in the person's
 * language, dates with Intl in the current language, and the cached pathway version a case or
 * task is pinned to (versions are immutable, so it is fetched once per session).
 */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';

export type LocalizedText = { it: string; en?: string };
export type PathwayDefinition = Schemas['PathwayDefinition'];
export type FormField = NonNullable<Schemas['TaskDetail']['step']>['form']['fields'][number];

/** The text in the language asked for, falling back to Italian (the pathway's working language). */
export function localized(text: LocalizedText | undefined | null, language: string): string {
  if (!text) return '';
  return language.startsWith('en') && text.en ? text.en : text.it;
}

/** A date-time in the person's language, e.g. "26 nov 2026, 14:30". */
export function formatDateTime(value: string | null | undefined, language: string): string {
  if (!value) return '—';
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Rome' }).format(new Date(value));
}

/** A calendar date (YYYY-MM-DD) in the person's language, without shifting it across time zones. */
export function formatDate(value: string, language: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return value;
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))));
}

/** The pathway version a case runs on (immutable once published: cached for the session). */
export function usePathwayVersion(key: string | null | undefined, version: number | null | undefined) {
  return useQuery({
    queryKey: ['pathway-version', key, version],
    enabled: Boolean(key) && typeof version === 'number',
    staleTime: Infinity,
    gcTime: Infinity,
    queryFn: () => unwrap(api.GET('/pathways/{key}/versions/{version}', { params: { path: { key: key as string, version: version as number } } })),
  });
}

/** The title of a step in the person's language, or its id while the definition is not loaded. */
export function stepTitle(definition: PathwayDefinition | undefined, stepId: string, language: string): string {
  const step = definition?.steps[stepId] as { title?: LocalizedText } | undefined;
  return step?.title ? localized(step.title, language) : stepId;
}
