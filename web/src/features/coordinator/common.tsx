/**
 * Pieces the coordinator screens share: breadcrumb, version status badge, dates in the person's
 * language, and the button that opens a draft from the newest version.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { ProblemError } from '../../api/problem';
import { ProblemAlert } from '../../components/feedback';
import { formatDateTime as formatInstant } from '../../i18n/format';

/** A date and time in the current language (Europe/Rome, as the pathways' clocks); empty when there is none. */
export function formatDateTime(iso: string | null | undefined, language: string): string {
  return formatInstant(iso, language, '');
}

export { Breadcrumb } from '../../components/Breadcrumb';

/** Published / retired / draft, always as text, never colour alone. */
export function VersionBadge({ status }: { status: 'published' | 'retired' | 'draft' }) {
  const { t } = useTranslation('coordinator');
  const colour = status === 'published' ? 'bg-success' : status === 'retired' ? 'bg-secondary' : 'bg-warning text-dark';
  return <span className={`badge ${colour}`}>{t(`status.${status}`)}</span>;
}

/** Opens a draft copied from the pathway's newest version (POST /pathways with its definition), then goes to the editor. */
export function OpenDraftButton({ pathwayKey, version, className }: { pathwayKey: string; version?: number; className?: string }) {
  const { t } = useTranslation('coordinator');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const open = useMutation({
    mutationFn: async () => {
      let from = version;
      if (from === undefined) {
        const versions = await unwrap(api.GET('/pathways/{key}/versions', { params: { path: { key: pathwayKey } } }));
        from = versions.items[0]?.version;
      }
      if (from === undefined) throw new Error(t('list.noVersionToCopy'));
      const source = await unwrap(api.GET('/pathways/{key}/versions/{version}', { params: { path: { key: pathwayKey, version: from } } }));
      try {
        await unwrap(api.POST('/pathways', { body: source.definition }));
      } catch (error) {
        // Someone opened a draft meanwhile: edit that one rather than failing.
        if (!(error instanceof ProblemError && error.status === 409)) throw error;
      }
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['pathways'] });
      queryClient.removeQueries({ queryKey: ['pathway-draft', pathwayKey] });
      void navigate(`/console/pathways/${pathwayKey}/draft`);
    },
  });
  return (
    <>
      <button type="button" className={className ?? 'btn btn-primary'} disabled={open.isPending} onClick={() => open.mutate()}>
        {version === undefined ? t('list.openDraft') : t('list.openDraftFrom', { version })}
      </button>
      {open.isError ? <ProblemAlert error={open.error} /> : null}
    </>
  );
}

/** A table that may scroll sideways on a tablet: a named region keyboard users can focus and scroll. */
export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-responsive" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
