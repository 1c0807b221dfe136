/**
 * A case's transfer requests on its page: the one waiting for the receiving area (which the sending
 * area's managers may withdraw) and the latest answer, with the receiving area's reason when refused.
 */
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { ProblemAlert } from '../../components/feedback';
import { formatDateTime } from '../cases/format';
import { useAnswerTransfer, useCaseTransfers, type Transfer } from './transfer-queries';

function WithdrawButton({ transfer }: { transfer: Transfer }) {
  const { t } = useTranslation('loop');
  const withdraw = useAnswerTransfer(transfer);
  return (
    <>
      {withdraw.isError ? <ProblemAlert error={withdraw.error} /> : null}
      <button type="button" className="btn btn-outline-secondary btn-sm" disabled={withdraw.isPending} onClick={() => withdraw.mutate({ verb: 'withdraw' })}>
        {t('caseTransfers.withdraw')}
      </button>
    </>
  );
}

export function CaseTransfersPanel({ caseId }: { caseId: string }) {
  const { t, i18n } = useTranslation('loop');
  const id = useId();
  const { hasRole } = useSession();
  const transfers = useCaseTransfers(caseId);
  const [latest] = transfers.data?.items ?? [];
  if (!latest) return null;
  const area = (areaId: string) => t(`areas.${areaId}`, { defaultValue: areaId });
  const when = (value: string | null) => formatDateTime(value, i18n.language);
  return (
    <section aria-labelledby={`${id}-title`} className="mt-4" data-testid="case-transfers">
      <h2 className="h4" id={`${id}-title`}>
        {t('caseTransfers.title')}
      </h2>
      {latest.status === 'pending' ? (
        <div className="callout note">
          <p className="mb-2">{t('caseTransfers.pending', { area: area(latest.toAreaId), when: when(latest.requestedAt) })}</p>
          {latest.reason ? <p className="small mb-2">{t('caseTransfers.reason', { reason: latest.reason })}</p> : null}
          {hasRole('supervisor') ? <WithdrawButton transfer={latest} /> : null}
        </div>
      ) : (
        <p>
          {t(`caseTransfers.${latest.status}`, { area: area(latest.toAreaId), when: when(latest.answeredAt), who: latest.answeredBy ?? '' })}
          {latest.answerReason ? ` ${t('caseTransfers.reason', { reason: latest.answerReason })}` : ''}
        </p>
      )}
    </section>
  );
}
