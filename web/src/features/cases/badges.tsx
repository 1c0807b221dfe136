/**
 * Status badges with text (never colour alone): task status, overdue, escalation level, case status.
 */
import { useTranslation } from 'react-i18next';

/** The status of a task as a badge. */
export function TaskStatusBadge({ status }: { status: 'open' | 'claimed' | 'completed' | 'cancelled' }) {
  const { t } = useTranslation('operator');
  const tone = status === 'open' ? 'bg-primary' : status === 'claimed' ? 'bg-dark' : status === 'completed' ? 'bg-success' : 'bg-secondary';
  return <span className={`badge ${tone}`}>{t(`taskStatus.${status}`)}</span>;
}

/** Overdue and escalation badges of a task or case; nothing when neither applies. */
export function UrgencyBadges({ overdue, escalationLevel }: { overdue: boolean; escalationLevel: number }) {
  const { t } = useTranslation('operator');
  return (
    <>
      {overdue ? (
        <span className="badge bg-danger me-1" data-testid="badge-overdue">
          {t('badges.overdue')}
        </span>
      ) : null}
      {escalationLevel > 0 ? (
        <span className="badge bg-dark me-1" data-testid="badge-escalation">
          {t('badges.escalation', { level: escalationLevel })}
        </span>
      ) : null}
    </>
  );
}

/** The status of a case as a badge. */
export function CaseStatusBadge({ status }: { status: 'active' | 'suspended' | 'closed' | 'cancelled' }) {
  const { t } = useTranslation('operator');
  const tone = status === 'active' ? 'bg-success' : status === 'suspended' ? 'bg-dark' : 'bg-secondary';
  return <span className={`badge ${tone}`}>{t(`caseStatus.${status}`)}</span>;
}
