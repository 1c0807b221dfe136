/**
 * An area manager asks to move the case to another area, with a reason. The call is
 * `requestTransfer` (features/cases/case-commands.ts), the one place that knows how a transfer is
 * sent. The areas offered are the pilot areas the console knows by name, except the case's own.
 */
import { Alert } from 'design-react-kit';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { ProblemAlert } from '../../components/feedback';
import { FieldError, ReasonField, splitProblem } from '../../components/form-fields';
import { requestTransfer, useCaseCommand } from '../cases/case-commands';

type CaseDetail = Schemas['CaseDetail'];

export function TransferCaseForm({ detail }: { detail: CaseDetail }) {
  const { t } = useTranslation('operator');
  const id = useId();
  const areas = Object.keys(t('areas', { returnObjects: true }) as Record<string, string>).filter((area) => area !== detail.areaId);
  const [areaId, setAreaId] = useState('');
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const transfer = useCaseCommand(
    detail.caseId,
    () => requestTransfer(detail.caseId, { areaId, reason }),
    () => {
      // The case stays here until the receiving area accepts: name the area asked, not the case's.
      setDone(t('transfer.done', { area: t(`areas.${areaId}`, { defaultValue: areaId }) }));
      setReason('');
      setAreaId('');
    },
  );
  const { fieldErrors, rest } = splitProblem(transfer.error, ['areaId', 'reason']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    transfer.mutate(undefined);
  };
  return (
    <section aria-labelledby={`${id}-title`} className="mt-4">
      <h2 className="h4" id={`${id}-title`}>
        {t('transfer.title')}
      </h2>
      <p className="small">{t('transfer.intro')}</p>
      <form onSubmit={submit} noValidate data-testid="transfer-form">
        <div className="select-wrapper mb-3">
          <label htmlFor={`${id}-area`}>{t('transfer.area')}</label>
          <select
            id={`${id}-area`}
            className={`form-select${fieldErrors.areaId ? ' is-invalid' : ''}`}
            value={areaId}
            required
            aria-describedby={fieldErrors.areaId ? `${id}-area-error` : undefined}
            aria-invalid={fieldErrors.areaId ? true : undefined}
            onChange={(event) => setAreaId(event.target.value)}
          >
            <option value="" disabled>
              {t('form.choose')}
            </option>
            {areas.map((area) => (
              <option key={area} value={area}>
                {t(`areas.${area}`)}
              </option>
            ))}
          </select>
          <FieldError id={`${id}-area-error`} message={fieldErrors.areaId} />
        </div>
        <ReasonField id={`${id}-reason`} value={reason} error={fieldErrors.reason} onChange={setReason} />
        {transfer.isError && rest ? <ProblemAlert error={transfer.error} /> : null}
        <div aria-live="polite" role="status">
          {done ? <Alert color="success">{done}</Alert> : null}
        </div>
        <button type="submit" className="btn btn-outline-primary" disabled={transfer.isPending || areaId === '' || reason.trim() === ''}>
          {transfer.isPending ? t('caseActions.busy') : t('transfer.submit')}
        </button>
      </form>
    </section>
  );
}
