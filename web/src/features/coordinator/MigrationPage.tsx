/**
 * Migration of open cases from one version to a newer one: choose the versions and map the steps
 * the new version no longer has, run the dry run (each case's workflow says whether it can move
 * and why not), then start the job and follow its progress until it is done.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { ProblemError } from '../../api/problem';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { Breadcrumb, ScrollRegion } from './common';
import { localized, type DefinitionDoc } from './model';

type MigrationBody = { fromVersion: number; toVersion: number; stepMapping: Record<string, string>; reason: string; dryRun: boolean };

export default function MigrationPage() {
  const { key = '' } = useParams();
  const [search] = useSearchParams();
  const { t, i18n } = useTranslation('coordinator');
  const versions = useQuery({
    queryKey: ['pathways', key, 'versions'],
    queryFn: () => unwrap(api.GET('/pathways/{key}/versions', { params: { path: { key } } })),
  });
  const items = versions.data?.items ?? [];
  const [fromChoice, setFrom] = useState<number | undefined>();
  const [toChoice, setTo] = useState<number | undefined>();
  const toVersion = toChoice ?? (Number(search.get('to')) || items.find((item) => item.status === 'published')?.version);
  const fromVersion = fromChoice ?? (toVersion !== undefined && toVersion > 1 ? toVersion - 1 : undefined);
  const [reason, setReason] = useState('');
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [jobId, setJobId] = useState<string | null>(null);

  const definitions = useQuery({
    queryKey: ['pathways', key, 'migration-definitions', fromVersion, toVersion],
    enabled: fromVersion !== undefined && toVersion !== undefined,
    queryFn: async () => {
      const [from, to] = await Promise.all(
        [fromVersion!, toVersion!].map((version) => unwrap(api.GET('/pathways/{key}/versions/{version}', { params: { path: { key, version } } }))),
      );
      return { from: from.definition as unknown as DefinitionDoc, to: to.definition as unknown as DefinitionDoc };
    },
  });
  const goneSteps = definitions.data ? Object.keys(definitions.data.from.steps).filter((id) => !(id in definitions.data.to.steps)) : [];

  const body = (dryRun: boolean): MigrationBody => ({
    fromVersion: fromVersion ?? 0,
    toVersion: toVersion ?? 0,
    stepMapping: Object.fromEntries(Object.entries(mapping).filter(([old, target]) => target && goneSteps.includes(old))),
    reason: reason.trim(),
    dryRun,
  });
  // The dry run keeps the exact migration it previewed (its variables): only that one may run, and only while the form still says it.
  const dryRun = useMutation({
    mutationFn: (previewed: MigrationBody) => unwrap(api.POST('/pathways/{key}/migrations', { params: { path: { key } }, body: { ...previewed, dryRun: true } })) as Promise<Schemas['MigrationDryRun']>,
  });
  const previewIsCurrent = dryRun.data !== undefined && dryRun.variables !== undefined && JSON.stringify(dryRun.variables) === JSON.stringify(body(false));
  const run = useMutation({
    mutationFn: (previewed: MigrationBody) => unwrap(api.POST('/pathways/{key}/migrations', { params: { path: { key } }, body: { ...previewed, dryRun: false } })) as Promise<Schemas['MigrationAccepted']>,
    onSuccess: (accepted) => setJobId(accepted.jobId),
  });
  const fieldErrors = { ...(dryRun.error instanceof ProblemError ? dryRun.error.fieldErrors : {}), ...(run.error instanceof ProblemError ? run.error.fieldErrors : {}) };
  const title = definitions.data ? localized(definitions.data.to.title, i18n.language) : key;

  const submitDryRun = (event: FormEvent) => {
    event.preventDefault();
    run.reset();
    setJobId(null);
    dryRun.mutate(body(false));
  };

  return (
    <>
      <Breadcrumb items={[{ to: '/console/pathways', label: t('list.title') }, { label: title }, { label: t('migration.breadcrumb') }]} />
      <h1 className="h3">{t('migration.title', { title })}</h1>
      <p>{t('migration.intro')}</p>
      {versions.isPending ? <PageLoading /> : null}
      {versions.isError ? <ProblemAlert error={versions.error} /> : null}
      <form onSubmit={submitDryRun} noValidate>
        <div className="row g-3">
          <div className="col-sm-6 col-md-3">
            <label className="form-label fw-semibold" htmlFor="pw-mig-from">
              {t('migration.from')}
            </label>
            <select id="pw-mig-from" className="form-select" value={fromVersion ?? ''} onChange={(event) => setFrom(Number(event.target.value))}>
              {fromVersion === undefined ? <option value="">—</option> : null}
              {items.map((item) => (
                <option key={item.version} value={item.version}>
                  {t('list.versionNumber', { version: item.version })} ({t(`status.${item.status}`)})
                </option>
              ))}
            </select>
            <div className="invalid-feedback d-block">{fieldErrors.fromVersion ? `⚠ ${fieldErrors.fromVersion}` : null}</div>
          </div>
          <div className="col-sm-6 col-md-3">
            <label className="form-label fw-semibold" htmlFor="pw-mig-to">
              {t('migration.to')}
            </label>
            <select id="pw-mig-to" className="form-select" value={toVersion ?? ''} onChange={(event) => setTo(Number(event.target.value))}>
              {toVersion === undefined ? <option value="">—</option> : null}
              {items
                .filter((item) => item.status === 'published')
                .map((item) => (
                  <option key={item.version} value={item.version}>
                    {t('list.versionNumber', { version: item.version })}
                  </option>
                ))}
            </select>
            <div className="invalid-feedback d-block">{fieldErrors.toVersion ? `⚠ ${fieldErrors.toVersion}` : null}</div>
          </div>
          <div className="col-md-6">
            <label className="form-label fw-semibold" htmlFor="pw-mig-reason">
              {t('migration.reason')}
            </label>
            <input
              id="pw-mig-reason"
              type="text"
              className={`form-control${fieldErrors.reason ? ' is-invalid' : ''}`}
              value={reason}
              required
              aria-describedby="pw-mig-reason-error"
              aria-invalid={fieldErrors.reason ? true : undefined}
              onChange={(event) => setReason(event.target.value)}
            />
            <div id="pw-mig-reason-error" className="invalid-feedback d-block">
              {fieldErrors.reason ? `⚠ ${fieldErrors.reason}` : null}
            </div>
          </div>
        </div>
        {goneSteps.length > 0 && definitions.data ? (
          <fieldset className="border rounded p-3 my-3">
            <legend className="float-none w-auto px-2 h6 mb-0">{t('migration.mapping')}</legend>
            <p className="small">{t('migration.mappingHint')}</p>
            {goneSteps.map((id) => (
              <div key={id} className="mb-2">
                <label className="form-label fw-semibold" htmlFor={`pw-map-${id}`}>
                  {t('migration.mapStep', { step: `${localized(definitions.data.from.steps[id]?.title, i18n.language)} (${id})` })}
                </label>
                <select id={`pw-map-${id}`} className="form-select" value={mapping[id] ?? ''} onChange={(event) => setMapping({ ...mapping, [id]: event.target.value })}>
                  <option value="">{t('migration.noMapping')}</option>
                  {Object.keys(definitions.data.to.steps).map((target) => (
                    <option key={target} value={target}>
                      {localized(definitions.data.to.steps[target]?.title, i18n.language)} ({target})
                    </option>
                  ))}
                </select>
                <div className="invalid-feedback d-block">{fieldErrors[`stepMapping.${id}`] ? `⚠ ${fieldErrors[`stepMapping.${id}`]}` : null}</div>
              </div>
            ))}
          </fieldset>
        ) : null}
        <div className="d-flex gap-2 my-3">
          <button type="submit" className="btn btn-outline-primary" disabled={dryRun.isPending || fromVersion === undefined || toVersion === undefined}>
            {t('migration.dryRun')}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={!previewIsCurrent || dryRun.data?.movable === 0 || run.isPending || jobId !== null}
            onClick={() => dryRun.variables && run.mutate(dryRun.variables)}
          >
            {t('migration.run', { count: dryRun.data?.movable ?? 0 })}
          </button>
        </div>
        {dryRun.data && !previewIsCurrent && jobId === null ? (
          <p className="alert alert-info" role="status">
            {t('migration.stale')}
          </p>
        ) : null}
      </form>
      {dryRun.isError && Object.keys(fieldErrors).length === 0 ? <ProblemAlert error={dryRun.error} /> : null}
      {run.isError && Object.keys(fieldErrors).length === 0 ? <ProblemAlert error={run.error} /> : null}
      <div aria-live="polite">
        {dryRun.data ? <DryRunReport report={dryRun.data} /> : null}
      </div>
      {jobId ? <JobProgress jobId={jobId} /> : null}
    </>
  );
}

function DryRunReport({ report }: { report: Schemas['MigrationDryRun'] }) {
  const { t } = useTranslation('coordinator');
  return (
    <section className="mb-4" data-testid="dry-run">
      <h2 className="h4">{t('migration.dryRunTitle')}</h2>
      <p>{t('migration.dryRunSummary', { total: report.total, movable: report.movable, from: report.fromVersion, to: report.toVersion })}</p>
      {report.cases.length > 0 ? (
        <ScrollRegion label={t('migration.dryRunTitle')}>
          <table className="table table-dense">
            <caption className="visually-hidden">{t('migration.dryRunTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('migration.case')}</th>
                <th scope="col">{t('migration.area')}</th>
                <th scope="col">{t('migration.canMove')}</th>
                <th scope="col">{t('migration.problems')}</th>
              </tr>
            </thead>
            <tbody>
              {report.cases.map((item) => (
                <tr key={item.caseId}>
                  <th scope="row">{item.reference ? <Link to={`/console/cases/${item.caseId}`}>{item.reference}</Link> : item.caseId}</th>
                  <td>{item.areaId ?? '—'}</td>
                  <td>
                    <span className={`badge ${item.canMove ? 'bg-success' : 'bg-danger'}`}>{item.canMove ? t('migration.movable') : t('migration.notMovable')}</span>
                  </td>
                  <td>
                    {item.problems.map((problem, index) => (
                      <span key={index} className="d-block">
                        {problem.stepId ? <code>{problem.stepId}</code> : null} {problem.message}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      ) : null}
    </section>
  );
}

/** Polls the job every second while it runs; a `<progress>` with its numbers, announced politely. */
export function JobProgress({ jobId }: { jobId: string }) {
  const { t } = useTranslation('coordinator');
  const job = useQuery({
    queryKey: ['intervention-job', jobId],
    queryFn: () => unwrap(api.GET('/interventions/{jobId}', { params: { path: { jobId }, query: { limit: 100 } } })),
    refetchInterval: (query) => (query.state.data && query.state.data.status !== 'running' ? false : 1000),
  });
  if (job.isError) return <ProblemAlert error={job.error} />;
  const counts = job.data?.counts;
  const finished = counts ? counts.done + counts.refused + counts.failed : 0;
  return (
    <section className="mb-4" aria-labelledby="pw-job-heading" data-testid="job-progress">
      <h2 className="h4" id="pw-job-heading">
        {t('migration.progressTitle')}
      </h2>
      {counts ? (
        <>
          <label htmlFor="pw-job-progress" className="form-label">
            {t('migration.progressLabel')}
          </label>
          <progress id="pw-job-progress" className="w-100 d-block mb-2" max={Math.max(counts.total, 1)} value={counts.total === 0 ? 1 : finished}>
            {finished}/{counts.total}
          </progress>
          <p aria-live="polite" role="status">
            {job.data?.status === 'running'
              ? t('migration.progressRunning', { finished, total: counts.total })
              : t('migration.progressDone', { done: counts.done, refused: counts.refused, failed: counts.failed, total: counts.total })}
          </p>
          {(job.data?.items ?? []).some((item) => item.error) ? (
            <ul>
              {job.data?.items
                .filter((item) => item.error)
                .map((item) => (
                  <li key={item.index}>
                    <code>{item.caseId}</code>: {item.error?.message}
                  </li>
                ))}
            </ul>
          ) : null}
        </>
      ) : (
        <PageLoading />
      )}
    </section>
  );
}
