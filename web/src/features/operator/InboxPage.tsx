/**
 * The operator's inbox (`/console/inbox`): my tasks and my service's unassigned tasks in my areas,
 * soonest deadline first (the API's order), with overdue and escalation badges in text, filters
 * kept in the address (area, step, assignment, status, overdue only) and cursor paging. The list
 * is one request; step titles come from the pathway versions, immutable and cached for the session,
 * so only a first visit waits for them. Rows show the person's short alias to those the API gives it
 * (so identical rows become recognisable). Below 992 px area and service fold under the step and the
 * assignee under the status, so the table fits a tablet at 768 px without scrolling sideways.
 */
import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import type { paths } from '../../api/schema';
import { useSession } from '../../auth/session';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { TaskStatusBadge, UrgencyBadges } from '../cases/badges';
import { formatDateTime, localized, stepTitle, type LocalizedText, type PathwayDefinition } from '../cases/format';
import { FlashMessage } from './FlashMessage';
import { inboxQueryKey } from './query-keys';

type Task = Schemas['Task'];
type TaskQuery = NonNullable<paths['/tasks']['get']['parameters']['query']>;
type View = 'mineAndUnassigned' | 'mine' | 'unassigned' | 'all';
const views: View[] = ['mineAndUnassigned', 'mine', 'unassigned', 'all'];
const pageSize = 25;

/** Definitions of these pathway versions loaded so far, and those still loading, by `key@version`. */
function usePathwayDefinitions(pairs: Array<{ key: string; version: number }>): { definitions: Map<string, PathwayDefinition>; loading: Set<string> } {
  return useQueries({
    queries: pairs.map(({ key, version }) => ({
      queryKey: ['pathway-version', key, version],
      staleTime: Infinity,
      gcTime: Infinity,
      queryFn: () => unwrap(api.GET('/pathways/{key}/versions/{version}', { params: { path: { key, version } } })),
    })),
    combine: (results) => ({
      definitions: new Map(results.flatMap((result) => (result.data ? [[`${result.data.key}@${result.data.version}`, result.data.definition] as const] : []))),
      loading: new Set(pairs.filter((_pair, index) => results[index]?.isPending).map((pair) => `${pair.key}@${pair.version}`)),
    }),
  });
}

export default function InboxPage() {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  const { actor } = useSession();
  const [params, setParams] = useSearchParams();
  // Page cursors belong to the filters they were read with: other filters (also by back/forward) start at page one.
  const filterKey = params.toString();
  const [paging, setPaging] = useState<{ filterKey: string; cursors: string[] }>({ filterKey, cursors: [] });
  const cursors = paging.filterKey === filterKey ? paging.cursors : [];
  const setCursors = (next: string[]) => setPaging({ filterKey, cursors: next });

  const areaId = params.get('area') ?? '';
  const stepId = params.get('step') ?? '';
  const view: View = views.includes(params.get('view') as View) ? (params.get('view') as View) : 'mineAndUnassigned';
  const status = params.get('status') === 'completed' ? 'completed' : 'open';
  const overdue = params.get('overdue') === 'true';
  const cursor = cursors[cursors.length - 1];

  const query: TaskQuery = {
    limit: pageSize,
    ...(areaId ? { areaId } : {}),
    ...(stepId ? { stepId } : {}),
    ...(view === 'mine' ? { assignee: 'me' } : view === 'unassigned' ? { assignee: 'unassigned' } : view === 'mineAndUnassigned' ? { assignee: 'me-or-unassigned' } : {}),
    ...(status === 'completed' ? { status: 'completed' } : {}),
    ...(overdue ? { overdue: 'true' } : {}),
    ...(cursor ? { cursor } : {}),
  };
  const tasks = useQuery({
    queryKey: [...inboxQueryKey, query],
    queryFn: () => unwrap(api.GET('/tasks', { params: { query } })),
    placeholderData: keepPreviousData,
  });

  // Step filter options: task steps of every pathway's current version (cached, not on the list's path).
  const pathways = useQuery({ queryKey: ['pathways'], staleTime: 60_000, queryFn: () => unwrap(api.GET('/pathways')) });
  const rowPairs = useMemo(() => {
    const seen = new Map<string, { key: string; version: number }>();
    for (const pathway of pathways.data?.items ?? []) if (pathway.currentVersion) seen.set(`${pathway.key}@${pathway.currentVersion}`, { key: pathway.key, version: pathway.currentVersion });
    for (const task of tasks.data?.items ?? []) if (task.pathwayKey && task.pathwayVersion) seen.set(`${task.pathwayKey}@${task.pathwayVersion}`, { key: task.pathwayKey, version: task.pathwayVersion });
    return [...seen.values()];
  }, [pathways.data, tasks.data]);
  const { definitions, loading } = usePathwayDefinitions(rowPairs);
  // Rows wait for their own step titles rather than flashing step codes; a definition that fails
  // to load leaves the code shown.
  const titlesPending = (tasks.data?.items ?? []).some((task) => loading.has(`${task.pathwayKey}@${task.pathwayVersion}`));
  const loaded = tasks.isSuccess && !titlesPending;
  const stepOptions = useMemo(() => {
    const options = new Map<string, string>();
    for (const definition of definitions.values())
      for (const [id, step] of Object.entries(definition.steps)) if ((step as { kind: string }).kind === 'task' && !options.has(id)) options.set(id, localized((step as { title: LocalizedText }).title, language));
    if (stepId && !options.has(stepId)) options.set(stepId, stepId);
    return [...options.entries()].sort((a, b) => a[1].localeCompare(b[1], language));
  }, [definitions, stepId, language]);

  function setFilter(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setCursors([]);
    setParams(next, { replace: true });
  }

  const rows: Task[] = tasks.data?.items ?? [];
  // The API sends aliases only to the roles that may look people up: the column follows what came.
  const showAlias = rows.some((task) => typeof task.personAlias === 'string');
  const assigneeOf = (task: Task) => (task.assigneeId === null ? t('inbox.unassigned') : task.assigneeId === actor.id ? t('inbox.you') : task.assigneeId);
  const definitionOf = (task: Task) => (task.pathwayKey && task.pathwayVersion ? definitions.get(`${task.pathwayKey}@${task.pathwayVersion}`) : undefined);

  return (
    <>
      <div className="d-flex justify-content-between align-items-start flex-wrap gap-2">
        <h1 className="h2">{t('inbox.title')}</h1>
        <div className="d-flex gap-2 flex-wrap">
          <Link to="/console/cases" className="btn btn-outline-primary">
            {t('search.open')}
          </Link>
          <Link to="/console/cases/new" className="btn btn-primary">
            {t('inbox.startCase')}
          </Link>
        </div>
      </div>
      <p>{t('inbox.intro')}</p>
      <FlashMessage />
      <section aria-labelledby="inbox-filters-title" className="mb-3">
        <h2 className="visually-hidden" id="inbox-filters-title">
          {t('inbox.filters.title')}
        </h2>
        <div className="row g-3 align-items-end">
          <div className="col-12 col-sm-6 col-lg-2">
            <label htmlFor="filter-area" className="form-label fw-semibold">
              {t('inbox.filters.area')}
            </label>
            <select id="filter-area" className="form-select" value={areaId} onChange={(event) => setFilter('area', event.target.value)}>
              <option value="">{t('inbox.filters.allAreas')}</option>
              {actor.areas.map((area) => (
                <option key={area} value={area}>
                  {t(`areas.${area}`, { defaultValue: area })}
                </option>
              ))}
            </select>
          </div>
          <div className="col-12 col-sm-6 col-lg-3">
            <label htmlFor="filter-step" className="form-label fw-semibold">
              {t('inbox.filters.step')}
            </label>
            <select id="filter-step" className="form-select" value={stepId} onChange={(event) => setFilter('step', event.target.value)}>
              <option value="">{t('inbox.filters.allSteps')}</option>
              {stepOptions.map(([id, title]) => (
                <option key={id} value={id}>
                  {title}
                </option>
              ))}
            </select>
          </div>
          <div className="col-12 col-sm-6 col-lg-3">
            <label htmlFor="filter-view" className="form-label fw-semibold">
              {t('inbox.filters.view')}
            </label>
            <select id="filter-view" className="form-select" value={view} onChange={(event) => setFilter('view', event.target.value === 'mineAndUnassigned' ? '' : event.target.value)}>
              {views.map((option) => (
                <option key={option} value={option}>
                  {t(`inbox.filters.views.${option}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="col-12 col-sm-6 col-lg-2">
            <label htmlFor="filter-status" className="form-label fw-semibold">
              {t('inbox.filters.status')}
            </label>
            <select id="filter-status" className="form-select" value={status} onChange={(event) => setFilter('status', event.target.value === 'open' ? '' : event.target.value)}>
              <option value="open">{t('inbox.filters.statuses.open')}</option>
              <option value="completed">{t('inbox.filters.statuses.completed')}</option>
            </select>
          </div>
          <div className="col-12 col-lg-2">
            <div className="form-check mb-2">
              <input id="filter-overdue" type="checkbox" className="form-check-input" checked={overdue} onChange={(event) => setFilter('overdue', event.target.checked ? 'true' : '')} />
              <label htmlFor="filter-overdue" className="form-check-label">
                {t('inbox.filters.overdueOnly')}
              </label>
            </div>
          </div>
        </div>
        {params.toString() ? (
          <button type="button" className="btn btn-link px-0 mt-2" onClick={() => { setCursors([]); setParams(new URLSearchParams(), { replace: true }); }}>
            {t('inbox.filters.reset')}
          </button>
        ) : null}
      </section>

      {tasks.isPending || (tasks.isSuccess && titlesPending) ? <PageLoading /> : null}
      {tasks.isError ? <ProblemAlert error={tasks.error} /> : null}
      <div aria-live="polite">
        {loaded && rows.length === 0 ? (
          <p className="alert alert-info" data-testid="inbox-empty">
            {t('inbox.empty')}
          </p>
        ) : null}
        {loaded && rows.length > 0 ? <p className="small mb-2">{t('inbox.count', { count: rows.length })}</p> : null}
      </div>
      {loaded && rows.length > 0 ? (
        <div className="table-responsive">
          <table className="table table-dense table-hover" data-testid="inbox-table" aria-busy={tasks.isFetching}>
            <caption className="visually-hidden">{t('inbox.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('inbox.columns.step')}</th>
                <th scope="col">{t('inbox.columns.case')}</th>
                {showAlias ? <th scope="col">{t('inbox.columns.person')}</th> : null}
                <th scope="col">{t('inbox.columns.deadline')}</th>
                <th scope="col">{t('inbox.columns.status')}</th>
                <th scope="col" className="d-none d-lg-table-cell">
                  {t('inbox.columns.assignee')}
                </th>
                <th scope="col" className="d-none d-lg-table-cell">
                  {t('inbox.columns.area')}
                </th>
                <th scope="col" className="d-none d-lg-table-cell">
                  {t('inbox.columns.service')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((task) => (
                <tr key={task.taskId} data-testid="inbox-row" data-task-id={task.taskId} data-step-id={task.stepId}>
                  <th scope="row" className="fw-normal">
                    <Link to={`/console/tasks/${task.taskId}`} className="fw-semibold">
                      {stepTitle(definitionOf(task), task.stepId, language)}
                    </Link>
                    <span className="d-block d-lg-none small">
                      {t(`areas.${task.areaId}`, { defaultValue: task.areaId })} · {t(`services.${task.service}`, { defaultValue: task.service })}
                    </span>
                  </th>
                  <td>
                    <Link to={`/console/cases/${task.caseId}`} className="case-reference">
                      {task.caseReference ?? task.caseId.slice(0, 8)}
                    </Link>
                  </td>
                  {showAlias ? <td data-testid="inbox-person">{task.personAlias ?? '—'}</td> : null}
                  <td>
                    <span className="d-block">{task.dueAt ? formatDateTime(task.dueAt, language) : t('inbox.noDeadline')}</span>
                    <UrgencyBadges overdue={task.overdue} escalationLevel={task.escalationLevel} />
                  </td>
                  <td>
                    <TaskStatusBadge status={task.status} />
                    <span className="d-block d-lg-none small">{assigneeOf(task)}</span>
                  </td>
                  <td className="d-none d-lg-table-cell">{assigneeOf(task)}</td>
                  <td className="d-none d-lg-table-cell">{t(`areas.${task.areaId}`, { defaultValue: task.areaId })}</td>
                  <td className="d-none d-lg-table-cell">{t(`services.${task.service}`, { defaultValue: task.service })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {loaded && (cursors.length > 0 || tasks.data.nextCursor) ? (
        <nav aria-label={t('inbox.pagination')} className="d-flex gap-2 align-items-center">
          <button type="button" className="btn btn-outline-primary btn-sm" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
            {t('inbox.previous')}
          </button>
          <span>{t('inbox.page', { page: cursors.length + 1 })}</span>
          <button
            type="button"
            className="btn btn-outline-primary btn-sm"
            disabled={!tasks.data.nextCursor}
            onClick={() => tasks.data.nextCursor && setCursors([...cursors, tasks.data.nextCursor])}
          >
            {t('inbox.next')}
          </button>
        </nav>
      ) : null}
    </>
  );
}
