/**
 * The supervisor's dashboard of their areas: key figures, the stalled cases with every reason and
 * since when (most urgent first, each leading to the case's drill-down), open tasks and cases by
 * pathway, step and status, the ageing of open tasks, the on-time rate per pathway and step, and the
 * open escalations. Tables by step are grouped by pathway: two pathways may share a step id.
 */
import { useQueries, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { useFormat } from './format';
import { AreaSelect, Bar, SupervisionNav } from './parts';
import { StalledCases } from './StalledCases';
import { useStepTitles } from './step-titles';

type CountRow = Schemas['DashboardCount'];

/** Rows by step with a column per status, in the order steps first appear. */
function pivot(rows: CountRow[], statuses: string[]) {
  const byStep = new Map<string, Record<string, number>>();
  for (const row of rows) {
    const cells = byStep.get(row.stepId) ?? Object.fromEntries(statuses.map((status) => [status, 0]));
    cells[row.status] = (cells[row.status] ?? 0) + row.count;
    byStep.set(row.stepId, cells);
  }
  return [...byStep.entries()].map(([stepId, cells]) => ({ stepId, cells, total: Object.values(cells).reduce((sum, n) => sum + n, 0) }));
}

function KeyFigure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="col-12 col-sm-6 col-lg-3 mb-3">
      <div className="card card-bg shadow-sm h-100">
        <div className="card-body">
          <p className="mb-1">{label}</p>
          <p className="h3 mb-0" data-testid={testId}>
            {value}
          </p>
        </div>
      </div>
    </div>
  );
}

function CountsTable({ caption, rows, statuses, statusLabel, stepTitle }: { caption: string; rows: CountRow[]; statuses: string[]; statusLabel: (status: string) => string; stepTitle: (stepId: string) => string }) {
  const { t } = useTranslation('supervisor');
  const format = useFormat();
  const table = pivot(rows, statuses);
  const max = Math.max(0, ...table.map((row) => row.total));
  if (table.length === 0) return <p>{t('dashboard.none')}</p>;
  return (
    <div className="table-responsive">
      <table className="table table-sm align-middle">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('dashboard.step')}</th>
            {statuses.map((status) => (
              <th scope="col" className="text-end" key={status}>
                {statusLabel(status)}
              </th>
            ))}
            <th scope="col" className="text-end">
              {t('dashboard.total')}
            </th>
            <th scope="col" className="w-25">
              <span className="visually-hidden">{t('dashboard.chart')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {table.map((row) => (
            <tr key={row.stepId}>
              <th scope="row">{stepTitle(row.stepId)}</th>
              {statuses.map((status) => (
                <td className="text-end" key={status}>
                  {format.number(row.cells[status] ?? 0)}
                </td>
              ))}
              <td className="text-end fw-semibold">{format.number(row.total)}</td>
              <td>
                <Bar value={row.total} max={max} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function DashboardPage() {
  const { t } = useTranslation('supervisor');
  const format = useFormat();
  const steps = useStepTitles();
  const [areaId, setAreaId] = useState('');
  const filter = areaId ? { areaId } : {};

  const counts = useQuery({ queryKey: ['supervisor', 'counts', filter], queryFn: () => unwrap(api.GET('/dashboards/counts', { params: { query: filter } })) });
  const ageing = useQuery({ queryKey: ['supervisor', 'ageing', filter], queryFn: () => unwrap(api.GET('/dashboards/ageing', { params: { query: filter } })) });
  const onTime = useQuery({ queryKey: ['supervisor', 'on-time', filter], queryFn: () => unwrap(api.GET('/dashboards/on-time', { params: { query: filter } })) });
  const escalations = useQuery({ queryKey: ['supervisor', 'escalations', filter], queryFn: () => unwrap(api.GET('/dashboards/escalations', { params: { query: filter } })) });
  const planTime = useQuery({ queryKey: ['supervisor', 'plan-time', filter], queryFn: () => unwrap(api.GET('/dashboards/plan-time', { params: { query: filter } })) });
  const trend = useQuery({ queryKey: ['supervisor', 'weekly-trend', filter], queryFn: () => unwrap(api.GET('/dashboards/weekly-trend', { params: { query: filter } })) });
  // Tables by step are per pathway: two pathways may share a step id, and one row must not add them up.
  const countsByPathway = useQueries({
    queries: steps.pathways.map((pathway) => ({
      queryKey: ['supervisor', 'counts', filter, pathway.key],
      queryFn: () => unwrap(api.GET('/dashboards/counts', { params: { query: { ...filter, pathwayKey: pathway.key } } })),
    })),
  });
  const onTimeByPathway = useQueries({
    queries: steps.pathways.map((pathway) => ({
      queryKey: ['supervisor', 'on-time', filter, pathway.key],
      queryFn: () => unwrap(api.GET('/dashboards/on-time', { params: { query: { ...filter, pathwayKey: pathway.key } } })),
    })),
  });

  const openTasks = counts.data?.tasks.reduce((sum, row) => sum + row.count, 0);
  const openEscalations = escalations.data?.items.reduce((sum, row) => sum + row.tasks + row.referrals, 0);
  const completed = onTime.data?.items.reduce((sum, row) => sum + row.completed, 0) ?? 0;
  const punctual = onTime.data?.items.reduce((sum, row) => sum + row.onTime, 0) ?? 0;

  const buckets = ageing.data?.buckets ?? [];
  const ageingTotals = buckets.map((bucket) => ({
    bucket,
    count: (ageing.data?.items ?? []).filter((item) => item.bucket === bucket).reduce((sum, item) => sum + item.count, 0),
  }));
  const ageingMax = Math.max(0, ...ageingTotals.map((row) => row.count));
  const escalationLevels = [...new Set((escalations.data?.items ?? []).map((item) => item.level))].sort((a, b) => a - b);
  const escalationRows = escalationLevels.map((level) => {
    const items = (escalations.data?.items ?? []).filter((item) => item.level === level);
    return { level, tasks: items.reduce((sum, item) => sum + item.tasks, 0), referrals: items.reduce((sum, item) => sum + item.referrals, 0) };
  });
  const dash = '—';
  const trendMax = Math.max(0, ...(trend.data?.items ?? []).map((week) => Math.max(week.new, week.stalled)));

  return (
    <>
      <h1 className="h2">{t('dashboard.title')}</h1>
      <SupervisionNav />
      <AreaSelect id="dashboard-area" value={areaId} onChange={setAreaId} />

      <section aria-labelledby="figures-heading" className="mb-4">
        <h2 id="figures-heading" className="visually-hidden">
          {t('dashboard.figures')}
        </h2>
        <div className="row">
          <KeyFigure label={t('dashboard.openTasks')} value={openTasks === undefined ? dash : format.number(openTasks)} testId="figure-open-tasks" />
          <KeyFigure label={t('dashboard.openEscalations')} value={openEscalations === undefined ? dash : format.number(openEscalations)} testId="figure-open-escalations" />
          <KeyFigure
            label={t('dashboard.onTimeRate')}
            value={onTime.data ? (completed > 0 ? format.percent(punctual / completed) : t('dashboard.noCompletions')) : dash}
            testId="figure-on-time"
          />
          <KeyFigure
            label={t('dashboard.oldTasks', { bucket: format.code('ageing', buckets[buckets.length - 1] ?? '>30') })}
            value={ageing.data ? format.number(ageingTotals[ageingTotals.length - 1]?.count ?? 0) : dash}
            testId="figure-old-tasks"
          />
        </div>
      </section>

      <StalledCases areaId={areaId} stepTitle={steps.title} />

      <section aria-labelledby="counts-heading" className="mb-5">
        <h2 id="counts-heading" className="h4">
          {t('dashboard.countsTitle')}
        </h2>
        {countsByPathway.some((query) => query.isPending) ? <PageLoading /> : null}
        {countsByPathway.map((query, index) => (query.isError ? <ProblemAlert key={steps.pathways[index]?.key} error={query.error} /> : null))}
        {countsByPathway.every((query) => query.isSuccess) && countsByPathway.every((query) => query.data.tasks.length === 0 && query.data.cases.length === 0) ? <p>{t('dashboard.none')}</p> : null}
        {steps.pathways.map((pathway, index) => {
          const data = countsByPathway[index]?.data;
          if (!data || (data.tasks.length === 0 && data.cases.length === 0)) return null;
          const titleIn = (stepId: string) => steps.titleIn(pathway.key, stepId);
          return (
            <div key={pathway.key} data-testid="counts-pathway" data-pathway-key={pathway.key}>
              <h3 className="h5">{pathway.title}</h3>
              <div className="row">
                <div className="col-12 col-xl-6">
                  <h4 className="h6">{t('dashboard.tasksByStep')}</h4>
                  <CountsTable
                    caption={`${t('dashboard.tasksByStep')}: ${pathway.title}`}
                    rows={data.tasks}
                    statuses={['open', 'claimed']}
                    statusLabel={(status) => t(`taskStatus.${status}`)}
                    stepTitle={titleIn}
                  />
                </div>
                <div className="col-12 col-xl-6">
                  <h4 className="h6">{t('dashboard.casesByStep')}</h4>
                  <CountsTable
                    caption={`${t('dashboard.casesByStep')}: ${pathway.title}`}
                    rows={data.cases}
                    statuses={['active', 'suspended']}
                    statusLabel={(status) => t(`caseStatus.${status}`)}
                    stepTitle={titleIn}
                  />
                </div>
              </div>
            </div>
          );
        })}
      </section>

      <div className="row">
        <section aria-labelledby="ageing-heading" className="col-12 col-lg-6 mb-5">
          <h2 id="ageing-heading" className="h4">
            {t('dashboard.ageingTitle')}
          </h2>
          <p>{t('dashboard.ageingIntro')}</p>
          {ageing.isError ? <ProblemAlert error={ageing.error} /> : null}
          {ageing.data ? (
            <table className="table table-sm align-middle">
              <caption className="visually-hidden">{t('dashboard.ageingTitle')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('dashboard.age')}</th>
                  <th scope="col" className="text-end">
                    {t('dashboard.tasks')}
                  </th>
                  <th scope="col" className="w-50">
                    <span className="visually-hidden">{t('dashboard.chart')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {ageingTotals.map((row) => (
                  <tr key={row.bucket} data-testid={`ageing-${row.bucket}`}>
                    <th scope="row">{format.code('ageing', row.bucket)}</th>
                    <td className="text-end">{format.number(row.count)}</td>
                    <td>
                      <Bar value={row.count} max={ageingMax} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>

        <section aria-labelledby="escalations-heading" className="col-12 col-lg-6 mb-5">
          <h2 id="escalations-heading" className="h4">
            {t('dashboard.escalationsTitle')}
          </h2>
          {escalations.isError ? <ProblemAlert error={escalations.error} /> : null}
          {escalations.data && escalationRows.length === 0 ? <p>{t('dashboard.noEscalations')}</p> : null}
          {escalationRows.length > 0 ? (
            <table className="table table-sm">
              <caption className="visually-hidden">{t('dashboard.escalationsTitle')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('dashboard.level')}</th>
                  <th scope="col" className="text-end">
                    {t('dashboard.tasks')}
                  </th>
                  <th scope="col" className="text-end">
                    {t('dashboard.referrals')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {escalationRows.map((row) => (
                  <tr key={row.level}>
                    <th scope="row">{t('dashboard.levelN', { level: row.level })}</th>
                    <td className="text-end">{format.number(row.tasks)}</td>
                    <td className="text-end">{format.number(row.referrals)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      </div>

      <section aria-labelledby="on-time-heading" className="mb-5">
        <h2 id="on-time-heading" className="h4">
          {t('dashboard.onTimeTitle')}
        </h2>
        {onTime.data ? <p>{t('dashboard.onTimePeriod', { from: format.date(onTime.data.period.from), to: format.date(onTime.data.period.to) })}</p> : null}
        {onTime.isError ? <ProblemAlert error={onTime.error} /> : null}
        {onTime.data && onTime.data.items.length === 0 ? <p>{t('dashboard.noCompletions')}</p> : null}
        {steps.pathways.map((pathway, index) => {
          const rows = onTimeByPathway[index]?.data?.items ?? [];
          if (rows.length === 0) return null;
          return (
            <div className="table-responsive" key={pathway.key} data-testid="on-time-pathway" data-pathway-key={pathway.key}>
              <h3 className="h5">{pathway.title}</h3>
              <table className="table table-sm align-middle">
                <caption className="visually-hidden">{`${t('dashboard.onTimeTitle')}: ${pathway.title}`}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('dashboard.step')}</th>
                    <th scope="col" className="text-end">
                      {t('dashboard.completed')}
                    </th>
                    <th scope="col" className="text-end">
                      {t('dashboard.onTime')}
                    </th>
                    <th scope="col" className="text-end">
                      {t('dashboard.rate')}
                    </th>
                    <th scope="col" className="w-25">
                      <span className="visually-hidden">{t('dashboard.chart')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <tr key={row.stepId}>
                      <th scope="row">{steps.titleIn(pathway.key, row.stepId)}</th>
                      <td className="text-end">{format.number(row.completed)}</td>
                      <td className="text-end">{format.number(row.onTime)}</td>
                      <td className="text-end">{row.rate === null ? dash : format.percent(row.rate)}</td>
                      <td>
                        <Bar value={row.rate ?? 0} max={1} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        })}
      </section>

      <div className="row">
        <section aria-labelledby="trend-heading" className="col-12 col-xl-7 mb-5">
          <h2 id="trend-heading" className="h4">
            {t('dashboard.trendTitle')}
          </h2>
          <p>{t('dashboard.trendIntro')}</p>
          {trend.isError ? <ProblemAlert error={trend.error} /> : null}
          {trend.data ? (
            <div className="table-responsive">
              <table className="table table-sm align-middle">
                <caption className="visually-hidden">{t('dashboard.trendTitle')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('dashboard.week')}</th>
                    <th scope="col" className="text-end">
                      {t('dashboard.newCases')}
                    </th>
                    <th scope="col" className="text-end">
                      {t('dashboard.closedCases')}
                    </th>
                    <th scope="col" className="text-end">
                      {t('dashboard.stalledCases')}
                    </th>
                    <th scope="col" className="w-25">
                      <span className="visually-hidden">{t('dashboard.chart')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {trend.data.items.map((week) => (
                    <tr key={week.weekStart}>
                      <th scope="row">{format.date(`${week.weekStart}T12:00:00Z`)}</th>
                      <td className="text-end">{format.number(week.new)}</td>
                      <td className="text-end">{format.number(week.closed + week.cancelled)}</td>
                      <td className="text-end">{format.number(week.stalled)}</td>
                      <td>
                        <Bar value={week.stalled} max={trendMax} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </section>

        <section aria-labelledby="plan-time-heading" className="col-12 col-xl-5 mb-5">
          <h2 id="plan-time-heading" className="h4">
            {t('dashboard.planTimeTitle')}
          </h2>
          <p>{t('dashboard.planTimeIntro')}</p>
          {planTime.isError ? <ProblemAlert error={planTime.error} /> : null}
          {planTime.data && planTime.data.items.length === 0 ? <p>{t('dashboard.noPlans')}</p> : null}
          {planTime.data && planTime.data.items.length > 0 ? (
            <table className="table table-sm">
              <caption className="visually-hidden">{t('dashboard.planTimeTitle')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('area.label')}</th>
                  <th scope="col" className="text-end">
                    {t('dashboard.plans')}
                  </th>
                  <th scope="col" className="text-end">
                    {t('dashboard.medianDays')}
                  </th>
                  <th scope="col" className="text-end">
                    {t('dashboard.p90Days')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {planTime.data.items.map((row) => (
                  <tr key={row.areaId}>
                    <th scope="row">{format.area(row.areaId)}</th>
                    <td className="text-end">{format.number(row.plans)}</td>
                    <td className="text-end">{format.decimal(row.medianDays)}</td>
                    <td className="text-end">{format.decimal(row.p90Days)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      </div>
    </>
  );
}
