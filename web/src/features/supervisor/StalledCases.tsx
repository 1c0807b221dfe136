/**
 * The stalled cases of the supervisor's areas, most urgent first: every rule each case breaks with
 * since when and its measure, and who owns the next move; each case links to its drill-down.
 */
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Badge, Button } from 'design-react-kit';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { useFormat } from './format';

/** A page of stalled cases (typed as the client answers it). */
function fetchStalled(areaId: string, cursor: string) {
  return unwrap(api.GET('/supervision/stalled', { params: { query: { ...(areaId ? { areaId } : {}), limit: pageSize, ...(cursor ? { cursor } : {}) } } }));
}

type StalledPage = Awaited<ReturnType<typeof fetchStalled>>;
type StalledReason = StalledPage['items'][number]['reasons'][number];
type Owner = StalledReason['owners'][number];

const pageSize = 25;

/** What the reason measures, in words (its kind is the badge beside it). */
function useReasonDetail() {
  const { t } = useTranslation('supervisor');
  const format = useFormat();
  return (reason: StalledReason): string => {
    switch (reason.type) {
      case 'overdue_task':
        return t('reasons.overdue_task.detail', { count: reason.taskIds.length, threshold: reason.threshold });
      case 'no_progress':
        return t('reasons.no_progress.detail', { count: reason.workingDays, threshold: reason.threshold });
      case 'no_contact':
        return reason.lastContactAt
          ? t('reasons.no_contact.detail', { count: reason.days, last: format.date(reason.lastContactAt), threshold: reason.threshold })
          : t('reasons.no_contact.never', { count: reason.days, threshold: reason.threshold });
      case 'escalated':
        return t('reasons.escalated.detail', { level: reason.level, threshold: reason.threshold });
      case 'referral_not_accepted':
        return t('reasons.referral_not_accepted.detail', { count: reason.referralIds.length });
      case 'suspended_too_long':
        return t('reasons.suspended_too_long.detail', { count: reason.days, threshold: reason.threshold });
      case 'isee_expiring':
        return t('reasons.isee_expiring.detail', { date: format.date(reason.expiresOn), threshold: reason.threshold });
    }
  };
}

/** Distinct next-move owners across a case's reasons. */
function ownersOf(reasons: StalledReason[]): Owner[] {
  const seen = new Map<string, Owner>();
  for (const reason of reasons) {
    for (const owner of reason.owners) {
      const key = owner.kind === 'task' ? `t:${owner.taskId}` : `r:${owner.referralId}`;
      if (!seen.has(key)) seen.set(key, owner);
    }
  }
  return [...seen.values()];
}

/** Every rule a case breaks: its name, what it measures, and since when. */
export function StalledReasonList({ reasons }: { reasons: StalledReason[] }) {
  const { t } = useTranslation('supervisor');
  const format = useFormat();
  const detail = useReasonDetail();
  return (
    <ul className="list-unstyled mb-0">
      {reasons.map((reason) => (
        <li key={reason.type} className="mb-2" data-testid="stalled-reason" data-reason={reason.type}>
          <Badge color={reason.type === 'overdue_task' || reason.type === 'escalated' ? 'danger' : 'primary'}>{t(`reasons.${reason.type}.label`)}</Badge>{' '}
          <span>{detail(reason)}</span>
          <span className="d-block small">{t('stalled.reasonSince', { date: format.dateTime(reason.since), ago: format.ago(reason.since) })}</span>
        </li>
      ))}
    </ul>
  );
}

/** The stalled-list entry of one case, if it is stalled now (pages through its area's list). */
export function useStalledEntry(caseId: string, areaId: string | undefined) {
  return useQuery({
    queryKey: ['supervisor', 'stalled-case', caseId, areaId],
    enabled: areaId !== undefined,
    queryFn: async () => {
      let cursor = '';
      // A page holds 100 cases; ten pages cover any area's list many times over.
      for (let page = 0; page < 10; page++) {
        const answer = await unwrap(api.GET('/supervision/stalled', { params: { query: { areaId, limit: 100, ...(cursor ? { cursor } : {}) } } }));
        const entry = answer.items.find((item) => item.case.caseId === caseId);
        if (entry) return entry;
        if (!answer.nextCursor) return null;
        cursor = answer.nextCursor;
      }
      return null;
    },
  });
}

export function StalledCases({ areaId, stepTitle }: { areaId: string; stepTitle: (stepId: string) => string }) {
  const { t } = useTranslation('supervisor');
  const format = useFormat();
  const stalled = useInfiniteQuery({
    queryKey: ['supervisor', 'stalled', areaId],
    queryFn: ({ pageParam }) => fetchStalled(areaId, pageParam),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const items = stalled.data?.pages.flatMap((page) => page.items) ?? [];

  const ownerText = (owner: Owner) => {
    const what = owner.kind === 'task' ? t('stalled.ownerTask', { step: stepTitle(owner.stepId) }) : t('stalled.ownerReferral', { step: stepTitle(owner.stepId) });
    const who = (owner.kind === 'task' ? owner.assigneeId : null) ?? t('stalled.queueOf', { service: format.service(owner.service) });
    return `${what}: ${who}`;
  };

  return (
    <section aria-labelledby="stalled-heading" className="mb-5">
      <h2 id="stalled-heading" className="h4">
        {t('stalled.title')}
      </h2>
      <p>{t('stalled.intro')}</p>
      {stalled.isPending ? <PageLoading /> : null}
      {stalled.isError ? <ProblemAlert error={stalled.error} /> : null}
      {stalled.data && items.length === 0 ? <p data-testid="stalled-empty">{t('stalled.none')}</p> : null}
      {items.length > 0 ? (
        <>
          <p aria-live="polite" data-testid="stalled-count">
            {stalled.hasNextPage ? t('stalled.countMore', { count: items.length }) : t('stalled.count', { count: items.length })}
          </p>
          <div className="table-responsive">
            <table className="table align-top" data-testid="stalled-table">
              <caption className="visually-hidden">{t('stalled.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('stalled.case')}</th>
                  <th scope="col">{t('stalled.reasons')}</th>
                  <th scope="col">{t('stalled.since')}</th>
                  <th scope="col">{t('stalled.nextMove')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <tr key={item.case.caseId} data-testid="stalled-row" data-case-id={item.case.caseId}>
                    <th scope="row">
                      <Link to={`/console/supervision/cases/${encodeURIComponent(item.case.caseId)}`} className="case-reference">{item.case.reference}</Link>
                      <span className="d-block small fw-normal">{format.area(item.case.areaId)}</span>
                      <span className="d-block small fw-normal">{item.case.openStepIds.map(stepTitle).join(', ')}</span>
                      {item.case.status !== 'active' ? <Badge color="secondary">{t(`caseStatus.${item.case.status}`)}</Badge> : null}
                    </th>
                    <td>
                      <StalledReasonList reasons={item.reasons} />
                    </td>
                    <td>
                      <time dateTime={item.since}>{format.date(item.since)}</time>
                      <span className="d-block small">{format.ago(item.since)}</span>
                    </td>
                    <td>
                      <ul className="list-unstyled mb-0 small">
                        {ownersOf(item.reasons).map((owner) => (
                          <li key={owner.kind === 'task' ? owner.taskId : owner.referralId}>{ownerText(owner)}</li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {stalled.hasNextPage ? (
            <Button color="primary" outline disabled={stalled.isFetchingNextPage} onClick={() => void stalled.fetchNextPage()}>
              {stalled.isFetchingNextPage ? t('stalled.loadingMore') : t('stalled.loadMore')}
            </Button>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
