/**
 * Record a first contact = start a case (`/console/cases/new`): a published pathway and version
 * (the newest by default; `?pathway=<key>&version=<n>` preselects, as the coordinator's "start a
 * case on this version" link does), one of the person's areas, and the pathway's start data
 * (never identity: that belongs to the intake interview). The request carries an Idempotency-Key
 * that changes only when the form does, so a double click or a retry starts one case.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { ProblemError } from '../../api/problem';
import { useSession } from '../../auth/session';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { localized, usePathwayVersion } from '../cases/format';
import { Breadcrumb } from '../../components/Breadcrumb';
import { emptyValues, serverFieldProblems, toApiData, validateValues, withoutFixedErrors, type FieldProblem, type FormValues } from './form-values';
import { inboxQueryKey } from './query-keys';
import { StepFormFields, useProblemText } from './StepForm';

function newKey(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export default function StartCasePage() {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  const { actor } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const problemText = useProblemText();
  const [params] = useSearchParams();
  const [chosenPathway, setPathwayKey] = useState(params.get('pathway') ?? '');
  const requestedVersion = Number(params.get('version'));
  const [requested, setVersion] = useState<number | null>(Number.isInteger(requestedVersion) && requestedVersion > 0 ? requestedVersion : null);
  const [areaId, setAreaId] = useState(actor.areas[0] ?? '');
  // From the person search: the case is about a person already known (their personId), not a new one.
  const personId = params.get('personId');
  const [form, setForm] = useState<{ of: string; values: FormValues } | null>(null);
  const [errors, setErrors] = useState<Record<string, FieldProblem | string>>({});
  const idempotencyKey = useRef(newKey());
  const summaryRef = useRef<HTMLDivElement>(null);

  const pathways = useQuery({ queryKey: ['pathways'], staleTime: 60_000, queryFn: () => unwrap(api.GET('/pathways')) });
  const published = (pathways.data?.items ?? []).filter((pathway) => pathway.currentVersion !== null);
  // The only published pathway is preselected.
  const pathwayKey = chosenPathway || (published.length === 1 ? published[0].key : '');
  const versions = useQuery({
    queryKey: ['pathway-versions', pathwayKey],
    enabled: pathwayKey !== '',
    queryFn: () => unwrap(api.GET('/pathways/{key}/versions', { params: { path: { key: pathwayKey } } })),
  });
  const openVersions = (versions.data?.items ?? []).filter((item) => item.status === 'published');
  const latest = published.find((pathway) => pathway.key === pathwayKey)?.currentVersion ?? null;
  // A link may name a version that is retired or unknown: the newest one is offered instead, with a notice.
  const unavailableVersion = requested !== null && versions.isSuccess && !openVersions.some((item) => item.version === requested) ? requested : null;
  const version = unavailableVersion === null ? requested : null;
  const chosenVersion = version ?? latest;
  const definition = usePathwayVersion(pathwayKey || null, chosenVersion);
  const fields = definition.data?.definition.caseFields ?? [];
  // The start data belong to one pathway version: another version starts from empty values.
  const formOf = `${pathwayKey}@${chosenVersion ?? ''}`;
  const values = form?.of === formOf ? form.values : emptyValues(fields);

  function changed() {
    // A different request needs a different key (the API refuses a key reused with another body).
    idempotencyKey.current = newKey();
  }

  const start = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/cases', {
          params: { header: { 'idempotency-key': idempotencyKey.current } },
          body: { pathwayKey, ...(version !== null ? { version } : {}), areaId, data: toApiData(fields, values), ...(personId ? { personId } : {}) },
        }),
      ),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: inboxQueryKey });
      void navigate(`/console/cases/${created.caseId}`, { state: { flash: t('start.started', { reference: created.reference }) } });
    },
    onError: (error) => {
      if (error instanceof ProblemError) setErrors(serverFieldProblems(error.fieldErrors).byField);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const problems = validateValues(fields, values);
    setErrors(problems);
    if (Object.keys(problems).length > 0) {
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    start.mutate();
  }

  const fieldMessages = Object.fromEntries(Object.entries(errors).map(([key, problem]) => [key, problemText(problem)]));
  const serverFieldErrors = start.error instanceof ProblemError ? start.error.fieldErrors : {};
  const errorCount = Object.keys(errors).length;

  return (
    <>
      <Breadcrumb items={[{ label: t('breadcrumb.inbox'), to: '/console/inbox' }, { label: t('start.title') }]} />
      <h1 className="h2">{t('start.title')}</h1>
      {personId && (
        <div className="alert alert-info" role="status" data-testid="known-person">
          {t('persons.knownPerson')}
        </div>
      )}
      <p>{t('start.intro')}</p>
      {pathways.isPending ? <PageLoading /> : null}
      {pathways.isError ? <ProblemAlert error={pathways.error} /> : null}
      {pathways.isSuccess && published.length === 0 ? <p className="alert alert-info">{t('start.noPathways')}</p> : null}
      {pathways.isSuccess && published.length > 0 ? (
        <form noValidate onSubmit={submit} data-testid="start-case-form" className="col-12 col-lg-8">
          <div ref={summaryRef} tabIndex={-1} aria-live="assertive">
            {errorCount > 0 ? (
              <div className="alert alert-danger" data-testid="form-errors">
                {t('task.errorsSummary', { count: errorCount })}
              </div>
            ) : null}
          </div>
          {start.isError && errorCount === 0 ? <ProblemAlert error={start.error} /> : null}
          <div className="row g-3 mb-4">
            <div className="col-12 col-md-6">
              <label htmlFor="start-pathway" className="form-label fw-semibold">
                {t('start.pathway')}
                <span aria-hidden="true"> *</span>
              </label>
              <select
                id="start-pathway"
                className={`form-select${serverFieldErrors.pathwayKey ? ' is-invalid' : ''}`}
                required
                value={pathwayKey}
                onChange={(event) => {
                  setPathwayKey(event.target.value);
                  setVersion(null);
                  setErrors({});
                  changed();
                }}
              >
                <option value="">{t('start.choosePathway')}</option>
                {published.map((pathway) => (
                  <option key={pathway.key} value={pathway.key}>
                    {localized(pathway.title, language)}
                  </option>
                ))}
              </select>
              {serverFieldErrors.pathwayKey ? <span className="invalid-feedback d-block">{serverFieldErrors.pathwayKey}</span> : null}
            </div>
            <div className="col-6 col-md-3">
              <label htmlFor="start-version" className="form-label fw-semibold">
                {t('start.version')}
              </label>
              <select
                id="start-version"
                className={`form-select${serverFieldErrors.version ? ' is-invalid' : ''}`}
                value={chosenVersion ?? ''}
                disabled={!pathwayKey}
                onChange={(event) => {
                  setVersion(Number(event.target.value) || null);
                  setErrors({});
                  changed();
                }}
              >
                {openVersions.length === 0 && chosenVersion !== null ? <option value={chosenVersion}>{t('start.versionLabel', { version: chosenVersion })}</option> : null}
                {openVersions.map((item) => (
                  <option key={item.version} value={item.version}>
                    {t('start.versionLabel', { version: item.version })}
                    {item.version === latest ? ` ${t('start.latest')}` : ''}
                  </option>
                ))}
              </select>
              {serverFieldErrors.version ? <span className="invalid-feedback d-block">{serverFieldErrors.version}</span> : null}
            </div>
            <div className="col-6 col-md-3">
              <label htmlFor="start-area" className="form-label fw-semibold">
                {t('start.area')}
                <span aria-hidden="true"> *</span>
              </label>
              <select
                id="start-area"
                className="form-select"
                required
                value={areaId}
                onChange={(event) => {
                  setAreaId(event.target.value);
                  changed();
                }}
              >
                {actor.areas.map((area) => (
                  <option key={area} value={area}>
                    {t(`areas.${area}`, { defaultValue: area })}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {unavailableVersion !== null ? (
            <p className="alert alert-warning" data-testid="version-unavailable">
              {t('start.versionUnavailable', { version: unavailableVersion })}
            </p>
          ) : null}
          {definition.isError ? <ProblemAlert error={definition.error} /> : null}
          {fields.length > 0 ? (
            <fieldset className="mb-3">
              <legend className="h5 px-0">{t('start.caseData')}</legend>
              <p className="small">{t('task.requiredLegend')}</p>
              <StepFormFields
                idPrefix="case-field"
                fields={fields}
                values={values}
                errors={fieldMessages}
                disabled={start.isPending}
                onChange={(next, changedKey) => {
                  setForm({ of: formOf, values: next });
                  setErrors((current) => withoutFixedErrors(current, changedKey));
                  changed();
                }}
              />
            </fieldset>
          ) : null}
          <button type="submit" className="btn btn-primary" disabled={start.isPending || !pathwayKey || !areaId || definition.isPending}>
            {start.isPending ? t('start.submitting') : t('start.submit')}
          </button>
        </form>
      ) : null}
    </>
  );
}
