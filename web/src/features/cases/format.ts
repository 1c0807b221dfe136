/**
 * Small helpers shared by the case and operator screens: texts of a pathway in the person's
 * language, dates with Intl in the current language, and the cached pathway version a case or
 * task is pinned to (versions are immutable, so it is fetched once per session).
 */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';
import { formatDate, formatDateTime, localized, type LocalizedText } from '../../i18n/format';

export { formatDate, formatDateTime, localized, type LocalizedText };
export type PathwayDefinition = Schemas['PathwayDefinition'];
export type FormField = NonNullable<Schemas['TaskDetail']['step']>['form']['fields'][number];

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
