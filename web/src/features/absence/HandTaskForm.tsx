/**
 * "Hand to a colleague" on a task I hold: a colleague of my area, service and role takes it (for an
 * absence, or a case they know better), with a reason on the case's timeline. Once handed the task
 * is no longer mine: the form gives way to the confirmation.
 */
import { Alert } from 'design-react-kit';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ColleagueSelect } from './ColleagueSelect';
import { useSession } from '../../auth/session';
import { ProblemAlert } from '../../components/feedback';
import { ReasonField, splitProblem } from '../../components/form-fields';
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
        <ColleagueSelect id={`${id}-colleague`} label={t('hand.colleague')} value={assigneeId} error={fieldErrors.assigneeId} onChange={setAssigneeId} />
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
