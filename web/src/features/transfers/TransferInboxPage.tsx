/**
 * Transfers waiting for me (`/console/transfers`, area managers): requests from other areas to take
 * a case into mine, oldest first, each with the sending area's reason; accept (the case and its open
 * tasks come to my area) or refuse with a reason the sending area reads.
 */
import { Alert } from 'design-react-kit';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { ReasonField, splitProblem } from '../../components/form-fields';
import { formatDateTime } from '../cases/format';
import { useAnswerTransfer, useIncomingTransfers, type Transfer } from './transfer-queries';

function TransferRow({ transfer, onAnswered }: { transfer: Transfer; onAnswered: (result: Transfer) => void }) {
  const { t, i18n } = useTranslation('loop');
  const id = useId();
  const [refusing, setRefusing] = useState(false);
  const [reason, setReason] = useState('');
  const answer = useAnswerTransfer(transfer, onAnswered);
  const { fieldErrors, rest } = splitProblem(answer.error, ['reason']);
  const area = (areaId: string) => t(`areas.${areaId}`, { defaultValue: areaId });
  const refuse = (event: FormEvent) => {
    event.preventDefault();
    answer.mutate({ verb: 'refuse', reason });
  };
  return (
    <li className="card card-bg mb-3" data-testid={`transfer-${transfer.caseId}`}>
      <div className="card-body">
        <h2 className="h5 card-title" id={`${id}-title`}>
          <span className="text-nowrap">{transfer.reference}</span> · {t('transfers.from', { area: area(transfer.fromAreaId) })}
        </h2>
        <dl className="row small mb-2">
          <dt className="col-sm-3">{t('transfers.requested')}</dt>
          <dd className="col-sm-9">{t('transfers.requestedBy', { who: transfer.requestedBy, when: formatDateTime(transfer.requestedAt, i18n.language) })}</dd>
          <dt className="col-sm-3">{t('transfers.reason')}</dt>
          <dd className="col-sm-9">{transfer.reason ?? t('transfers.noReason')}</dd>
        </dl>
        {answer.isError && rest ? <ProblemAlert error={answer.error} /> : null}
        {refusing ? (
          <form onSubmit={refuse} noValidate aria-labelledby={`${id}-title`}>
            <ReasonField id={`${id}-reason`} value={reason} error={fieldErrors.reason} onChange={setReason} />
            <button type="submit" className="btn btn-danger me-2" disabled={answer.isPending || reason.trim() === ''}>
              {t('transfers.refuse')}
            </button>
            <button type="button" className="btn btn-outline-secondary" onClick={() => setRefusing(false)}>
              {t('transfers.cancel')}
            </button>
          </form>
        ) : (
          <div className="d-flex gap-2 flex-wrap">
            <button type="button" className="btn btn-primary" disabled={answer.isPending} onClick={() => answer.mutate({ verb: 'accept' })}>
              {t('transfers.accept')}
            </button>
            <button type="button" className="btn btn-outline-danger" disabled={answer.isPending} onClick={() => setRefusing(true)}>
              {t('transfers.refuseOpen')}
            </button>
          </div>
        )}
      </div>
    </li>
  );
}

export default function TransferInboxPage() {
  const { t } = useTranslation('loop');
  const transfers = useIncomingTransfers();
  const [answered, setAnswered] = useState<Transfer | null>(null);
  const items = transfers.data?.items ?? [];
  return (
    <>
      <h1 className="h2">{t('transfers.title')}</h1>
      <p>{t('transfers.intro')}</p>
      <div aria-live="polite" role="status">
        {answered ? (
          <Alert color="success">
            {answered.status === 'accepted' ? (
              <>
                {t('transfers.accepted', { reference: answered.reference })} <Link to={`/console/cases/${answered.caseId}`}>{t('transfers.openCase')}</Link>
              </>
            ) : (
              t('transfers.refused', { reference: answered.reference })
            )}
          </Alert>
        ) : null}
      </div>
      {transfers.isPending ? <PageLoading /> : null}
      {transfers.isError ? <ProblemAlert error={transfers.error} /> : null}
      {transfers.isSuccess && items.length === 0 ? <p className="text-muted">{t('transfers.none')}</p> : null}
      <ul className="list-unstyled">
        {items.map((transfer) => (
          <TransferRow key={`${transfer.caseId}:${transfer.transferId}`} transfer={transfer} onAnswered={setAnswered} />
        ))}
      </ul>
    </>
  );
}
