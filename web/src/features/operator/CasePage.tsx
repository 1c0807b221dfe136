/**
 * A case (`/console/cases/:caseId`): its summary and open tasks, the form to record a contact or a
 * failed attempt, and the timeline of its events (which the contact form refreshes).
 */
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { useSession } from '../../auth/session';
import { ProblemAlert } from '../../components/feedback';
import { CaseSummary, useCaseDetail } from '../cases/CaseSummary';
import { CaseTimeline } from '../cases/CaseTimeline';
import { Breadcrumb } from '../../components/Breadcrumb';
import { DocumentsPanel } from '../persons/DocumentsPanel';
import { FlashMessage } from './FlashMessage';
import { RecordContactForm } from './RecordContactForm';

export default function CasePage() {
  const { caseId = '' } = useParams();
  const { t } = useTranslation('operator');
  const session = useSession();
  const detail = useCaseDetail(caseId);
  const mayRecordContact = session.hasRole('operator', 'supervisor');
  const reference = detail.data?.reference ?? '…';
  return (
    <>
      <Breadcrumb items={[{ label: t('breadcrumb.inbox'), to: '/console/inbox' }, { label: t('cases.breadcrumb', { reference }) }]} />
      <h1 className="h2">{t('cases.title', { reference })}</h1>
      <FlashMessage />
      {detail.isError ? (
        <ProblemAlert error={detail.error} />
      ) : (
        <>
          <CaseSummary caseId={caseId} />
          {mayRecordContact && detail.data && (detail.data.status === 'active' || detail.data.status === 'suspended') ? <RecordContactForm caseId={caseId} /> : null}
          {session.hasRole('operator', 'supervisor', 'admin') && detail.data ? (
            <DocumentsPanel caseId={caseId} mayUpload={detail.data.status === 'active' || detail.data.status === 'suspended'} />
          ) : null}
          <CaseTimeline caseId={caseId} />
        </>
      )}
    </>
  );
}
