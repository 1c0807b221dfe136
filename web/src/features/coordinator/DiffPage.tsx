/**
 * Side-by-side diff of two versions of a pathway (or of a version and the open draft): the
 * pathway's own properties, then per step whether it was added, removed or changed, with each
 * changed property's old and new value side by side.
 */
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { Breadcrumb, ScrollRegion } from './common';
import { diffDefinitions, localized, type DefinitionDoc, type PropertyChange } from './model';

type Side = number | 'draft';

const parseSide = (value: string | null): Side | undefined => (value === 'draft' ? 'draft' : value && /^\d+$/.test(value) ? Number(value) : undefined);

async function definitionOf(key: string, side: Side): Promise<DefinitionDoc> {
  if (side === 'draft') {
    const draft = await unwrap(api.GET('/pathways/{key}/draft', { params: { path: { key } } }));
    return draft.document as unknown as DefinitionDoc;
  }
  const version = await unwrap(api.GET('/pathways/{key}/versions/{version}', { params: { path: { key, version: side } } }));
  return version.definition as unknown as DefinitionDoc;
}

export default function DiffPage() {
  const { key = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const { t, i18n } = useTranslation('coordinator');
  const versions = useQuery({
    queryKey: ['pathways', key, 'versions'],
    queryFn: () => unwrap(api.GET('/pathways/{key}/versions', { params: { path: { key } } })),
  });
  const latest = versions.data?.items[0]?.version;
  const to: Side | undefined = parseSide(search.get('to')) ?? latest;
  const from: Side | undefined = parseSide(search.get('from')) ?? (to === 'draft' ? latest : typeof to === 'number' && to > 1 ? to - 1 : undefined);
  const diff = useQuery({
    queryKey: ['pathway-diff', key, from, to],
    enabled: from !== undefined && to !== undefined,
    // A draft side changes while it is edited elsewhere in the console.
    staleTime: from === 'draft' || to === 'draft' ? 0 : Infinity,
    queryFn: async () => {
      const [before, after] = await Promise.all([definitionOf(key, from!), definitionOf(key, to!)]);
      return { before, after, diff: diffDefinitions(before, after) };
    },
  });
  const sideLabel = (side: Side | undefined) => (side === 'draft' ? t('list.draft') : side === undefined ? '—' : t('list.versionNumber', { version: side }));
  const options: { value: string; label: string }[] = [
    { value: 'draft', label: t('list.draft') },
    ...(versions.data?.items ?? []).map((item) => ({ value: String(item.version), label: `${t('list.versionNumber', { version: item.version })} (${t(`status.${item.status}`)})` })),
  ];
  const title = diff.data ? localized(diff.data.after.title, i18n.language) : key;
  const counts = diff.data
    ? {
        added: diff.data.diff.steps.filter((step) => step.status === 'added').length,
        removed: diff.data.diff.steps.filter((step) => step.status === 'removed').length,
        changed: diff.data.diff.steps.filter((step) => step.status === 'changed').length,
      }
    : null;

  return (
    <>
      <Breadcrumb items={[{ to: '/console/pathways', label: t('list.title') }, { label: title }, { label: t('diff.breadcrumb') }]} />
      <h1 className="h3">{t('diff.title', { title })}</h1>
      <form className="row g-3 mb-3" onSubmit={(event) => event.preventDefault()}>
        <div className="col-sm-6 col-md-4">
          <label className="form-label fw-semibold" htmlFor="pw-diff-from">
            {t('diff.from')}
          </label>
          <select id="pw-diff-from" className="form-select" value={from === undefined ? '' : String(from)} onChange={(event) => setSearch({ from: event.target.value, to: String(to ?? '') })}>
            {from === undefined ? <option value="">—</option> : null}
            {options.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <div className="col-sm-6 col-md-4">
          <label className="form-label fw-semibold" htmlFor="pw-diff-to">
            {t('diff.to')}
          </label>
          <select id="pw-diff-to" className="form-select" value={to === undefined ? '' : String(to)} onChange={(event) => setSearch({ from: String(from ?? ''), to: event.target.value })}>
            {to === undefined ? <option value="">—</option> : null}
            {options.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
      </form>
      {versions.isError ? <ProblemAlert error={versions.error} /> : null}
      {from === undefined || to === undefined ? <p>{t('diff.choose')}</p> : null}
      {diff.isLoading ? <PageLoading /> : null}
      {diff.isError ? <ProblemAlert error={diff.error} /> : null}
      <div aria-live="polite">
        {diff.data && counts ? (
          <>
            <p data-testid="diff-summary">
              {t('diff.summary', { from: sideLabel(from), to: sideLabel(to) })}{' '}
              <span className="badge bg-success me-1">{t('diff.added', { count: counts.added })}</span>
              <span className="badge bg-danger me-1">{t('diff.removed', { count: counts.removed })}</span>
              <span className="badge bg-primary">{t('diff.changed', { count: counts.changed })}</span>
            </p>
            {diff.data.diff.pathway.length === 0 && diff.data.diff.steps.length === 0 ? <p>{t('diff.same')}</p> : null}
            {diff.data.diff.pathway.length > 0 ? (
              <section className="mb-4">
                <h2 className="h4">{t('diff.pathway')}</h2>
                <ChangesTable changes={diff.data.diff.pathway} fromLabel={sideLabel(from)} toLabel={sideLabel(to)} caption={t('diff.pathway')} />
              </section>
            ) : null}
            {diff.data.diff.steps.length > 0 ? <h2 className="h4">{t('diff.steps')}</h2> : null}
            {diff.data.diff.steps.map((step) => {
              const stepTitle = localized(step.titleAfter ?? step.titleBefore, i18n.language) || step.stepId;
              const colour = step.status === 'added' ? 'bg-success' : step.status === 'removed' ? 'bg-danger' : 'bg-primary';
              return (
                <section key={step.stepId} className="mb-4 border rounded p-3" data-testid={`diff-step-${step.stepId}`}>
                  <h3 className="h5">
                    {stepTitle} <code className="small">{step.stepId}</code> <span className={`badge ${colour}`}>{t(`diff.status.${step.status}`)}</span>
                  </h3>
                  <ChangesTable changes={step.changes} fromLabel={sideLabel(from)} toLabel={sideLabel(to)} caption={t('diff.stepCaption', { step: stepTitle })} />
                </section>
              );
            })}
          </>
        ) : null}
      </div>
    </>
  );
}

/** A flattened value as a person reads it: text without JSON quotes, the rest as written. */
function shown(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    return JSON.parse(value) as string;
  } catch {
    return value;
  }
}

function ChangesTable({ changes, fromLabel, toLabel, caption }: { changes: PropertyChange[]; fromLabel: string; toLabel: string; caption: string }) {
  const { t } = useTranslation('coordinator');
  const captionId = useId();
  return (
    <ScrollRegion label={caption}>
      <table className="table table-dense">
        <caption id={captionId} className="visually-hidden">
          {caption}
        </caption>
        <thead>
          <tr>
            <th scope="col" style={{ width: '30%' }}>
              {t('diff.property')}
            </th>
            <th scope="col" style={{ width: '35%' }}>
              {fromLabel}
            </th>
            <th scope="col" style={{ width: '35%' }}>
              {toLabel}
            </th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={change.property}>
              <th scope="row" className="fw-normal">
                <code>{change.property}</code>
              </th>
              <td className="text-break">{change.before === null ? <em>{t('diff.absent')}</em> : <del>{shown(change.before)}</del>}</td>
              <td className="text-break">{change.after === null ? <em>{t('diff.absent')}</em> : <ins>{shown(change.after)}</ins>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
