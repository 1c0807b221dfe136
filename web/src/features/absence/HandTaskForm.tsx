/**
 * "Hand to a colleague" on a task I hold: a colleague of my area, service and role takes it (for an
 * absence, or a case they know better), with a reason on the case's timeline. Once handed the task
 * is no longer mine: the form gives way to the confirmation.
 */
import { Alert } from 'design-react-kit';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { ProblemAlert } from '../../components/feedback';
import { FieldError, ReasonField, splitProblem } from '../../components/form-fields';
import { handTask, useCoverColleagues } from './absence-queries';

export function HandTaskForm({ taskId, holderId }: { taskId: string; holderId: string | null }) {
  const { t } = useTranslation('loop');
  const { actor } = useSession();
  const id = useId();
  const queryClient = useQueryClient();
  const colleagues = useCoverColleagues();
  const [assigneeId, setAssigneeId] = useState('');
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const hand = useMutation({
    mutationFn: () => handTask(taskId, { assigneeId, reason }),
    onSuccess: async () => {
      setDone(colleagues.data?.items.find((colleague) => colleague.id === assigneeId)?.name ?? assigneeId);
      setReason('');
      await queryClient.invalidateQueries();
    },
  });
  const { fieldErrors, rest } = splitProblem(hand.error, ['assigneeId', 'reason']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    hand.mutate();
  };
  const confirmation = (
    <div aria-live="polite" role="status">
      {done ? <Alert color="success">{t('hand.done', { name: done })}</Alert> : null}
    </div>
  );
  if (holderId !== actor.id) return done ? confirmation : null;
  return (
    <section aria-labelledby={`${id}-title`} className="mt-4">
      <h2 className="h4" id={`${id}-title`}>
        {t('hand.title')}
      </h2>
      <form onSubmit={submit} noValidate data-testid="hand-task-form">
        <div className="select-wrapper mb-3">
          <label htmlFor={`${id}-colleague`}>{t('hand.colleague')}</label>
          <select
            id={`${id}-colleague`}
            className={`form-select${fieldErrors.assigneeId ? ' is-invalid' : ''}`}
            value={assigneeId}
            required
            aria-invalid={fieldErrors.assigneeId ? true : undefined}
            aria-describedby={fieldErrors.assigneeId ? `${id}-colleague-error` : undefined}
            onChange={(event) => setAssigneeId(event.target.value)}
          >
            <option value="" disabled>
              {t('absence.choose')}
            </option>
            {(colleagues.data?.items ?? []).map((colleague) => (
              <option key={colleague.id} value={colleague.id}>
                {colleague.name}
              </option>
            ))}
          </select>
          <FieldError id={`${id}-colleague-error`} message={fieldErrors.assigneeId} />
        </div>
        <ReasonField id={`${id}-reason`} value={reason} error={fieldErrors.reason} onChange={setReason} />
        {hand.isError && rest ? <ProblemAlert error={hand.error} /> : null}
        {confirmation}
        <button type="submit" className="btn btn-outline-primary" disabled={hand.isPending || !assigneeId || reason.trim() === ''}>
          {t('hand.submit')}
        </button>
      </form>
    </section>
  );
}
