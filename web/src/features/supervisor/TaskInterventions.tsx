/**
 * Interventions on one open task: give it to another person (or back to its service's queue), or
 * move its deadline to a new date, each with a reason. Field problems from the API appear under
 * the field they name; the outcome is announced politely.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button } from 'design-react-kit';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { ProblemError } from '../../api/problem';
import { ProblemAlert } from '../../components/feedback';
import { StaffSuggestions } from '../../components/staff';
import { caseQueryKey, TaskStatusBadge, timelineQueryKey, UrgencyBadges } from '../cases';
import { addDays, endOfLocalDay, localDateInput, useFormat } from './format';

type Task = Schemas['Task'];
type TaskDetail = Schemas['TaskDetail'];

/** Field messages the API named, and whether anything is left for the general alert. */
function splitProblem(error: unknown, fields: string[]): { fieldErrors: Record<string, string>; rest: boolean } {
  if (!(error instanceof ProblemError)) return { fieldErrors: {}, rest: Boolean(error) };
  const fieldErrors = Object.fromEntries(Object.entries(error.fieldErrors).filter(([path]) => fields.includes(path)));
  return { fieldErrors, rest: Object.keys(fieldErrors).length === 0 };
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <div id={id} className="form-feedback just-validate-error-label text-danger small mt-1">
      {message}
    </div>
  );
}

/** The reason every intervention needs (it goes on the case's timeline), with the API's message when refused. */
function ReasonField({ id, value, error, onChange }: { id: string; value: string; error: string | undefined; onChange: (value: string) => void }) {
  const { t } = useTranslation('supervisor');
  return (
    <div className="mb-3">
      <label htmlFor={id} className="form-label">
        {t('reason.label')}
      </label>
      <textarea
        id={id}
        className={`form-control${error ? ' is-invalid' : ''}`}
        rows={2}
        value={value}
        required
        aria-describedby={error ? `${id}-error` : undefined}
        aria-invalid={error ? true : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

function useTaskCommandDone(caseId: string) {
  const queryClient = useQueryClient();
  return async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: caseQueryKey(caseId) }),
      queryClient.invalidateQueries({ queryKey: timelineQueryKey(caseId) }),
      queryClient.invalidateQueries({ queryKey: ['supervisor'] }),
    ]);
  };
}

function ReassignForm({ task, onDone }: { task: Task; onDone: (result: TaskDetail) => void }) {
  const { t } = useTranslation('supervisor');
  const id = useId();
  const [assigneeId, setAssigneeId] = useState('');
  const [toQueue, setToQueue] = useState(false);
  const [reason, setReason] = useState('');
  const refresh = useTaskCommandDone(task.caseId);
  const reassign = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/tasks/{taskId}/reassign', { params: { path: { taskId: task.taskId } }, body: { assigneeId: toQueue ? null : assigneeId.trim(), reason } })),
    onSuccess: async (result) => {
      onDone(result);
      setReason('');
      setAssigneeId('');
      await refresh();
    },
  });
  const { fieldErrors, rest } = splitProblem(reassign.error, ['assigneeId', 'reason']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    reassign.mutate();
  };
  return (
    <form onSubmit={submit} noValidate className="mt-3" aria-labelledby={`${id}-title`}>
      <h4 className="h6" id={`${id}-title`}>
        {t('reassign.title')}
      </h4>
      <div className="form-check mb-2">
        <input id={`${id}-queue`} type="checkbox" className="form-check-input" checked={toQueue} onChange={(event) => setToQueue(event.target.checked)} />
        <label htmlFor={`${id}-queue`} className="form-check-label">
          {t('reassign.toQueue')}
        </label>
      </div>
      {!toQueue ? (
        <div className="mb-3">
          <label htmlFor={`${id}-assignee`} className="form-label">
            {t('reassign.assignee')}
          </label>
          <input
            id={`${id}-assignee`}
            className={`form-control${fieldErrors.assigneeId ? ' is-invalid' : ''}`}
            value={assigneeId}
            required
            autoComplete="off"
            list={`${id}-staff`}
            aria-describedby={`${id}-assignee-hint${fieldErrors.assigneeId ? ` ${id}-assignee-error` : ''}`}
            aria-invalid={fieldErrors.assigneeId ? true : undefined}
            onChange={(event) => setAssigneeId(event.target.value)}
          />
          <StaffSuggestions id={`${id}-staff`} areaId={task.areaId} service={task.service} />
          <small id={`${id}-assignee-hint`} className="form-text">
            {t('reassign.assigneeHint')}
          </small>
          <FieldError id={`${id}-assignee-error`} message={fieldErrors.assigneeId} />
        </div>
      ) : null}
      <ReasonField id={`${id}-reason`} value={reason} error={fieldErrors.reason} onChange={setReason} />
      {reassign.isError && rest ? <ProblemAlert error={reassign.error} title={t('reassign.failed')} /> : null}
      <Button type="submit" color="primary" disabled={reassign.isPending || (!toQueue && assigneeId.trim() === '')}>
        {reassign.isPending ? t('busy') : t('reassign.submit')}
      </Button>
    </form>
  );
}

function ExtendForm({ task, onDone }: { task: Task; onDone: (result: TaskDetail) => void }) {
  const { t } = useTranslation('supervisor');
  const id = useId();
  // A week after the current deadline, or after today when it has passed.
  const [day, setDay] = useState(() => {
    const now = new Date();
    const base = task.dueAt && Date.parse(task.dueAt) > now.getTime() ? new Date(task.dueAt) : now;
    return addDays(localDateInput(base), 7);
  });
  const [today] = useState(() => localDateInput(new Date()));
  const [reason, setReason] = useState('');
  const refresh = useTaskCommandDone(task.caseId);
  const extend = useMutation({
    mutationFn: () => unwrap(api.POST('/tasks/{taskId}/extend', { params: { path: { taskId: task.taskId } }, body: { newDueAt: endOfLocalDay(day), reason } })),
    onSuccess: async (result) => {
      onDone(result);
      setReason('');
      await refresh();
    },
  });
  const { fieldErrors, rest } = splitProblem(extend.error, ['newDueAt', 'reason']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    extend.mutate();
  };
  return (
    <form onSubmit={submit} noValidate className="mt-3" aria-labelledby={`${id}-title`}>
      <h4 className="h6" id={`${id}-title`}>
        {t('extend.title')}
      </h4>
      <div className="mb-3">
        <label htmlFor={`${id}-date`} className="form-label active">
          {t('extend.newDate')}
        </label>
        <input
          id={`${id}-date`}
          type="date"
          className={`form-control${fieldErrors.newDueAt ? ' is-invalid' : ''}`}
          value={day}
          min={today}
          required
          aria-describedby={fieldErrors.newDueAt ? `${id}-date-error` : undefined}
          aria-invalid={fieldErrors.newDueAt ? true : undefined}
          onChange={(event) => setDay(event.target.value)}
        />
        <FieldError id={`${id}-date-error`} message={fieldErrors.newDueAt} />
      </div>
      <ReasonField id={`${id}-reason`} value={reason} error={fieldErrors.reason} onChange={setReason} />
      {extend.isError && rest ? <ProblemAlert error={extend.error} title={t('extend.failed')} /> : null}
      <Button type="submit" color="primary" disabled={extend.isPending || day === ''}>
        {extend.isPending ? t('busy') : t('extend.submit')}
      </Button>
    </form>
  );
}

type Open = 'none' | 'reassign' | 'extend';
type Outcome = { kind: 'reassigned'; assigneeId: string | null } | { kind: 'extended'; dueAt: string | null };

/** One open task with its interventions. */
export function TaskInterventions({ task, stepTitle }: { task: Task; stepTitle: string }) {
  const { t } = useTranslation('supervisor');
  const format = useFormat();
  const id = useId();
  const [open, setOpen] = useState<Open>('none');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const toggle = (which: Open) => setOpen((current) => (current === which ? 'none' : which));
  return (
    <div className="card card-bg shadow-sm mb-3" data-testid="intervention-task" data-task-id={task.taskId}>
      <div className="card-body">
        <h3 className="h5" id={`${id}-task`}>
          {stepTitle}
        </h3>
        <dl className="row mb-2">
          <div className="col-12 col-md-3">
            <dt className="small">{t('task.status')}</dt>
            <dd className="mb-0">
              <TaskStatusBadge status={task.status} />{' '}
              <UrgencyBadges overdue={task.overdue} escalationLevel={task.escalationLevel} />
            </dd>
          </div>
          <div className="col-12 col-md-3">
            <dt className="small">{t('task.service')}</dt>
            <dd className="mb-0">{format.service(task.service)}</dd>
          </div>
          <div className="col-12 col-md-3">
            <dt className="small">{t('task.assignee')}</dt>
            <dd className="mb-0" data-testid="task-assignee">
              {task.assigneeId ?? t('task.inQueue')}
            </dd>
          </div>
          <div className="col-12 col-md-3">
            <dt className="small">{t('task.deadline')}</dt>
            <dd className="mb-0" data-testid="task-deadline">
              {task.dueAt ? format.dateTime(task.dueAt) : t('task.noDeadline')}
            </dd>
          </div>
        </dl>
        <div aria-live="polite" data-testid="intervention-outcome">
          {outcome ? (
            <Alert color="success" className="mt-2">
              {outcome.kind === 'reassigned'
                ? outcome.assigneeId
                  ? t('reassign.done', { assignee: outcome.assigneeId })
                  : t('reassign.doneQueue')
                : t('extend.done', { date: outcome.dueAt ? format.dateTime(outcome.dueAt) : '—' })}
            </Alert>
          ) : null}
        </div>
        <div className="d-flex flex-wrap gap-2">
          <Button color="primary" outline size="sm" aria-expanded={open === 'reassign'} aria-controls={`${id}-panel`} onClick={() => toggle('reassign')}>
            {t('reassign.open')}
          </Button>
          <Button color="primary" outline size="sm" aria-expanded={open === 'extend'} aria-controls={`${id}-panel`} onClick={() => toggle('extend')}>
            {t('extend.open')}
          </Button>
        </div>
        <div id={`${id}-panel`}>
          {open === 'reassign' ? (
            <ReassignForm
              task={task}
              onDone={(result) => {
                setOutcome({ kind: 'reassigned', assigneeId: result.assigneeId });
                setOpen('none');
              }}
            />
          ) : null}
          {open === 'extend' ? (
            <ExtendForm
              task={task}
              onDone={(result) => {
                setOutcome({ kind: 'extended', dueAt: result.dueAt });
                setOpen('none');
              }}
            />
          ) : null}
        </div>
      </div>
    </div>
  );
}
