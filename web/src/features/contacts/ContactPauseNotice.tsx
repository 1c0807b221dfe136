/**
 * On the case page while failed contact attempts in a row hold the internal deadlines: since when, and
 * that a successful contact resumes them (statutory deadlines run on).
 */
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { caseQueryKey } from '../cases/CaseSummary';
import { formatDateTime } from '../cases/format';

export function ContactPauseNotice({ caseId }: { caseId: string }) {
  const { t, i18n } = useTranslation('loop');
  // Under the case's key: a recorded contact refreshes the case, and with it this.
  const clocks = useQuery({ queryKey: [...caseQueryKey(caseId), 'clocks'], queryFn: () => unwrap(api.GET('/cases/{caseId}/clocks', { params: { path: { caseId } } })) });
  if (!clocks.data?.internalClocksPaused) return null;
  return (
    <div className="alert alert-warning mt-3" role="status" data-testid="contact-pause">
      {t('contactPause.paused', { since: formatDateTime(clocks.data.pausedSince, i18n.language), attempts: clocks.data.pauseAfterFailedAttempts ?? '—' })}
    </div>
  );
}
