/**
 * Pathways and their versions: each published or retired version (view, diff with the previous
 * one, start a case), the open draft (edit) or a button to open one, migrations, and a form for a
 * brand-new pathway.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { mayChangePathway } from '../../../../domain/pathway-ownership';
import { api, unwrap, type Schemas } from '../../api/client';
import { ProblemError } from '../../api/problem';
import { useSession } from '../../auth/session';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { Breadcrumb, OpenDraftButton, ScrollRegion, VersionBadge, formatDateTime } from './common';
import { localized, newPathwayDocument } from './model';

export default function PathwayListPage() {
  const { t } = useTranslation('coordinator');
  const { hasRole, actor } = useSession();
  const pathways = useQuery({ queryKey: ['pathways'], queryFn: () => unwrap(api.GET('/pathways')) });
  const canEdit = hasRole('coordinator');
  // The API's own rule: a coordinator changes the pathways of their own areas; regional ones are the admins'.
  const mayChange = (pathway: Schemas['PathwaySummary']) => mayChangePathway(actor, { areaId: pathway.ownerArea });
  return (
    <>
      <Breadcrumb items={[{ label: t('list.title') }]} />
      <h1 className="h3">{t('list.title')}</h1>
      <p>{t('list.intro')}</p>
      {pathways.isPending ? <PageLoading /> : null}
      {pathways.isError ? <ProblemAlert error={pathways.error} /> : null}
      {pathways.data?.items.length === 0 ? <p>{t('list.empty')}</p> : null}
      {pathways.data?.items.map((pathway) => <PathwayCard key={pathway.key} pathway={pathway} canEdit={mayChange(pathway)} />)}
      {canEdit ? <NewPathwayForm /> : null}
    </>
  );
}

function PathwayCard({ pathway, canEdit }: { pathway: Schemas['PathwaySummary']; canEdit: boolean }) {
  const { t, i18n } = useTranslation('coordinator');
  const versions = useQuery({
    queryKey: ['pathways', pathway.key, 'versions'],
    queryFn: () => unwrap(api.GET('/pathways/{key}/versions', { params: { path: { key: pathway.key } } })),
  });
  const headingId = `pw-card-${pathway.key}`;
  const items = versions.data?.items ?? [];
  return (
    <section className="card-wrapper mb-4" aria-labelledby={headingId} data-testid={`pathway-${pathway.key}`}>
      <div className="card shadow-sm border">
        <div className="card-body">
          <h2 className="h4 card-title" id={headingId}>
            {localized(pathway.title, i18n.language)}
          </h2>
          <p className="mb-2">
            <code>{pathway.key}</code>
            {pathway.currentVersion !== null ? ` · ${t('list.currentVersion', { version: pathway.currentVersion })}` : ` · ${t('list.noCurrentVersion')}`}
            {` · ${pathway.ownerArea === null ? t('list.regional') : t('list.ownedBy', { area: pathway.ownerArea })}`}
          </p>
          {versions.isError ? <ProblemAlert error={versions.error} /> : null}
          <ScrollRegion label={t('list.versionsCaption', { title: localized(pathway.title, i18n.language) })}>
            <table className="table table-dense">
              <caption className="visually-hidden">{t('list.versionsCaption', { title: localized(pathway.title, i18n.language) })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('list.version')}</th>
                  <th scope="col">{t('list.status')}</th>
                  <th scope="col">{t('list.when')}</th>
                  <th scope="col">{t('list.who')}</th>
                  <th scope="col">{t('list.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {pathway.hasDraft ? (
                  <tr>
                    <th scope="row">{t('list.draft')}</th>
                    <td>
                      <VersionBadge status="draft" />
                    </td>
                    <td>{formatDateTime(pathway.draftUpdatedAt, i18n.language)}</td>
                    <td>—</td>
                    <td>
                      <div className="d-flex flex-wrap gap-2">
                        {canEdit ? (
                          <Link className="btn btn-primary btn-sm" to={`/console/pathways/${pathway.key}/draft`}>
                            {t('list.editDraft')}
                          </Link>
                        ) : null}
                        {canEdit && items.length > 0 ? (
                          <Link className="btn btn-outline-primary btn-sm" to={`/console/pathways/${pathway.key}/diff?from=${items[0].version}&to=draft`}>
                            {t('list.diffDraft', { version: items[0].version })}
                          </Link>
                        ) : null}
                      </div>
                    </td>
                  </tr>
                ) : null}
                {items.map((version, index) => {
                  const previous = items[index + 1];
                  return (
                    <tr key={version.version}>
                      <th scope="row">{t('list.versionNumber', { version: version.version })}</th>
                      <td>
                        <VersionBadge status={version.status} />
                      </td>
                      <td>{formatDateTime(version.retiredAt ?? version.publishedAt, i18n.language)}</td>
                      <td>{version.retiredBy ?? version.publishedBy}</td>
                      <td>
                        <div className="d-flex flex-wrap gap-2">
                          <Link className="btn btn-outline-primary btn-sm" to={`/console/pathways/${pathway.key}/versions/${version.version}`}>
                            {t('list.view')}
                            <span className="visually-hidden"> {t('list.versionNumber', { version: version.version })}</span>
                          </Link>
                          {previous ? (
                            <Link className="btn btn-outline-primary btn-sm" to={`/console/pathways/${pathway.key}/diff?from=${previous.version}&to=${version.version}`}>
                              {t('list.diffWith', { from: previous.version, to: version.version })}
                            </Link>
                          ) : null}
                          {version.status === 'published' ? (
                            <Link className="btn btn-outline-primary btn-sm" to={`/console/cases/new?pathway=${encodeURIComponent(pathway.key)}&version=${version.version}`}>
                              {t('list.startCase')}
                              <span className="visually-hidden"> {t('list.versionNumber', { version: version.version })}</span>
                            </Link>
                          ) : null}
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </ScrollRegion>
          {canEdit ? (
            <div className="d-flex flex-wrap gap-2">
              {!pathway.hasDraft && items.length > 0 ? <OpenDraftButton pathwayKey={pathway.key} version={items[0].version} /> : null}
              {items.filter((version) => version.status === 'published').length > 0 && items.length > 1 ? (
                <Link className="btn btn-outline-primary" to={`/console/pathways/${pathway.key}/migrations`}>
                  {t('list.migrate')}
                </Link>
              ) : null}
            </div>
          ) : null}
        </div>
      </div>
    </section>
  );
}

function NewPathwayForm() {
  const { t } = useTranslation('coordinator');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [key, setKey] = useState('');
  const [title, setTitle] = useState('');
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/pathways', { body: newPathwayDocument(key.trim(), title.trim()) as unknown as Record<string, unknown> })),
    onSuccess: async (draft) => {
      await queryClient.invalidateQueries({ queryKey: ['pathways'] });
      void navigate(`/console/pathways/${draft.key}/draft`);
    },
  });
  const errors = create.error instanceof ProblemError ? create.error.fieldErrors : {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="pw-new-heading" className="mt-5">
      <h2 className="h4" id="pw-new-heading">
        {t('list.newTitle')}
      </h2>
      <p>{t('list.newIntro')}</p>
      <form onSubmit={submit} noValidate className="row g-3 align-items-start">
        <div className="col-md-4">
          <label className="form-label fw-semibold" htmlFor="pw-new-key">
            {t('list.newKey')}
          </label>
          <input
            id="pw-new-key"
            type="text"
            className={`form-control${errors.key ? ' is-invalid' : ''}`}
            value={key}
            required
            aria-describedby="pw-new-key-hint pw-new-key-error"
            aria-invalid={errors.key ? true : undefined}
            onChange={(event) => setKey(event.target.value)}
          />
          <small id="pw-new-key-hint" className="form-text d-block">
            {t('list.newKeyHint')}
          </small>
          <div id="pw-new-key-error" className="invalid-feedback d-block">
            {errors.key ? `⚠ ${errors.key}` : null}
          </div>
        </div>
        <div className="col-md-5">
          <label className="form-label fw-semibold" htmlFor="pw-new-title">
            {t('list.newTitleLabel')}
          </label>
          <input
            id="pw-new-title"
            type="text"
            className={`form-control${errors['title.it'] ? ' is-invalid' : ''}`}
            value={title}
            required
            aria-describedby="pw-new-title-error"
            aria-invalid={errors['title.it'] ? true : undefined}
            onChange={(event) => setTitle(event.target.value)}
          />
          <div id="pw-new-title-error" className="invalid-feedback d-block">
            {errors['title.it'] ? `⚠ ${errors['title.it']}` : null}
          </div>
        </div>
        <div className="col-md-3 pt-md-4">
          <button type="submit" className="btn btn-primary mt-md-2" disabled={create.isPending}>
            {t('list.newSubmit')}
          </button>
        </div>
      </form>
      {create.isError && Object.keys(errors).length === 0 ? <ProblemAlert error={create.error} /> : null}
    </section>
  );
}
