/**
 * One referral (`/console/referrals/:referralId`): what the referring service asks, its case, the
 * acceptance deadline and where the loop stands; for the receiving service (and area managers), the
 * answers its status allows. The referring service reads the same page to follow it.
 */
import { useQuery } from '@tanstack/react-query';
import { Alert } from 'design-react-kit';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { Breadcrumb } from '../../components/Breadcrumb';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { UrgencyBadges } from '../cases/badges';
import { formatDateTime, localized } from '../cases/format';
import { ReferralAnswerForms } from './ReferralAnswerForms';
import { referralQueryKey } from './query-keys';
import { ReferralStatusBadge } from './ReferralStatusBadge';

type ReferralDetail = Schemas['ReferralDetail'];

function ReferralView({ referral }: { referral: ReferralDetail }) {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  const { actor, hasRole } = useSession();
  const [done, setDone] = useState<string | null>(null);
  const title = referral.step ? localized(referral.step.title, language) : referral.stepId;
  const reference = referral.caseReference ?? referral.caseId.slice(0, 8);
  const service = (code: string) => t(`services.${code}`, { defaultValue: code });
  const codeLabel = (options: Array<{ code: string; label: Parameters<typeof localized>[0] }> | undefined, code: string) => {
    const option = options?.find((candidate) => candidate.code === code);
    return option ? localized(option.label, language) : code;
  };
  // The receiving service answers; the API re-checks (domain/access.ts), this only spares others a refusal.
  const receives = hasRole('supervisor') || actor.services.includes(referral.toService);
  const rows: Array<[string, ReactNode]> = [
    [t('inbox.columns.case'), <Link to={`/console/cases/${referral.caseId}`}>{reference}</Link>],
    [t('referrals.columns.services'), `${service(referral.fromService)} → ${service(referral.toService)}`],
    [t('inbox.columns.status'), <ReferralStatusBadge status={referral.status} />],
    [
      t('referrals.columns.acceptBy'),
      <>
        <span className="me-2">{referral.acceptDueAt ? formatDateTime(referral.acceptDueAt, language) : t('inbox.noDeadline')}</span>
        <UrgencyBadges overdue={referral.overdue} escalationLevel={referral.escalationLevel} />
      </>,
    ],
    [t('referrals.createdAt'), formatDateTime(referral.createdAt, language)],
  ];
  if (referral.respondedAt) rows.push([t('referrals.respondedAt'), `${formatDateTime(referral.respondedAt, language)} · ${referral.respondedBy ?? ''}`]);
  if (referral.reasonCode) rows.push([t('referrals.answer.reason'), codeLabel(referral.step?.rejectionReasons, referral.reasonCode)]);
  if (referral.outcome) rows.push([t('referrals.answer.outcome'), codeLabel(referral.step?.outcomes, referral.outcome)]);
  return (
    <>
      <Breadcrumb items={[{ label: t('referrals.title'), to: '/console/referrals' }, { label: title }]} />
      <h1 className="h2">{t('referrals.pageTitle', { step: title })}</h1>
      {referral.step?.description ? <p>{localized(referral.step.description, language)}</p> : null}
      <div aria-live="polite" role="status">
        {done ? <Alert color="success">{done}</Alert> : null}
      </div>
      <dl className="row mb-0" data-testid="referral-details">
        {rows.map(([label, value]) => (
          <div className="col-12 col-sm-6 col-lg-4 mb-2" key={label}>
            <dt className="small text-uppercase">{label}</dt>
            <dd className="mb-0">{value}</dd>
          </div>
        ))}
      </dl>
      {receives ? (
        // Keyed by status: once accepted, the outcome form (the only answer left) opens by itself.
        <ReferralAnswerForms key={referral.status} referral={referral} onDone={setDone} />
      ) : referral.status === 'pending' || referral.status === 'accepted' ? (
        <p className="alert alert-info mt-3">{t('referrals.waitingOn', { service: service(referral.toService) })}</p>
      ) : null}
    </>
  );
}

export default function ReferralPage() {
  const { referralId = '' } = useParams();
  const { t } = useTranslation('operator');
  const referral = useQuery({
    queryKey: referralQueryKey(referralId),
    queryFn: () => unwrap(api.GET('/referrals/{referralId}', { params: { path: { referralId } } })),
  });
  if (referral.isPending) return <PageLoading />;
  if (referral.isError)
    return (
      <>
        <Breadcrumb items={[{ label: t('referrals.title'), to: '/console/referrals' }, { label: referralId }]} />
        <h1 className="h2">{t('referrals.title')}</h1>
        <ProblemAlert error={referral.error} />
      </>
    );
  return <ReferralView referral={referral.data} />;
}
