/**
 * A case seen by its area manager: the shared case summary and timeline, and the interventions on
 * each open task (reassign to a person or back to the service's queue; extend the deadline), each
 * answering with what changed.
 */
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { Breadcrumb } from '../../components/Breadcrumb';
import { CaseSummary, CaseTimeline, stepTitle, useCaseDetail, usePathwayVersion } from '../cases';
import { StalledReasonList, useStalledEntry } from './StalledCases';
import { TaskInterventions } from './TaskInterventions';

export function CaseDrillDownPage() {
  const { t, i18n } = useTranslation('supervisor');
  const { caseId = '' } = useParams();
  const detail = useCaseDetail(caseId);
  const pathway = usePathwayVersion(detail.data?.pathwayKey, detail.data?.pathwayVersion);
  const stalled = useStalledEntry(caseId, detail.data?.areaId);
  const reference = detail.data?.reference;
  const titleOf = (stepId: string) => stepTitle(pathway.data?.definition, stepId, i18n.language);

  return (
    <>
      <Breadcrumb items={[{ to: '/console/supervision', label: t('dashboard.title') }, { label: reference ? t('drillDown.crumb', { reference }) : t('drillDown.caseLoading') }]} />
      <h1 className="h2">{reference ? t('drillDown.title', { reference }) : t('drillDown.caseLoading')}</h1>
      <section aria-labelledby="stalled-title" className="mb-4" data-testid="case-stalled">
        <h2 className="h4" id="stalled-title">
          {t('drillDown.stalledTitle')}
        </h2>
        <div aria-live="polite">
          {stalled.isError ? <ProblemAlert error={stalled.error} /> : null}
          {stalled.data === null ? <p data-testid="case-not-stalled">{t('drillDown.notStalled')}</p> : null}
          {stalled.data ? <StalledReasonList reasons={stalled.data.reasons} /> : null}
        </div>
      </section>
      <CaseSummary caseId={caseId} />
      <section aria-labelledby="interventions-title" className="mt-4">
        <h2 className="h4" id="interventions-title">
          {t('drillDown.interventions')}
        </h2>
        {detail.isPending ? <PageLoading /> : null}
        {detail.isError ? <ProblemAlert error={detail.error} /> : null}
        {detail.data && detail.data.openTasks.length === 0 ? <p>{t('drillDown.noOpenTasks')}</p> : null}
        {detail.data?.openTasks.map((task) => (
          <TaskInterventions key={task.taskId} task={task} stepTitle={titleOf(task.stepId)} />
        ))}
      </section>
      <CaseTimeline caseId={caseId} />
    </>
  );
}
