/**
 * One published or retired version, read-only: its graph, its steps (who, deadline, form, where
 * next), and links to start a case on it, compare it and migrate cases to it.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { Breadcrumb, ScrollRegion, VersionBadge, formatDateTime } from './common';
import { graphEdges, localized, orderedStepIds, type DefinitionDoc, type Duration, type StepDoc } from './model';

const PathwayGraph = lazy(() => import('./PathwayGraph'));

/** "5 working days" in the current language. */
export function useDurationText(): (duration: Duration | undefined) => string {
  const { t } = useTranslation('coordinator');
  return (duration) => (duration ? t(`durations.${duration.unit}`, { count: duration.amount }) : '—');
}

export default function VersionPage() {
  const { key = '', version = '' } = useParams();
  const [search] = useSearchParams();
  const { t, i18n } = useTranslation('coordinator');
  const { hasRole } = useSession();
  const durationText = useDurationText();
  const number = Number(version);
  const found = useQuery({
    queryKey: ['pathways', key, 'versions', number],
    queryFn: () => unwrap(api.GET('/pathways/{key}/versions/{version}', { params: { path: { key, version: number } } })),
  });
  if (found.isPending) return <PageLoading />;
  if (found.isError) {
    return (
      <>
        <Breadcrumb items={[{ to: '/console/pathways', label: t('list.title') }, { label: key }]} />
        <h1 className="h3">{t('version.title', { title: key, version })}</h1>
        <ProblemAlert error={found.error} />
      </>
    );
  }
  const data = found.data;
  const doc = data.definition as unknown as DefinitionDoc;
  const title = localized(doc.title, i18n.language);
  const edges = graphEdges(doc, i18n.language);
  const stepTitle = (id: string) => localized(doc.steps[id]?.title, i18n.language) || id;
  return (
    <>
      <Breadcrumb items={[{ to: '/console/pathways', label: t('list.title') }, { label: title }, { label: t('list.versionNumber', { version: data.version }) }]} />
      <h1 className="h3">{t('version.title', { title, version: data.version })}</h1>
      <div aria-live="polite">
        {search.get('published') ? (
          <div className="alert alert-success" role="status" data-testid="published-message">
            {t('version.published', { version: data.version })}
          </div>
        ) : null}
      </div>
      <p>
        <VersionBadge status={data.status} /> {t('version.publishedBy', { who: data.publishedBy, when: formatDateTime(data.publishedAt, i18n.language) })}
        {data.retiredAt ? ` · ${t('version.retiredBy', { who: data.retiredBy ?? '', when: formatDateTime(data.retiredAt, i18n.language) })}` : ''}
      </p>
      {doc.description ? <p>{localized(doc.description, i18n.language)}</p> : null}
      <div className="d-flex flex-wrap gap-2 mb-4">
        {data.status === 'published' ? (
          <Link className="btn btn-primary" to={`/console/cases/new?pathway=${encodeURIComponent(key)}&version=${data.version}`} data-testid="start-case-link">
            {t('version.startCase', { version: data.version })}
          </Link>
        ) : null}
        {data.version > 1 ? (
          <Link className="btn btn-outline-primary" to={`/console/pathways/${key}/diff?from=${data.version - 1}&to=${data.version}`}>
            {t('list.diffWith', { from: data.version - 1, to: data.version })}
          </Link>
        ) : null}
        {hasRole('coordinator') && data.status === 'published' ? <RetireButton pathwayKey={key} version={data.version} /> : null}
        {hasRole('coordinator') && data.version > 1 ? (
          <Link className="btn btn-outline-primary" to={`/console/pathways/${key}/migrations?to=${data.version}`}>
            {t('list.migrate')}
          </Link>
        ) : null}
      </div>

      <h2 className="h4">{t('graph.title')}</h2>
      <Suspense fallback={<PageLoading />}>
        <PathwayGraph doc={doc} height={800} />
      </Suspense>

      <h2 className="h4">{t('version.steps')}</h2>
      <ScrollRegion label={t('version.stepsCaption')}>
        <table className="table table-dense">
          <caption className="visually-hidden">{t('version.stepsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('version.step')}</th>
              <th scope="col">{t('version.kind')}</th>
              <th scope="col">{t('version.who')}</th>
              <th scope="col">{t('version.deadline')}</th>
              <th scope="col">{t('version.fields')}</th>
              <th scope="col">{t('version.next')}</th>
            </tr>
          </thead>
          <tbody>
            {orderedStepIds(doc).map((id) => [id, doc.steps[id]] as [string, StepDoc]).map(([id, step]) => (
              <tr key={id}>
                <th scope="row">
                  {stepTitle(id)}
                  <span className="d-block small fw-normal">
                    <code>{id}</code>
                    {doc.start === id ? ` · ${t('editor.startMarker')}` : ''}
                  </span>
                </th>
                <td>{t(`kinds.${step.kind}`)}</td>
                <td>
                  {step.assignee ? `${step.assignee.service} · ${t(`common:roles.${step.assignee.role ?? 'operator'}`)}` : step.to ? `${step.from ?? ''} → ${step.to.service}` : '—'}
                </td>
                <td>
                  {step.deadline ? durationText(step.deadline) : '—'}
                  {step.reminders && step.reminders.length > 0 ? <span className="d-block small">{t('version.reminders', { count: step.reminders.length })}</span> : null}
                  {step.escalation && step.escalation.length > 0 ? <span className="d-block small">{t('version.levels', { count: step.escalation.length })}</span> : null}
                </td>
                <td>{step.form?.fields?.length ? step.form.fields.map((field) => field.key).join(', ') : '—'}</td>
                <td>
                  {edges
                    .filter((edge) => edge.from === id)
                    .map((edge, index) => (
                      <span key={index} className="d-block">
                        → {stepTitle(edge.to)}
                        {edge.label ? ` (${edge.label})` : edge.kind !== 'next' ? ` (${t(`graph.edgeKinds.${edge.kind}`)})` : ''}
                      </span>
                    ))}
                  {step.kind === 'end' ? `${t('version.outcome')}: ${step.outcome ?? ''}` : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </>
  );
}

/** Retires a version after a confirmation: no new case starts on it; running cases continue. */
function RetireButton({ pathwayKey, version }: { pathwayKey: string; version: number }) {
  const { t } = useTranslation('coordinator');
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState(false);
  const retire = useMutation({
    mutationFn: () => unwrap(api.POST('/pathways/{key}/versions/{version}/retire', { params: { path: { key: pathwayKey, version } } })),
    onSuccess: async () => {
      setAsking(false);
      await queryClient.invalidateQueries({ queryKey: ['pathways'] });
    },
  });
  if (!asking) {
    return (
      <button type="button" className="btn btn-outline-danger" onClick={() => setAsking(true)}>
        {t('version.retire')}
      </button>
    );
  }
  return (
    <div className="alert alert-warning w-100" role="alertdialog" aria-labelledby="pw-retire-text">
      <p id="pw-retire-text">{t('version.retireConfirm', { version })}</p>
      <div className="d-flex gap-2">
        <button type="button" className="btn btn-danger" disabled={retire.isPending} onClick={() => retire.mutate()} autoFocus>
          {t('version.retireYes')}
        </button>
        <button type="button" className="btn btn-outline-secondary" onClick={() => setAsking(false)}>
          {t('common:cancel')}
        </button>
      </div>
      {retire.isError ? <ProblemAlert error={retire.error} /> : null}
    </div>
  );
}
