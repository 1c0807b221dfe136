/**
 * An area manager's actions on one open task, written once for the task page and the supervisor's
 * case drill-down: give it to a colleague who can work it (or back to its service's queue), or move
 * its deadline to a new day, each with a reason. The people offered are those the API says could
 * be given this very task (`GET /staff?taskId=`, the rule the reassign command applies), by name.
 * Field problems from the API appear under the field they name; the outcome is announced politely.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button } from 'design-react-kit';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { ProblemAlert } from '../../components/feedback';
import { FieldError, ReasonField, splitProblem } from '../../components/form-fields';
import { addDays, endOfLocalDay, localDateInput, useFormat } from '../supervisor/format';

type Task = Schemas['Task'];
type TaskDetail = Schemas['TaskDetail'];
type StaffMember = Schemas['StaffMember'];

/** The select's value for "back to the service's queue" (no user id can be empty). */
const toQueue = '';

/** The people who could be given this task, by name (the API applies domain/access.ts). */
export function useEligibleAssignees(taskId: string) {
  return useQuery({
    queryKey: ['staff', { taskId }],
    queryFn: () => unwrap(api.GET('/staff', { params: { query: { taskId } } })),
    staleTime: 60_000,
  });
}

/** "Name · services" as the picker and the outcome show a colleague. */
function personLabel(person: StaffMember, service: (code: string) => string): string {
  return `${person.name} · ${person.services.map(service).join(', ')}`;
}

function ReassignForm({ task, onDone }: { task: Task; onDone: (result: TaskDetail, assigneeName: string | null) => void }) {
  const { t } = useTranslation('supervisor');
  const format = useFormat();
  const id = useId();
  const staff = useEligibleAssignees(task.taskId);
  const people = (staff.data?.items ?? []).filter((person) => person.id !== task.assigneeId);
  const [assigneeId, setAssigneeId] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const reassign = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/tasks/{taskId}/reassign', { params: { path: { taskId: task.taskId } }, body: { assigneeId: assigneeId === toQueue ? null : assigneeId, reason } })),
    onSuccess: (result) => {
      onDone(result, people.find((person) => person.id === result.assigneeId)?.name ?? result.assigneeId);
      setReason('');
      setAssigneeId(null);
    },
  });
  const { fieldErrors, rest } = splitProblem(reassign.error, ['assigneeId', 'reason']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    reassign.mutate();
  };
  return (
    <form onSubmit={submit} noValidate className="mt-3" aria-labelledby={`${id}-title`} data-testid="reassign-form">
      <h4 className="h6" id={`${id}-title`}>
        {t('reassign.title')}
      </h4>
      <div className="select-wrapper mb-3">
        <label htmlFor={`${id}-assignee`}>{t('reassign.assignee')}</label>
        <select
          id={`${id}-assignee`}
          className={`form-select${fieldErrors.assigneeId ? ' is-invalid' : ''}`}
          value={assigneeId ?? 'choose'}
          required
          aria-describedby={`${id}-assignee-hint${fieldErrors.assigneeId ? ` ${id}-assignee-error` : ''}`}
          aria-invalid={fieldErrors.assigneeId ? true : undefined}
          onChange={(event) => setAssigneeId(event.target.value === 'choose' ? null : event.target.value)}
        >
          <option value="choose" disabled>
            {staff.isPending ? t('reassign.loadingPeople') : t('reassign.choose')}
          </option>
          {task.assigneeId !== null ? <option value={toQueue}>{t('reassign.toQueue')}</option> : null}
          {people.map((person) => (
            <option key={person.id} value={person.id}>
              {personLabel(person, format.service)}
            </option>
          ))}
        </select>
        <small id={`${id}-assignee-hint`} className="form-text">
          {t('reassign.assigneeHint')}
        </small>
        <FieldError id={`${id}-assignee-error`} message={fieldErrors.assigneeId} />
      </div>
      {staff.isError ? <ProblemAlert error={staff.error} /> : null}
      <ReasonField id={`${id}-reason`} value={reason} error={fieldErrors.reason} onChange={setReason} />
      {reassign.isError && rest ? <ProblemAlert error={reassign.error} title={t('reassign.failed')} /> : null}
      <Button type="submit" color="primary" disabled={reassign.isPending || assigneeId === null}>
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
  const extend = useMutation({
    mutationFn: () => unwrap(api.POST('/tasks/{taskId}/extend', { params: { path: { taskId: task.taskId } }, body: { newDueAt: endOfLocalDay(day), reason } })),
    onSuccess: (result) => {
      onDone(result);
      setReason('');
    },
  });
  const { fieldErrors, rest } = splitProblem(extend.error, ['newDueAt', 'reason']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    extend.mutate();
  };
  return (
    <form onSubmit={submit} noValidate className="mt-3" aria-labelledby={`${id}-title`} data-testid="extend-form">
      <h4 className="h6" id={`${id}-title`}>
        {t('extend.title')}
      </h4>
      <div className="mb-3">
        <label htmlFor={`${id}-date`} className="form-label active">
          {t('extend.newDate')}
        </label>
        {/* A day, ending at 23:59 in Rome like every deadline in days, whatever the device's time zone. */}
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
type Outcome = { kind: 'reassigned'; assignee: string | null } | { kind: 'extended'; dueAt: string | null };

/** Reassign and extend for one open task; `onChanged` refreshes whatever the screen shows of it. */
export function TaskManagerActions({ task, onChanged }: { task: Task; onChanged: () => void | Promise<void> }) {
  const { t } = useTranslation('supervisor');
  const format = useFormat();
  const id = useId();
  const [open, setOpen] = useState<Open>('none');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const toggle = (which: Open) => setOpen((current) => (current === which ? 'none' : which));
  const done = (next: Outcome) => {
    setOutcome(next);
    setOpen('none');
    void onChanged();
  };
  return (
    <div data-testid="task-manager-actions">
      <div aria-live="polite" role="status" data-testid="intervention-outcome">
        {outcome ? (
          <Alert color="success" className="mt-2">
            {outcome.kind === 'reassigned'
              ? outcome.assignee
                ? t('reassign.done', { assignee: outcome.assignee })
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
        {open === 'reassign' ? <ReassignForm task={task} onDone={(_result, assignee) => done({ kind: 'reassigned', assignee })} /> : null}
        {open === 'extend' ? <ExtendForm task={task} onDone={(result) => done({ kind: 'extended', dueAt: result.dueAt })} /> : null}
      </div>
    </div>
  );
}
