/**
 * Bulk interventions (absence cover, caseload transfer, a blanket extension): the supervisor picks
 * the tasks by filter, runs the dry run to see exactly what would change and what cannot, then
 * confirms; the change runs as a durable job whose progress and outcome follow. Changing the form
 * after a dry run asks for a new one, so what is confirmed is what was shown.
 */
import { useMutation } from '@tanstack/react-query';
import { Alert, Button } from 'design-react-kit';
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { ProblemError } from '../../api/problem';
import type { paths } from '../../api/schema';
import { ProblemAlert } from '../../components/feedback';
import { StaffSuggestions } from '../../components/staff';
import { useSession } from '../../auth/session';
import { endOfLocalDay, useFormat } from './format';
import { JobProgress } from './JobProgress';
import { SupervisionNav } from './parts';
import { useStepTitles } from './step-titles';

type DryRun = Schemas['BulkDryRun'];
type Action = 'reassign' | 'extend';
type FromMode = 'any' | 'user' | 'queue';
type Filter = { areaId?: string; service?: string; assigneeId?: string | null; stepId?: string; overdue?: boolean };

interface FormState {
  action: Action;
  areaId: string;
  fromMode: FromMode;
  fromUser: string;
  service: string;
  stepId: string;
  overdueOnly: boolean;
  toQueue: boolean;
  toUser: string;
  extendMode: 'by' | 'date';
  amount: string;
  unit: 'workingDays' | 'calendarDays';
  date: string;
  reason: string;
}

function filterOf(form: FormState): Filter {
  return {
    ...(form.areaId ? { areaId: form.areaId } : {}),
    ...(form.service ? { service: form.service } : {}),
    ...(form.fromMode === 'user' ? { assigneeId: form.fromUser.trim() } : form.fromMode === 'queue' ? { assigneeId: null } : {}),
    ...(form.stepId ? { stepId: form.stepId } : {}),
    ...(form.overdueOnly ? { overdue: true } : {}),
  };
}

type BodyOf<P extends '/interventions/bulk-reassign' | '/interventions/bulk-extend'> = NonNullable<paths[P]['post']['requestBody']>['content']['application/json'];
type Request = { path: '/interventions/bulk-reassign'; body: BodyOf<'/interventions/bulk-reassign'> } | { path: '/interventions/bulk-extend'; body: BodyOf<'/interventions/bulk-extend'> };

function requestOf(form: FormState): Request {
  const filter = filterOf(form);
  if (form.action === 'reassign') {
    return { path: '/interventions/bulk-reassign', body: { filter, assigneeId: form.toQueue ? null : form.toUser.trim(), reason: form.reason, dryRun: true } };
  }
  const change = form.extendMode === 'by' ? { by: { amount: Number(form.amount), unit: form.unit } } : { newDueAt: form.date ? endOfLocalDay(form.date) : '' };
  return { path: '/interventions/bulk-extend', body: { filter, ...change, reason: form.reason, dryRun: true } };
}

async function send(request: Request, dryRun: boolean) {
  if (request.path === '/interventions/bulk-reassign') return unwrap(api.POST(request.path, { body: { ...request.body, dryRun } }));
  return unwrap(api.POST(request.path, { body: { ...request.body, dryRun } }));
}

function ErrorText({ id, message }: { id: string; message?: string }) {
  return message ? (
    <div id={id} className="text-danger small mt-1">
      {message}
    </div>
  ) : null;
}

export function BulkPage() {
  const { t } = useTranslation('supervisor');
  const format = useFormat();
  const steps = useStepTitles();
  const { actor } = useSession();
  const [searchParams, setSearchParams] = useSearchParams();
  const jobId = searchParams.get('job');
  const [form, setForm] = useState<FormState>({
    action: 'reassign',
    areaId: actor.areas.length === 1 ? actor.areas[0] : '',
    fromMode: 'user',
    fromUser: '',
    service: '',
    stepId: '',
    overdueOnly: false,
    toQueue: false,
    toUser: '',
    extendMode: 'by',
    amount: '5',
    unit: 'workingDays',
    date: '',
    reason: '',
  });
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((current) => ({ ...current, [key]: value }));
  const request = useMemo(() => requestOf(form), [form]);
  const signature = JSON.stringify(request);

  // The dry run remembers the exact request it previewed: confirming runs that request, never the form as edited since.
  const [preview, setPreview] = useState<{ signature: string; request: Request; result: DryRun } | null>(null);
  const [references, setReferences] = useState<Record<string, string>>({});
  const dryRun = useMutation({
    mutationFn: (sent: { request: Request; signature: string }) => send(sent.request, true),
    onSuccess: (result, sent) => {
      if ('dryRun' in result) setPreview({ ...sent, result });
    },
  });
  const run = useMutation({
    mutationFn: (previewed: Request) => send(previewed, false),
    onSuccess: (result) => {
      if ('jobId' in result) {
        setReferences(Object.fromEntries((preview?.result.changes ?? []).map((change) => [change.caseId, change.caseReference ?? change.caseId.slice(0, 8)])));
        setPreview(null);
        setSearchParams({ job: result.jobId });
      }
    },
  });
  const current = preview && preview.signature === signature ? preview : null;
  const stale = preview !== null && current === null;
  const problem = dryRun.error ?? run.error;
  const fieldErrors = problem instanceof ProblemError ? problem.fieldErrors : {};
  const fieldError = (...paths: string[]) => paths.map((path) => fieldErrors[path]).find(Boolean);

  const submitDryRun = (event: FormEvent) => {
    event.preventDefault();
    run.reset();
    dryRun.mutate({ request, signature });
  };

  const stepOptions = steps.stepIds;
  const services = actor.services;

  return (
    <>
      <h1 className="h2">{t('bulk.title')}</h1>
      <SupervisionNav />
      <p id="bulk-intro">{t('bulk.intro')}</p>

      {jobId ? (
        <>
          <JobProgress jobId={jobId} references={references} />
          <Button
            color="primary"
            outline
            className="mt-3"
            onClick={() => {
              setSearchParams({});
              dryRun.reset();
              run.reset();
            }}
          >
            {t('bulk.newIntervention')}
          </Button>
        </>
      ) : (
        <form onSubmit={submitDryRun} noValidate aria-describedby="bulk-intro">
          <fieldset className="mb-4">
            <legend className="h5">{t('bulk.action')}</legend>
            {(['reassign', 'extend'] as const).map((action) => (
              <div className="form-check form-check-inline" key={action}>
                <input id={`bulk-action-${action}`} type="radio" name="bulk-action" className="form-check-input" checked={form.action === action} onChange={() => set('action', action)} />
                <label htmlFor={`bulk-action-${action}`} className="form-check-label">
                  {t(`bulk.actions.${action}`)}
                </label>
              </div>
            ))}
          </fieldset>

          <fieldset className="mb-4">
            <legend className="h5">{t('bulk.filters')}</legend>
            <p className="small">{t('bulk.filtersHint')}</p>
            <div className="row">
              {actor.areas.length > 1 ? (
                <div className="col-12 col-md-6 mb-3 select-wrapper">
                  <label htmlFor="bulk-area">{t('area.label')}</label>
                  <select id="bulk-area" value={form.areaId} onChange={(event) => set('areaId', event.target.value)}>
                    <option value="">{t('area.all')}</option>
                    {actor.areas.map((areaId) => (
                      <option key={areaId} value={areaId}>
                        {format.area(areaId)}
                      </option>
                    ))}
                  </select>
                </div>
              ) : null}
              <div className="col-12 col-md-6 mb-3 select-wrapper">
                <label htmlFor="bulk-from-mode">{t('bulk.fromMode')}</label>
                <select id="bulk-from-mode" value={form.fromMode} onChange={(event) => set('fromMode', event.target.value as FromMode)}>
                  <option value="user">{t('bulk.from.user')}</option>
                  <option value="queue">{t('bulk.from.queue')}</option>
                  <option value="any">{t('bulk.from.any')}</option>
                </select>
              </div>
              {form.fromMode === 'user' ? (
                <div className="col-12 col-md-6 mb-3">
                  <label htmlFor="bulk-from-user" className="form-label">
                    {t('bulk.fromUser')}
                  </label>
                  <input
                    id="bulk-from-user"
                    className="form-control"
                    autoComplete="off"
                    value={form.fromUser}
                    aria-invalid={fieldError('filter.assigneeId') ? true : undefined}
                    aria-describedby={fieldError('filter.assigneeId') ? 'bulk-from-user-error' : undefined}
                    onChange={(event) => set('fromUser', event.target.value)}
                  />
                  <ErrorText id="bulk-from-user-error" message={fieldError('filter.assigneeId')} />
                </div>
              ) : null}
              <div className="col-12 col-md-6 mb-3 select-wrapper">
                <label htmlFor="bulk-service">{t('bulk.service')}</label>
                <select id="bulk-service" value={form.service} onChange={(event) => set('service', event.target.value)}>
                  <option value="">{t('bulk.anyService')}</option>
                  {services.map((service) => (
                    <option key={service} value={service}>
                      {format.service(service)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="col-12 col-md-6 mb-3 select-wrapper">
                <label htmlFor="bulk-step">{t('bulk.step')}</label>
                <select id="bulk-step" value={form.stepId} onChange={(event) => set('stepId', event.target.value)}>
                  <option value="">{t('bulk.anyStep')}</option>
                  {stepOptions.map((stepId) => (
                    <option key={stepId} value={stepId}>
                      {steps.title(stepId)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="col-12 col-md-6 mb-3 d-flex align-items-end">
                <div className="form-check">
                  <input id="bulk-overdue" type="checkbox" className="form-check-input" checked={form.overdueOnly} onChange={(event) => set('overdueOnly', event.target.checked)} />
                  <label htmlFor="bulk-overdue" className="form-check-label">
                    {t('bulk.overdueOnly')}
                  </label>
                </div>
              </div>
            </div>
            <ErrorText id="bulk-filter-error" message={fieldError('filter')} />
          </fieldset>

          {form.action === 'reassign' ? (
            <fieldset className="mb-4">
              <legend className="h5">{t('bulk.to')}</legend>
              <div className="form-check mb-2">
                <input id="bulk-to-queue" type="checkbox" className="form-check-input" checked={form.toQueue} onChange={(event) => set('toQueue', event.target.checked)} />
                <label htmlFor="bulk-to-queue" className="form-check-label">
                  {t('bulk.toQueue')}
                </label>
              </div>
              {!form.toQueue ? (
                <div className="mb-3 col-12 col-md-6 px-0">
                  <label htmlFor="bulk-to-user" className="form-label">
                    {t('bulk.toUser')}
                  </label>
                  <input
                    id="bulk-to-user"
                    className="form-control"
                    autoComplete="off"
                    value={form.toUser}
                    list="bulk-to-user-staff"
                    aria-invalid={fieldError('assigneeId') ? true : undefined}
                    aria-describedby={fieldError('assigneeId') ? 'bulk-to-user-error' : undefined}
                    onChange={(event) => set('toUser', event.target.value)}
                  />
                  <StaffSuggestions id="bulk-to-user-staff" areaId={form.areaId || undefined} service={form.service || undefined} />
                  <ErrorText id="bulk-to-user-error" message={fieldError('assigneeId')} />
                </div>
              ) : null}
            </fieldset>
          ) : (
            <fieldset className="mb-4">
              <legend className="h5">{t('bulk.newDeadline')}</legend>
              {(['by', 'date'] as const).map((mode) => (
                <div className="form-check form-check-inline" key={mode}>
                  <input id={`bulk-extend-${mode}`} type="radio" name="bulk-extend-mode" className="form-check-input" checked={form.extendMode === mode} onChange={() => set('extendMode', mode)} />
                  <label htmlFor={`bulk-extend-${mode}`} className="form-check-label">
                    {t(`bulk.extendModes.${mode}`)}
                  </label>
                </div>
              ))}
              {form.extendMode === 'by' ? (
                <div className="row mt-2">
                  <div className="col-6 col-md-3 mb-3">
                    <label htmlFor="bulk-amount" className="form-label">
                      {t('bulk.amount')}
                    </label>
                    <input
                      id="bulk-amount"
                      type="number"
                      min={1}
                      className="form-control"
                      value={form.amount}
                      aria-invalid={fieldError('by.amount', 'by') ? true : undefined}
                      aria-describedby={fieldError('by.amount', 'by') ? 'bulk-amount-error' : undefined}
                      onChange={(event) => set('amount', event.target.value)}
                    />
                    <ErrorText id="bulk-amount-error" message={fieldError('by.amount', 'by')} />
                  </div>
                  <div className="col-6 col-md-3 mb-3 select-wrapper">
                    <label htmlFor="bulk-unit">{t('bulk.unit')}</label>
                    <select id="bulk-unit" value={form.unit} onChange={(event) => set('unit', event.target.value as FormState['unit'])}>
                      <option value="workingDays">{t('bulk.units.workingDays')}</option>
                      <option value="calendarDays">{t('bulk.units.calendarDays')}</option>
                    </select>
                  </div>
                </div>
              ) : (
                <div className="mt-2 mb-3 col-12 col-md-4 px-0">
                  <label htmlFor="bulk-date" className="form-label active">
                    {t('bulk.date')}
                  </label>
                  <input
                    id="bulk-date"
                    type="date"
                    className="form-control"
                    value={form.date}
                    aria-invalid={fieldError('newDueAt') ? true : undefined}
                    aria-describedby={fieldError('newDueAt') ? 'bulk-date-error' : undefined}
                    onChange={(event) => set('date', event.target.value)}
                  />
                  <ErrorText id="bulk-date-error" message={fieldError('newDueAt')} />
                </div>
              )}
            </fieldset>
          )}

          <div className="mb-4 col-12 col-lg-8 px-0">
            <label htmlFor="bulk-reason" className="form-label">
              {t('reason.label')}
            </label>
            <textarea
              id="bulk-reason"
              rows={2}
              className="form-control"
              value={form.reason}
              aria-invalid={fieldError('reason') ? true : undefined}
              aria-describedby={`bulk-reason-hint${fieldError('reason') ? ' bulk-reason-error' : ''}`}
              onChange={(event) => set('reason', event.target.value)}
            />
            <small id="bulk-reason-hint" className="form-text">
              {t('reason.hint')}
            </small>
            <ErrorText id="bulk-reason-error" message={fieldError('reason')} />
          </div>

          {problem && Object.keys(fieldErrors).length === 0 ? <ProblemAlert error={problem} /> : null}
          {problem && Object.keys(fieldErrors).length > 0 ? <Alert color="danger">{t('bulk.fixFields')}</Alert> : null}

          <Button type="submit" color="primary" disabled={dryRun.isPending}>
            {dryRun.isPending ? t('busy') : t('bulk.dryRun')}
          </Button>

          <div aria-live="polite" className="mt-4">
            {stale ? <Alert color="info">{t('bulk.stale')}</Alert> : null}
            {current ? (
              <DryRunResult
                result={current.result}
                action={form.action}
                stepTitle={steps.title}
                confirming={run.isPending}
                onConfirm={() => {
                  dryRun.reset();
                  run.mutate(current.request);
                }}
              />
            ) : null}
          </div>
        </form>
      )}
    </>
  );
}

function DryRunResult({ result, action, stepTitle, confirming, onConfirm }: { result: DryRun; action: Action; stepTitle: (stepId: string) => string; confirming: boolean; onConfirm: () => void }) {
  const { t } = useTranslation('supervisor');
  const format = useFormat();
  const caseLink = (caseId: string, reference: string | null) => <Link to={`/console/supervision/cases/${encodeURIComponent(caseId)}`} className="case-reference">{reference ?? caseId.slice(0, 8)}</Link>;
  const who = (assigneeId: string | null | undefined, service: string) => assigneeId ?? t('stalled.queueOf', { service: format.service(service) });
  const when = (dueAt: string | null | undefined) => (dueAt ? format.dateTime(dueAt) : t('task.noDeadline'));
  return (
    <section aria-labelledby="dry-run-title" data-testid="dry-run">
      <h2 className="h4" id="dry-run-title">
        {t('bulk.dryRunTitle')}
      </h2>
      <p data-testid="dry-run-summary">{t('bulk.dryRunSummary', { total: result.total, changes: result.changes.length, skipped: result.skipped.length })}</p>
      {result.changes.length > 0 ? (
        <div className="table-responsive">
          <table className="table table-sm" data-testid="dry-run-changes">
            <caption>{t('bulk.changesCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('bulk.columns.case')}</th>
                <th scope="col">{t('bulk.columns.step')}</th>
                <th scope="col">{t('bulk.columns.area')}</th>
                <th scope="col">{t('bulk.columns.now')}</th>
                <th scope="col">{t('bulk.columns.after')}</th>
              </tr>
            </thead>
            <tbody>
              {result.changes.map((change) => (
                <tr key={change.taskId} data-testid="dry-run-change">
                  <th scope="row">{caseLink(change.caseId, change.caseReference)}</th>
                  <td>{stepTitle(change.stepId)}</td>
                  <td>{format.area(change.areaId)}</td>
                  <td>{action === 'reassign' ? who(change.assigneeId, change.service) : when(change.dueAt)}</td>
                  <td>{action === 'reassign' ? who(change.newAssigneeId, change.service) : when(change.newDueAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {result.skipped.length > 0 ? (
        <div className="table-responsive">
          <table className="table table-sm" data-testid="dry-run-skipped">
            <caption>{t('bulk.skippedCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('bulk.columns.case')}</th>
                <th scope="col">{t('bulk.columns.step')}</th>
                <th scope="col">{t('bulk.columns.why')}</th>
              </tr>
            </thead>
            <tbody>
              {result.skipped.map((skip) => (
                <tr key={skip.taskId}>
                  <th scope="row">{caseLink(skip.caseId, skip.caseReference)}</th>
                  <td>{stepTitle(skip.stepId)}</td>
                  <td>
                    {t(`bulk.skipReasons.${skip.reason}`)} <span className="small d-block">{skip.message}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {result.changes.length > 0 ? (
        <Button color="primary" onClick={onConfirm} disabled={confirming} data-testid="bulk-confirm">
          {confirming ? t('busy') : t('bulk.confirm', { count: result.changes.length })}
        </Button>
      ) : (
        <p>{t('bulk.nothingToDo')}</p>
      )}
    </section>
  );
}
