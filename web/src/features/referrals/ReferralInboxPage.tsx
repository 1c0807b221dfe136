/**
 * The referral inbox (`/console/referrals`): referrals my services receive, to accept or reject and
 * later report on, and those they sent, to see where each stands. Soonest acceptance deadline first
 * (the API's order), direction and open/closed kept in the address, cursor paging.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { UrgencyBadges } from '../cases/badges';
import { formatDateTime, stepTitle, usePathwayVersion } from '../cases/format';
import { FlashMessage } from '../operator/FlashMessage';
import { referralsQueryKey } from './query-keys';
import { ReferralStatusBadge } from './ReferralStatusBadge';

type ReferralQuery = NonNullable<paths['/referrals']['get']['parameters']['query']>;
type Direction = 'incoming' | 'outgoing';
const pageSize = 25;

function StepTitle({ pathwayKey, version, stepId }: { pathwayKey: string | null; version: number | null; stepId: string }) {
  const { i18n } = useTranslation();
  const pathway = usePathwayVersion(pathwayKey, version);
  return <>{stepTitle(pathway.data?.definition, stepId, i18n.language)}</>;
}

export default function ReferralInboxPage() {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  const [params, setParams] = useSearchParams();
  const direction: Direction = params.get('direction') === 'outgoing' ? 'outgoing' : 'incoming';
  const closed = params.get('state') === 'closed';
  const filterKey = params.toString();
  const [paging, setPaging] = useState<{ filterKey: string; cursors: string[] }>({ filterKey, cursors: [] });
  const cursors = paging.filterKey === filterKey ? paging.cursors : [];
  const cursor = cursors[cursors.length - 1];
  const query: ReferralQuery = { direction, status: closed ? 'rejected,completed,cancelled' : 'pending,accepted', limit: pageSize, ...(cursor ? { cursor } : {}) };
  const referrals = useQuery({
    queryKey: [...referralsQueryKey, query],
    queryFn: () => unwrap(api.GET('/referrals', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const rows = referrals.data?.items ?? [];

  return (
    <>
      <div className="d-flex justify-content-between align-items-start flex-wrap gap-2">
        <h1 className="h2">{t('referrals.title')}</h1>
        <Link to="/console/cases" className="btn btn-outline-primary">
          {t('search.open')}
        </Link>
      </div>
      <p>{t('referrals.intro')}</p>
      <FlashMessage />
      <section aria-labelledby="referral-filters-title" className="mb-3">
        <h2 className="visually-hidden" id="referral-filters-title">
          {t('inbox.filters.title')}
        </h2>
        <div className="row g-3 align-items-end">
          <div className="col-12 col-sm-6 col-lg-4">
            <label htmlFor="referral-direction" className="form-label fw-semibold">
              {t('referrals.direction')}
            </label>
            <select id="referral-direction" className="form-select" value={direction} onChange={(event) => setFilter('direction', event.target.value === 'incoming' ? '' : event.target.value)}>
              <option value="incoming">{t('referrals.directions.incoming')}</option>
              <option value="outgoing">{t('referrals.directions.outgoing')}</option>
            </select>
          </div>
          <div className="col-12 col-sm-6 col-lg-4">
            <label htmlFor="referral-state" className="form-label fw-semibold">
              {t('referrals.state')}
            </label>
            <select id="referral-state" className="form-select" value={closed ? 'closed' : 'open'} onChange={(event) => setFilter('state', event.target.value === 'open' ? '' : event.target.value)}>
              <option value="open">{t('referrals.states.open')}</option>
              <option value="closed">{t('referrals.states.closed')}</option>
            </select>
          </div>
        </div>
      </section>
      {referrals.isPending ? <PageLoading /> : null}
      {referrals.isError ? <ProblemAlert error={referrals.error} /> : null}
      <div aria-live="polite">
        {referrals.isSuccess && rows.length === 0 ? (
          <p className="alert alert-info" data-testid="referrals-empty">
            {t('referrals.empty')}
          </p>
        ) : null}
      </div>
      {referrals.isSuccess && rows.length > 0 ? (
        <div className="table-responsive">
          <table className="table table-dense table-hover" data-testid="referrals-table" aria-busy={referrals.isFetching}>
            <caption className="visually-hidden">{t('referrals.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('referrals.columns.referral')}</th>
                <th scope="col">{t('inbox.columns.case')}</th>
                <th scope="col">{t('referrals.columns.services')}</th>
                <th scope="col">{t('referrals.columns.acceptBy')}</th>
                <th scope="col">{t('inbox.columns.status')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((referral) => (
                <tr key={referral.referralId} data-testid="referral-row" data-referral-id={referral.referralId}>
                  <th scope="row" className="fw-normal">
                    <Link to={`/console/referrals/${referral.referralId}`} className="fw-semibold">
                      <StepTitle pathwayKey={referral.pathwayKey} version={referral.pathwayVersion} stepId={referral.stepId} />
                    </Link>
                  </th>
                  <td className="text-nowrap">
                    <Link to={`/console/cases/${referral.caseId}`}>{referral.caseReference ?? referral.caseId.slice(0, 8)}</Link>
                  </td>
                  <td>
                    {t(`services.${referral.fromService}`, { defaultValue: referral.fromService })} → {t(`services.${referral.toService}`, { defaultValue: referral.toService })}
                  </td>
                  <td>
                    <span className="d-block">{referral.acceptDueAt ? formatDateTime(referral.acceptDueAt, language) : t('inbox.noDeadline')}</span>
                    <UrgencyBadges overdue={referral.overdue} escalationLevel={referral.escalationLevel} />
                  </td>
                  <td>
                    <ReferralStatusBadge status={referral.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {referrals.isSuccess && (cursors.length > 0 || referrals.data.nextCursor) ? (
        <nav aria-label={t('referrals.pagination')} className="d-flex gap-2 align-items-center">
          <button type="button" className="btn btn-outline-primary btn-sm" disabled={cursors.length === 0} onClick={() => setPaging({ filterKey, cursors: cursors.slice(0, -1) })}>
            {t('inbox.previous')}
          </button>
          <span>{t('inbox.page', { page: cursors.length + 1 })}</span>
          <button
            type="button"
            className="btn btn-outline-primary btn-sm"
            disabled={!referrals.data.nextCursor}
            onClick={() => referrals.data.nextCursor && setPaging({ filterKey, cursors: [...cursors, referrals.data.nextCursor] })}
          >
            {t('inbox.next')}
          </button>
        </nav>
      ) : null}
    </>
  );
}
