/**
 * The receiving service's answers to a referral: accept it (with the date of the first
 * appointment), reject it with one of its step's reasons, or, once accepted, report one of its
 * outcomes. Each answer refreshes the referral, its case and the inboxes; the API decides who may.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { ProblemAlert } from '../../components/feedback';
import { FieldError, splitProblem } from '../../components/form-fields';
import { caseQueryKey } from '../cases/CaseSummary';
import { timelineQueryKey } from '../cases/CaseTimeline';
import { localized } from '../cases/format';
import { inboxQueryKey } from '../operator/query-keys';
import { referralQueryKey, referralsQueryKey } from './query-keys';

type ReferralDetail = Schemas['ReferralDetail'];
type Answer = 'accept' | 'reject' | 'outcome';

/** A mutation answering the referral; afterwards everything that shows it is refetched. */
function useAnswer(referral: ReferralDetail, run: () => Promise<ReferralDetail>, onDone: (answer: ReferralDetail) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: async (answer) => {
      // The answer is the referral as now projected: shown at once, before the lists are refetched.
      queryClient.setQueryData(referralQueryKey(referral.referralId), answer);
      onDone(answer);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: referralsQueryKey }),
        queryClient.invalidateQueries({ queryKey: caseQueryKey(referral.caseId) }),
        queryClient.invalidateQueries({ queryKey: timelineQueryKey(referral.caseId) }),
        queryClient.invalidateQueries({ queryKey: inboxQueryKey }),
      ]);
    },
  });
}

function NoteField({ id, value, onChange }: { id: string; value: string; onChange: (value: string) => void }) {
  const { t } = useTranslation('operator');
  return (
    <div className="mb-3">
      <label htmlFor={id} className="form-label">
        {t('referrals.answer.note')}
      </label>
      <textarea id={id} className="form-control" rows={2} maxLength={2000} value={value} onChange={(event) => onChange(event.target.value)} />
    </div>
  );
}

/** "Tomorrow at 09:00" as a datetime-local value: a usual first appointment, and never in the past. */
function defaultAppointment(): string {
  const day = new Date();
  day.setDate(day.getDate() + 1);
  day.setHours(9, 0, 0, 0);
  return new Date(day.getTime() - day.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function AcceptForm({ referral, onDone }: { referral: ReferralDetail; onDone: (message: string) => void }) {
  const { t } = useTranslation('operator');
  const id = useId();
  const [appointment, setAppointment] = useState(defaultAppointment);
  const [note, setNote] = useState('');
  const accept = useAnswer(
    referral,
    () =>
      unwrap(
        api.POST('/referrals/{referralId}/accept', {
          params: { path: { referralId: referral.referralId } },
          body: { firstAppointmentAt: new Date(appointment).toISOString(), ...(note.trim() ? { note: note.trim() } : {}) },
        }),
      ),
    () => onDone(t('referrals.answer.accepted')),
  );
  const { fieldErrors, rest } = splitProblem(accept.error, ['firstAppointmentAt', 'note']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    accept.mutate();
  };
  return (
    <form onSubmit={submit} noValidate className="mt-3" aria-labelledby={`${id}-title`} data-testid="referral-accept-form">
      <h3 className="h5" id={`${id}-title`}>
        {t('referrals.answer.acceptTitle')}
      </h3>
      <div className="mb-3">
        <label htmlFor={`${id}-appointment`} className="form-label active">
          {t('referrals.answer.firstAppointment')}
        </label>
        <input
          id={`${id}-appointment`}
          type="datetime-local"
          className={`form-control${fieldErrors.firstAppointmentAt ? ' is-invalid' : ''}`}
          value={appointment}
          required
          aria-describedby={`${id}-appointment-hint${fieldErrors.firstAppointmentAt ? ` ${id}-appointment-error` : ''}`}
          aria-invalid={fieldErrors.firstAppointmentAt ? true : undefined}
          onChange={(event) => setAppointment(event.target.value)}
        />
        <small id={`${id}-appointment-hint`} className="form-text">
          {t('referrals.answer.firstAppointmentHint')}
        </small>
        <FieldError id={`${id}-appointment-error`} message={fieldErrors.firstAppointmentAt} />
      </div>
      <NoteField id={`${id}-note`} value={note} onChange={setNote} />
      {accept.isError && rest ? <ProblemAlert error={accept.error} /> : null}
      <button type="submit" className="btn btn-primary" disabled={accept.isPending || appointment === ''}>
        {accept.isPending ? t('caseActions.busy') : t('referrals.answer.accept')}
      </button>
    </form>
  );
}

/** Rejecting with a reason code, or reporting an outcome code: a choice among the step's options. */
function CodedAnswerForm({ referral, answer, onDone }: { referral: ReferralDetail; answer: 'reject' | 'outcome'; onDone: (message: string) => void }) {
  const { t, i18n } = useTranslation('operator');
  const id = useId();
  const options = (answer === 'reject' ? referral.step?.rejectionReasons : referral.step?.outcomes) ?? [];
  const field = answer === 'reject' ? 'reasonCode' : 'outcome';
  const [code, setCode] = useState('');
  const [note, setNote] = useState('');
  const send = useAnswer(
    referral,
    () => {
      const params = { path: { referralId: referral.referralId } };
      const extra = note.trim() ? { note: note.trim() } : {};
      return answer === 'reject'
        ? unwrap(api.POST('/referrals/{referralId}/reject', { params, body: { reasonCode: code, ...extra } }))
        : unwrap(api.POST('/referrals/{referralId}/outcome', { params, body: { outcome: code, ...extra } }));
    },
    () => onDone(t(answer === 'reject' ? 'referrals.answer.rejected' : 'referrals.answer.outcomeReported')),
  );
  const { fieldErrors, rest } = splitProblem(send.error, [field, 'note']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate();
  };
  return (
    <form onSubmit={submit} noValidate className="mt-3" aria-labelledby={`${id}-title`} data-testid={`referral-${answer}-form`}>
      <h3 className="h5" id={`${id}-title`}>
        {t(answer === 'reject' ? 'referrals.answer.rejectTitle' : 'referrals.answer.outcomeTitle')}
      </h3>
      <div className="select-wrapper mb-3">
        <label htmlFor={`${id}-code`}>{t(answer === 'reject' ? 'referrals.answer.reason' : 'referrals.answer.outcome')}</label>
        <select
          id={`${id}-code`}
          className={`form-select${fieldErrors[field] ? ' is-invalid' : ''}`}
          value={code}
          required
          aria-describedby={fieldErrors[field] ? `${id}-code-error` : undefined}
          aria-invalid={fieldErrors[field] ? true : undefined}
          onChange={(event) => setCode(event.target.value)}
        >
          <option value="" disabled>
            {t('form.choose')}
          </option>
          {options.map((option) => (
            <option key={option.code} value={option.code}>
              {localized(option.label, i18n.language)}
            </option>
          ))}
        </select>
        <FieldError id={`${id}-code-error`} message={fieldErrors[field]} />
      </div>
      <NoteField id={`${id}-note`} value={note} onChange={setNote} />
      {send.isError && rest ? <ProblemAlert error={send.error} /> : null}
      <button type="submit" className={`btn ${answer === 'reject' ? 'btn-outline-danger' : 'btn-primary'}`} disabled={send.isPending || code === ''}>
        {send.isPending ? t('caseActions.busy') : t(answer === 'reject' ? 'referrals.answer.reject' : 'referrals.answer.reportOutcome')}
      </button>
    </form>
  );
}

/** The answers the referral's status allows, behind buttons that open one form at a time. */
export function ReferralAnswerForms({ referral, onDone }: { referral: ReferralDetail; onDone: (message: string) => void }) {
  const { t } = useTranslation('operator');
  const id = useId();
  const answers: Answer[] = referral.status === 'pending' ? ['accept', 'reject'] : referral.status === 'accepted' ? ['outcome'] : [];
  const [open, setOpen] = useState<Answer | null>(answers.length === 1 ? answers[0] : null);
  if (answers.length === 0) return null;
  const done = (message: string) => {
    setOpen(null);
    onDone(message);
  };
  return (
    <section aria-labelledby={`${id}-title`} className="mt-3" data-testid="referral-answers">
      <h2 className="h4" id={`${id}-title`}>
        {t('referrals.answer.title')}
      </h2>
      {answers.length > 1 ? (
        <div className="d-flex flex-wrap gap-2">
          {answers.map((answer) => (
            <button key={answer} type="button" className="btn btn-outline-primary btn-sm" aria-expanded={open === answer} aria-controls={`${id}-panel`} onClick={() => setOpen((current) => (current === answer ? null : answer))}>
              {t(`referrals.answer.open.${answer}`)}
            </button>
          ))}
        </div>
      ) : null}
      <div id={`${id}-panel`}>
        {open === 'accept' ? <AcceptForm referral={referral} onDone={done} /> : null}
        {open === 'reject' || open === 'outcome' ? <CodedAnswerForm key={open} referral={referral} answer={open} onDone={done} /> : null}
      </div>
    </section>
  );
}
