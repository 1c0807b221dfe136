/**
 * Step titles in the reader's language, from the published pathway definitions (the dashboards and
 * the stalled list carry step ids only, counted across pathways and versions, so a step id takes
 * the title of the newest version that has it), and per pathway for tables grouped by pathway and
 * step (two pathways may share a step id). Falls back to the id while definitions load.
 */
import { useQueries, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { localized, type LocalizedText } from '../../i18n/format';

/** stepId → title of the latest published version of each pathway the reader may see. */
export function useStepTitles(): {
  title: (stepId: string) => string;
  stepIds: string[];
  /** The pathways the reader may see that have a published version, with their titles. */
  pathways: Array<{ key: string; title: string }>;
  /** A step's title in one pathway's latest version. */
  titleIn: (pathwayKey: string, stepId: string) => string;
} {
  const { i18n } = useTranslation();
  const pathwayList = useQuery({
    queryKey: ['supervisor', 'pathways'],
    queryFn: () => unwrap(api.GET('/pathways')),
    staleTime: 5 * 60_000,
  });
  const versions = useQueries({
    queries: (pathwayList.data?.items ?? [])
      .filter((pathway) => pathway.latestVersion !== null)
      .map((pathway) => ({
        // The same key as the case screens' usePathwayVersion: versions are immutable, one fetch per session.
        queryKey: ['pathway-version', pathway.key, pathway.latestVersion],
        queryFn: () => unwrap(api.GET('/pathways/{key}/versions/{version}', { params: { path: { key: pathway.key, version: pathway.latestVersion! } } })),
        staleTime: Infinity,
        gcTime: Infinity,
      })),
  });
  const titles = new Map<string, LocalizedText>();
  const byPathway = new Map<string, Map<string, LocalizedText>>();
  for (const version of versions) {
    const steps = (version.data?.definition.steps ?? {}) as Record<string, { title?: LocalizedText }>;
    const own = new Map<string, LocalizedText>();
    for (const [stepId, step] of Object.entries(steps)) {
      if (step.title && !titles.has(stepId)) titles.set(stepId, step.title);
      if (step.title) own.set(stepId, step.title);
    }
    if (version.data) byPathway.set(version.data.key, own);
  }
  const language = i18n.language;
  const title = (stepId: string) => (titles.has(stepId) ? localized(titles.get(stepId), language) : stepId);
  const titleIn = (pathwayKey: string, stepId: string) => {
    const own = byPathway.get(pathwayKey)?.get(stepId);
    return own ? localized(own, language) : stepId;
  };
  const pathways = (pathwayList.data?.items ?? []).filter((pathway) => pathway.latestVersion !== null).map((pathway) => ({ key: pathway.key, title: localized(pathway.title, language) }));
  return { title, stepIds: [...titles.keys()], pathways, titleIn };
}
