/**
 * Record a contact with the person or a failed attempt (POST /cases/{id}/contacts). Only a
 * successful contact moves the case's "last contact"; both appear on the timeline, which is
 * refreshed after the answer.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { ProblemError } from '../../api/problem';
import { ProblemAlert } from '../../components/feedback';
import { caseQueryKey } from '../cases/CaseSummary';
import { timelineQueryKey } from '../cases/CaseTimeline';

type Contact = Schemas['RecordContact'];
const outcomes: Contact['outcome'][] = ['reached', 'failed_attempt'];
const channels: Contact['channel'][] = ['phone', 'visit', 'email', 'office', 'other'];

/** Now as the value of a datetime-local input (local time, minutes). */
function localNow(): string {
  const now = new Date();
  now.setSeconds(0, 0);
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export function RecordContactForm({ caseId }: { caseId: string }) {
  const { t } = useTranslation('operator');
  const queryClient = useQueryClient();
  const [outcome, setOutcome] = useState<Contact['outcome']>('reached');
  const [channel, setChannel] = useState<Contact['channel']>('office');
  const [at, setAt] = useState(localNow);
  const [note, setNote] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const record = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/cases/{caseId}/contacts', {
          params: { path: { caseId } },
          body: { outcome, channel, at: new Date(at).toISOString(), ...(note.trim() ? { note: note.trim() } : {}) },
        }),
      ),
    onSuccess: async () => {
      setDone(`${t('contact.done')} ${t(`contact.outcomes.${outcome}`)}.`);
      setNote('');
      await Promise.all([queryClient.invalidateQueries({ queryKey: caseQueryKey(caseId) }), queryClient.invalidateQueries({ queryKey: timelineQueryKey(caseId) })]);
    },
    onMutate: () => setDone(null),
  });
  const atError = record.error instanceof ProblemError ? record.error.fieldErrors.at : undefined;
  return (
    <section aria-labelledby="contact-title" className="mt-4">
      <h2 className="h4" id="contact-title">
        {t('contact.title')}
      </h2>
      <p className="small">{t('contact.intro')}</p>
      <form
        data-testid="contact-form"
        onSubmit={(event) => {
          event.preventDefault();
          record.mutate();
        }}
      >
        <fieldset className="mb-3">
          <legend className="fs-6 fw-semibold mb-2 px-0">{t('contact.outcome')}</legend>
          <div className="d-flex gap-4 flex-wrap">
            {outcomes.map((value) => (
              <div className="form-check my-1" key={value}>
                <input id={`contact-outcome-${value}`} type="radio" name="contact-outcome" className="form-check-input" checked={outcome === value} onChange={() => setOutcome(value)} />
                <label htmlFor={`contact-outcome-${value}`} className="form-check-label">
                  {t(`contact.outcomes.${value}`)}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
        <div className="row g-3">
          <div className="col-12 col-md-4">
            <label htmlFor="contact-channel" className="form-label fw-semibold">
              {t('contact.channel')}
            </label>
            <select id="contact-channel" className="form-select" value={channel} onChange={(event) => setChannel(event.target.value as Contact['channel'])}>
              {channels.map((value) => (
                <option key={value} value={value}>
                  {t(`contact.channels.${value}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="col-12 col-md-4">
            <label htmlFor="contact-at" className="form-label fw-semibold">
              {t('contact.at')}
            </label>
            <input
              id="contact-at"
              type="datetime-local"
              className={`form-control${atError ? ' is-invalid' : ''}`}
              required
              max={localNow()}
              value={at}
              aria-describedby={atError ? 'contact-at-error' : undefined}
              onChange={(event) => setAt(event.target.value)}
            />
            {atError ? (
              <span id="contact-at-error" className="invalid-feedback d-block">
                {atError}
              </span>
            ) : null}
          </div>
          <div className="col-12 col-md-4">
            <label htmlFor="contact-note" className="form-label fw-semibold">
              {t('contact.note')}
            </label>
            <input id="contact-note" type="text" className="form-control" maxLength={2000} value={note} onChange={(event) => setNote(event.target.value)} />
          </div>
        </div>
        {record.isError && !atError ? <ProblemAlert error={record.error} /> : null}
        <div aria-live="polite" role="status">
          {done ? (
            <div className="alert alert-success mt-3" data-testid="contact-done">
              {done}
            </div>
          ) : null}
        </div>
        <button type="submit" className="btn btn-primary mt-3" disabled={record.isPending}>
          {t('contact.submit')}
        </button>
      </form>
    </section>
  );
}
