/**
 * A task (`/console/tasks/:taskId`): its header (step, case, deadline, status, assignee,
 * escalation), the step's form rendered from the pathway's field definitions with client checks
 * in the person's language and the server's field errors mapped onto the fields, and the task
 * commands: claim, release, complete (idempotent: one key per page, so a double click or a retry
 * completes once), and for area managers reassign and extend (the shared TaskManagerActions). After completing, the person goes on
 * to the case's next task that is theirs to do, or back to the inbox.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { ProblemError } from '../../api/problem';
import { useSession } from '../../auth/session';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { TaskStatusBadge, UrgencyBadges } from '../cases/badges';
import { caseQueryKey } from '../cases/CaseSummary';
import { TaskManagerActions } from '../cases/TaskManagerActions';
import { HandTaskForm } from '../absence/HandTaskForm';
import { timelineQueryKey } from '../cases/CaseTimeline';
import { formatDateTime, localized, stepTitle, usePathwayVersion } from '../cases/format';
import { Breadcrumb } from '../../components/Breadcrumb';
import { emptyValues, serverFieldProblems, toApiData, validateValues, withoutFixedErrors, type FieldProblem, type FormValues } from './form-values';
import { FlashMessage } from './FlashMessage';
import { inboxQueryKey } from './query-keys';
import { FieldErrorLink, StepFormFields, useProblemText } from './StepForm';

type TaskDetail = Schemas['TaskDetail'];

const taskQueryKey = (taskId: string) => ['task', taskId] as const;

function newKey(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function TaskView({ task }: { task: TaskDetail }) {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  const session = useSession();
  const { actor } = session;
  const hasRole = (...roles: Parameters<typeof session.hasRole>) => session.hasRole(...roles);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const problemText = useProblemText();
  const pathway = usePathwayVersion(task.pathwayKey, task.pathwayVersion);
  const fields = task.step?.form.fields ?? [];
  const [values, setValues] = useState<FormValues>(() => emptyValues(fields));
  const [errors, setErrors] = useState<Record<string, FieldProblem | string>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  // One completion key per task page: a double click or a retried request completes the task once.
  const completionKey = useRef(newKey());

  const title = task.step ? localized(task.step.title, language) : task.stepId;
  const reference = task.caseReference ?? task.caseId.slice(0, 8);
  const isMine = task.assigneeId === actor.id;
  const claimedByOther = task.assigneeId !== null && !isMine;
  const active = task.status === 'open' || task.status === 'claimed';
  const canWork = active && hasRole('operator', 'supervisor') && (!claimedByOther || hasRole('supervisor'));

  async function refresh() {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: inboxQueryKey }),
      queryClient.invalidateQueries({ queryKey: taskQueryKey(task.taskId) }),
      queryClient.invalidateQueries({ queryKey: caseQueryKey(task.caseId) }),
      queryClient.invalidateQueries({ queryKey: timelineQueryKey(task.caseId) }),
    ]);
  }

  const claim = useMutation({
    mutationFn: () => unwrap(api.POST('/tasks/{taskId}/claim', { params: { path: { taskId: task.taskId } } })),
    onSuccess: async () => {
      setNotice(t('task.claimed'));
      await refresh();
    },
  });
  const release = useMutation({
    mutationFn: () => unwrap(api.POST('/tasks/{taskId}/release', { params: { path: { taskId: task.taskId } } })),
    onSuccess: async () => {
      setNotice(t('task.released'));
      await refresh();
    },
  });
  const complete = useMutation({
    mutationFn: (data: Record<string, unknown>) =>
      unwrap(
        api.POST('/tasks/{taskId}/complete', {
          params: { path: { taskId: task.taskId }, header: { 'idempotency-key': completionKey.current } },
          body: { data },
        }),
      ),
    onSuccess: async () => {
      // The completed task leaves every cached inbox page at once, before they are refetched.
      queryClient.setQueriesData<{ items: Array<{ taskId: string }>; nextCursor: string | null }>({ queryKey: inboxQueryKey }, (page) =>
        page && Array.isArray(page.items) ? { ...page, items: page.items.filter((item) => item.taskId !== task.taskId) } : page,
      );
      const done = t('task.completed', { step: title });
      // The next task of this case that is the person's to do (theirs, or unassigned in their services).
      const next = await queryClient
        .fetchQuery({
          queryKey: [...inboxQueryKey, { caseId: task.caseId }],
          queryFn: () => unwrap(api.GET('/tasks', { params: { query: { caseId: task.caseId, limit: 20 } } })),
          staleTime: 0,
        })
        .then((page) => page.items.find((item) => item.taskId !== task.taskId && (item.assigneeId === null || item.assigneeId === actor.id) && hasRole(item.role)))
        .catch(() => undefined);
      if (next) {
        const nextTitle = stepTitle(pathway.data?.definition, next.stepId, language);
        void navigate(`/console/tasks/${next.taskId}`, { state: { flash: `${done} ${t('task.nextTask', { step: nextTitle })}` } });
      } else {
        void navigate('/console/inbox', { state: { flash: `${done} ${t('task.backToInbox')}` } });
      }
      // After leaving: the inbox, the case and this task are refetched wherever they are shown next.
      void refresh();
    },
    onError: (error) => {
      if (error instanceof ProblemError) {
        const { byField } = serverFieldProblems(error.fieldErrors);
        setErrors(byField);
        if (Object.keys(byField).length > 0) summaryRef.current?.focus();
      }
      if (error instanceof ProblemError && error.status === 409) void refresh();
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    const problems = validateValues(fields, values);
    setErrors(problems);
    if (Object.keys(problems).length > 0) {
      // Focus the summary so the person hears how many fields need attention.
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    complete.mutate(toApiData(fields, values));
  }

  const errorEntries = Object.entries(errors);
  const fieldMessages = Object.fromEntries(errorEntries.map(([key, problem]) => [key, problemText(problem)]));
  const otherProblem = complete.error instanceof ProblemError && Object.keys(serverFieldProblems(complete.error.fieldErrors).byField).length > 0 ? null : complete.error;
  const detailRows: Array<[string, ReactNode]> = [
    [t('task.case'), <Link to={`/console/cases/${task.caseId}`}>{reference}</Link>],
    [t('task.pathway'), pathway.data ? `${localized(pathway.data.definition.title, language)} · v${task.pathwayVersion}` : `${task.pathwayKey ?? '—'} · v${task.pathwayVersion ?? '—'}`],
    [t('task.area'), t(`areas.${task.areaId}`, { defaultValue: task.areaId })],
    [t('task.service'), t(`services.${task.service}`, { defaultValue: task.service })],
    [
      t('task.deadline'),
      <>
        <span className="me-2">{task.dueAt ? formatDateTime(task.dueAt, language) : t('inbox.noDeadline')}</span>
        <UrgencyBadges overdue={task.overdue} escalationLevel={task.escalationLevel} />
      </>,
    ],
    [t('task.status'), <span data-testid="task-status"><TaskStatusBadge status={task.status} /></span>],
    [t('task.assignee'), <span data-testid="task-assignee">{task.assigneeId === null ? t('inbox.unassigned') : isMine ? `${t('inbox.you')} (${task.assigneeId})` : task.assigneeId}</span>],
    [t('task.createdAt'), formatDateTime(task.createdAt, language)],
  ];
  if (task.completedAt) detailRows.push([t('task.completedAt'), `${formatDateTime(task.completedAt, language)} · ${task.completedBy ?? ''}`]);
  if (task.signOff)
    detailRows.push([
      t('task.signOff'),
      t('task.signOffValue', {
        signed: task.signOff.signed.map((item) => t(`services.${item.service}`, { defaultValue: item.service })).join(', ') || '—',
        missing: task.signOff.missing.map((service) => t(`services.${service}`, { defaultValue: service })).join(', ') || '—',
      }),
    ]);

  return (
    <>
      <Breadcrumb items={[{ label: t('breadcrumb.inbox'), to: '/console/inbox' }, { label: t('cases.breadcrumb', { reference }), to: `/console/cases/${task.caseId}` }, { label: title }]} />
      <h1 className="h2">{t('task.title', { step: title })}</h1>
      {task.step?.description ? <p>{localized(task.step.description, language)}</p> : null}
      <FlashMessage />
      <section aria-labelledby="task-details-title">
        <h2 className="visually-hidden" id="task-details-title">
          {t('task.details')}
        </h2>
        <dl className="row mb-0">
          {detailRows.map(([label, value]) => (
            <div className="col-12 col-sm-6 col-lg-3 mb-2" key={label}>
              <dt className="small text-uppercase">{label}</dt>
              <dd className="mb-0">{value}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section aria-labelledby="task-actions-title" className="mt-3">
        <h2 className="h4" id="task-actions-title">
          {t('task.actions')}
        </h2>
        <div aria-live="polite" role="status">
          {notice ? <div className="alert alert-success">{notice}</div> : null}
        </div>
        {!active ? <p className="alert alert-info">{t('task.closed', { status: t(`taskStatus.${task.status}`) })}</p> : null}
        {active && claimedByOther ? <p className="alert alert-warning">{t('task.claimedByOther', { assignee: task.assigneeId })}</p> : null}
        {claim.isError ? <ProblemAlert error={claim.error} /> : null}
        {release.isError ? <ProblemAlert error={release.error} /> : null}
        {active ? (
          <div className="d-flex gap-2 flex-wrap">
            {task.assigneeId === null && hasRole('operator', 'supervisor') ? (
              <button type="button" className="btn btn-outline-primary" disabled={claim.isPending} onClick={() => claim.mutate()}>
                {t('task.claim')}
              </button>
            ) : null}
            {task.assigneeId !== null && (isMine || hasRole('supervisor')) ? (
              <button type="button" className="btn btn-outline-primary" disabled={release.isPending} onClick={() => release.mutate()}>
                {t('task.release')}
              </button>
            ) : null}
          </div>
        ) : null}
        {active && hasRole('supervisor') ? (
          <div className="mt-3">
            <TaskManagerActions task={task} onChanged={refresh} />
          </div>
        ) : null}
        {active && hasRole('operator') ? <HandTaskForm taskId={task.taskId} holderId={task.assigneeId} /> : null}
      </section>

      {active ? (
        <section aria-labelledby="task-form-title" className="mt-4">
          <h2 className="h4" id="task-form-title">
            {t('task.form')}
          </h2>
          <div ref={summaryRef} tabIndex={-1} aria-live="assertive">
            {errorEntries.length > 0 ? (
              <div className="alert alert-danger" data-testid="form-errors">
                <p className="mb-1 fw-semibold">{t('task.errorsSummary', { count: errorEntries.length })}</p>
                <ul className="mb-0">
                  {errorEntries.map(([key]) => (
                    <li key={key}>
                      <FieldErrorLink idPrefix="task-field" fields={fields} problemKey={key} />: {fieldMessages[key]}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
          </div>
          {otherProblem ? <ProblemAlert error={otherProblem} /> : null}
          <form noValidate onSubmit={submit} data-testid="task-form">
            {fields.length === 0 ? <p>{t('task.noFields')}</p> : <p className="small">{t('task.requiredLegend')}</p>}
            <StepFormFields idPrefix="task-field" fields={fields} values={values} errors={fieldMessages} disabled={!canWork || complete.isPending}
              onChange={(next, changedKey) => {
                setValues(next);
                // A corrected field loses its message; the others keep theirs until the next try.
                setErrors((current) => withoutFixedErrors(current, changedKey));
              }}
            />
            <button type="submit" className="btn btn-primary" disabled={!canWork || complete.isPending}>
              {complete.isPending ? t('task.completing') : t('task.complete')}
            </button>
          </form>
        </section>
      ) : null}
    </>
  );
}

export default function TaskPage() {
  const { taskId = '' } = useParams();
  const task = useQuery({
    queryKey: taskQueryKey(taskId),
    queryFn: () => unwrap(api.GET('/tasks/{taskId}', { params: { path: { taskId } } })),
  });
  const { t } = useTranslation('operator');
  if (task.isPending) return <PageLoading />;
  if (task.isError)
    return (
      <>
        <Breadcrumb items={[{ label: t('breadcrumb.inbox'), to: '/console/inbox' }, { label: taskId }]} />
        <h1 className="h2">{t('task.title', { step: taskId })}</h1>
        <ProblemAlert error={task.error} />
      </>
    );
  // Keyed by task: moving on to the next task starts a fresh form and a fresh completion key.
  return <TaskView key={task.data.taskId} task={task.data} />;
}
