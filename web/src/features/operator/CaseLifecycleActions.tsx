/**
 * The case's lifecycle from its page: suspend with a reason (the clocks pause) and resume; for area
 * managers, close with one of the pathway's outcomes or cancel, each with a reason. The API and the
 * workflow decide who may; the buttons shown follow the same roles so nobody meets a refusal.
 */
import { Alert } from 'design-react-kit';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { ProblemAlert } from '../../components/feedback';
import { FieldError, ReasonField, splitProblem } from '../../components/form-fields';
import { useCaseCommand } from '../cases/case-commands';
import { closingOutcomes } from '../cases/closing-outcomes';
import { usePathwayVersion } from '../cases/format';

type CaseDetail = Schemas['CaseDetail'];
type Action = 'suspend' | 'resume' | 'close' | 'cancel';

function LifecycleForm({ detail, action, onDone }: { detail: CaseDetail; action: Action; onDone: (message: string) => void }) {
  const { t, i18n } = useTranslation('operator');
  const id = useId();
  const pathway = usePathwayVersion(detail.pathwayKey, detail.pathwayVersion);
  const outcomes = closingOutcomes(pathway.data?.definition, i18n.language);
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState('');
  const caseId = detail.caseId;
  const command = useCaseCommand(
    caseId,
    () => {
      const path = { params: { path: { caseId } } };
      const trimmed = reason.trim();
      if (action === 'suspend') return unwrap(api.POST('/cases/{caseId}/suspend', { ...path, body: { reason } }));
      if (action === 'resume') return unwrap(api.POST('/cases/{caseId}/resume', { ...path, body: trimmed ? { reason } : {} }));
      if (action === 'cancel') return unwrap(api.POST('/cases/{caseId}/cancel', { ...path, body: { reason } }));
      return unwrap(api.POST('/cases/{caseId}/close', { ...path, body: { outcome, ...(trimmed ? { reason } : {}) } }));
    },
    () => onDone(t(`caseActions.${action}.done`)),
  );
  const { fieldErrors, rest } = splitProblem(command.error, ['reason', 'outcome']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    command.mutate(undefined);
  };
  const reasonRequired = action === 'suspend' || action === 'cancel';
  return (
    <form onSubmit={submit} noValidate className="mt-3" aria-labelledby={`${id}-title`} data-testid={`case-${action}-form`}>
      <h3 className="h6" id={`${id}-title`}>
        {t(`caseActions.${action}.title`)}
      </h3>
      {action === 'close' ? (
        <div className="select-wrapper mb-3">
          <label htmlFor={`${id}-outcome`}>{t('caseActions.close.outcome')}</label>
          <select
            id={`${id}-outcome`}
            className={`form-select${fieldErrors.outcome ? ' is-invalid' : ''}`}
            value={outcome}
            required
            aria-describedby={fieldErrors.outcome ? `${id}-outcome-error` : undefined}
            aria-invalid={fieldErrors.outcome ? true : undefined}
            onChange={(event) => setOutcome(event.target.value)}
          >
            <option value="" disabled>
              {t('form.choose')}
            </option>
            {outcomes.map((option) => (
              <option key={option.code} value={option.code}>
                {option.label}
              </option>
            ))}
          </select>
          <FieldError id={`${id}-outcome-error`} message={fieldErrors.outcome} />
        </div>
      ) : null}
      <ReasonField id={`${id}-reason`} value={reason} error={fieldErrors.reason} required={reasonRequired} onChange={setReason} />
      {command.isError && rest ? <ProblemAlert error={command.error} /> : null}
      <button
        type="submit"
        className={`btn ${action === 'cancel' ? 'btn-danger' : 'btn-primary'}`}
        disabled={command.isPending || (reasonRequired && reason.trim() === '') || (action === 'close' && outcome === '')}
      >
        {command.isPending ? t('caseActions.busy') : t(`caseActions.${action}.submit`)}
      </button>
    </form>
  );
}

/** The lifecycle buttons a reader's roles allow for the case's status, each opening its form. */
export function CaseLifecycleActions({ detail }: { detail: CaseDetail }) {
  const { t } = useTranslation('operator');
  const { hasRole } = useSession();
  const id = useId();
  const [open, setOpen] = useState<Action | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const actions: Action[] = [];
  if (detail.status === 'active' && hasRole('operator', 'supervisor', 'admin')) actions.push('suspend');
  if (detail.status === 'suspended' && hasRole('operator', 'supervisor', 'admin')) actions.push('resume');
  if ((detail.status === 'active' || detail.status === 'suspended') && hasRole('supervisor', 'admin')) actions.push('close', 'cancel');
  if (actions.length === 0 && !done) return null;
  return (
    <section aria-labelledby={`${id}-title`} className="mt-4" data-testid="case-lifecycle">
      <h2 className="h4" id={`${id}-title`}>
        {t('caseActions.title')}
      </h2>
      <div aria-live="polite" role="status">
        {done ? <Alert color="success">{done}</Alert> : null}
      </div>
      <div className="d-flex flex-wrap gap-2">
        {actions.map((action) => (
          <button
            key={action}
            type="button"
            className="btn btn-outline-primary btn-sm"
            aria-expanded={open === action}
            aria-controls={`${id}-panel`}
            onClick={() => {
              setDone(null);
              setOpen((current) => (current === action ? null : action));
            }}
          >
            {t(`caseActions.${action}.open`)}
          </button>
        ))}
      </div>
      <div id={`${id}-panel`}>
        {open && actions.includes(open) ? (
          <LifecycleForm
            key={open}
            detail={detail}
            action={open}
            onDone={(message) => {
              setDone(message);
              setOpen(null);
            }}
          />
        ) : null}
      </div>
    </section>
  );
}
