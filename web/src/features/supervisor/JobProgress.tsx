/**
 * The progress of a durable intervention job, read from GET /interventions/{jobId} every second
 * while it runs: a progress bar with the numbers (announced politely), then the outcome of each
 * case as the job reports it.
 */
import { useQuery } from '@tanstack/react-query';
import { Badge, Progress } from 'design-react-kit';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { useFormat } from './format';

type Job = Schemas['InterventionJob'];
type JobItem = Job['items'][number];

const pollMs = 1000;

/** The job with all its items (following the cursor). */
async function loadJob(jobId: string): Promise<Job> {
  const first = await unwrap(api.GET('/interventions/{jobId}', { params: { path: { jobId }, query: { limit: 1000 } } }));
  const items = [...first.items];
  let cursor = first.nextCursor;
  while (cursor) {
    const page = await unwrap(api.GET('/interventions/{jobId}', { params: { path: { jobId }, query: { limit: 1000, cursor } } }));
    items.push(...page.items);
    cursor = page.nextCursor;
  }
  return { ...first, items, nextCursor: null };
}

const itemTone: Record<JobItem['status'], string> = { pending: 'secondary', done: 'success', refused: 'dark', failed: 'danger' };

/** Progress and per-case outcome of a job; `references` names cases by their reference when known. */
export function JobProgress({ jobId, references }: { jobId: string; references: Record<string, string> }) {
  const { t } = useTranslation('supervisor');
  const format = useFormat();
  const job = useQuery({
    queryKey: ['supervisor', 'job', jobId],
    queryFn: () => loadJob(jobId),
    refetchInterval: (query) => (query.state.data?.status === 'running' || query.state.data === undefined ? pollMs : false),
    staleTime: 0,
  });
  if (job.isPending) return <PageLoading />;
  if (job.isError) return <ProblemAlert error={job.error} />;
  const { counts, status } = job.data;
  const processed = counts.done + counts.refused + counts.failed;
  const percent = counts.total === 0 ? 100 : Math.round((processed / counts.total) * 100);
  const summary = t('job.processed', { processed: format.number(processed), total: format.number(counts.total) });
  return (
    <section aria-labelledby="job-title" className="mt-4" data-testid="job-progress" data-status={status}>
      <h2 className="h4" id="job-title">
        {t('job.title')}
      </h2>
      <div aria-live="polite" aria-atomic="true">
        <p className="mb-1">
          <Badge color={status === 'running' ? 'primary' : status === 'completed' ? 'success' : 'danger'}>
            <span data-testid="job-status">{t(`job.status.${status}`)}</span>
          </Badge>{' '}
          <span data-testid="job-processed">{summary}</span>
        </p>
        <p className="small mb-2" data-testid="job-counts">
          {t('job.counts', { done: format.number(counts.done), refused: format.number(counts.refused), failed: format.number(counts.failed), pending: format.number(counts.pending) })}
        </p>
      </div>
      <Progress value={percent} label={summary} aria-label={t('job.progressLabel')} aria-valuetext={`${percent}%`} color={counts.failed > 0 ? 'danger' : status === 'completed' ? 'success' : 'primary'} />
      <p className="small mt-1">
        {t('job.meta', { reason: job.data.reason, at: format.dateTime(job.data.createdAt) })}
        {job.data.finishedAt ? ` · ${t('job.finishedAt', { at: format.dateTime(job.data.finishedAt) })}` : ''}
      </p>
      {status !== 'running' && job.data.items.length > 0 ? (
        <div className="table-responsive mt-3">
          <table className="table table-sm" data-testid="job-items">
            <caption>{t('job.itemsCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('bulk.columns.case')}</th>
                <th scope="col">{t('job.result')}</th>
                <th scope="col">{t('job.why')}</th>
              </tr>
            </thead>
            <tbody>
              {job.data.items.map((item) => (
                <tr key={item.index} data-testid="job-item" data-status={item.status}>
                  <th scope="row">
                    <Link to={`/console/supervision/cases/${encodeURIComponent(item.caseId)}`}>{references[item.caseId] ?? item.caseId.slice(0, 8)}</Link>
                  </th>
                  <td>
                    <Badge color={itemTone[item.status]}>{t(`job.item.${item.status}`)}</Badge>
                  </td>
                  <td>{item.error ? item.error.message : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
