/**
 * A case (`/console/cases/:caseId`): its summary (where it is, who holds it, open tasks), the
 * lifecycle actions (suspend, resume, close, cancel), a note, the form to record a contact or a
 * failed attempt, the transfer request for area managers, documents, and the timeline of its
 * events (which every command refreshes).
 */
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { useSession } from '../../auth/session';
import { ProblemAlert } from '../../components/feedback';
import { CaseSummary, useCaseDetail } from '../cases/CaseSummary';
import { CaseTimeline } from '../cases/CaseTimeline';
import { Breadcrumb } from '../../components/Breadcrumb';
import { DocumentsPanel } from '../persons/DocumentsPanel';
import { CaseLifecycleActions } from './CaseLifecycleActions';
import { CaseNoteForm } from './CaseNoteForm';
import { FlashMessage } from './FlashMessage';
import { RecordContactForm } from './RecordContactForm';
import { TransferCaseForm } from './TransferCaseForm';
import { CaseTransfersPanel } from '../transfers/CaseTransfersPanel';
import { ContactPauseNotice } from '../contacts/ContactPauseNotice';

export default function CasePage() {
  const { caseId = '' } = useParams();
  const { t } = useTranslation('operator');
  const session = useSession();
  const detail = useCaseDetail(caseId);
  const open = detail.data?.status === 'active' || detail.data?.status === 'suspended';
  const worksCases = session.hasRole('operator', 'supervisor');
  const reference = detail.data?.reference ?? '…';
  return (
    <>
      <Breadcrumb
        items={[
          { label: t('breadcrumb.inbox'), to: '/console/inbox' },
          { label: t('breadcrumb.cases'), to: '/console/cases' },
          { label: t('cases.breadcrumb', { reference }) },
        ]}
      />
      <h1 className="h2">{t('cases.title', { reference })}</h1>
      <FlashMessage />
      {detail.isError ? (
        <ProblemAlert error={detail.error} />
      ) : (
        <>
          <CaseSummary caseId={caseId} />
          {detail.data ? <CaseLifecycleActions detail={detail.data} /> : null}
          {worksCases && detail.data && open ? <CaseNoteForm caseId={caseId} /> : null}
          {worksCases && detail.data && open ? <RecordContactForm caseId={caseId} /> : null}
          {detail.data ? <ContactPauseNotice caseId={caseId} /> : null}
          {detail.data ? <CaseTransfersPanel caseId={caseId} /> : null}
          {session.hasRole('supervisor') && detail.data && open ? <TransferCaseForm detail={detail.data} /> : null}
          {session.hasRole('operator', 'supervisor', 'admin') && detail.data ? <DocumentsPanel caseId={caseId} mayUpload={open} /> : null}
          <CaseTimeline caseId={caseId} />
        </>
      )}
    </>
  );
}
