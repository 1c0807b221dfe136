/**
 * Small pieces every command form shares: the API's field messages split from the rest of a
 * problem, a message under a field, and the reason field that commands put on the case timeline.
 */
import { useTranslation } from 'react-i18next';
import { ProblemError } from '../api/problem';

/** Field messages the API named among `fields`, and whether anything is left for the general alert. */
export function splitProblem(error: unknown, fields: string[]): { fieldErrors: Record<string, string>; rest: boolean } {
  if (!(error instanceof ProblemError)) return { fieldErrors: {}, rest: Boolean(error) };
  const fieldErrors = Object.fromEntries(Object.entries(error.fieldErrors).filter(([path]) => fields.includes(path)));
  return { fieldErrors, rest: Object.keys(fieldErrors).length === 0 };
}

/** The message under a field (its id is what the field's aria-describedby names). */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <div id={id} className="form-feedback text-danger small mt-1">
      {message}
    </div>
  );
}

/** A reason (it goes on the case's timeline and in the audit log), with the API's message when refused. */
export function ReasonField({ id, value, error, required = true, onChange }: { id: string; value: string; error: string | undefined; required?: boolean; onChange: (value: string) => void }) {
  const { t } = useTranslation('supervisor');
  return (
    <div className="mb-3">
      <label htmlFor={id} className="form-label">
        {required ? t('reason.label') : t('reason.optionalLabel')}
      </label>
      <textarea
        id={id}
        className={`form-control${error ? ' is-invalid' : ''}`}
        rows={2}
        value={value}
        required={required}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        aria-invalid={error ? true : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      <small id={`${id}-hint`} className="form-text">
        {t('reason.hint')}
      </small>
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
