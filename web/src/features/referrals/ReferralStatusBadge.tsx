/** A referral's status as a badge with text (never colour alone). */
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';

export type ReferralStatus = Schemas['Referral']['status'];

export function ReferralStatusBadge({ status }: { status: ReferralStatus }) {
  const { t } = useTranslation('operator');
  const tone = status === 'pending' ? 'bg-primary' : status === 'accepted' ? 'bg-dark' : status === 'completed' ? 'bg-success' : 'bg-secondary';
  return (
    <span className={`badge ${tone}`} data-testid="referral-status">
      {t(`referrals.statuses.${status}`)}
    </span>
  );
}
