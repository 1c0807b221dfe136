/**
 * Where a case is and who holds it: each open step with the service that works it (from the pinned
 * pathway version) and, for the tasks the reader may see, the person or the service's queue. Without
 * it a front-desk operator who has just started a case read "no open tasks" while the case was
 * waiting on the street unit, and could not tell whom to call.
 */
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { formatDateTime, stepTitle, type PathwayDefinition } from './format';

type CaseDetail = Schemas['CaseDetail'];

type Holder = { kind: 'service' | 'referral'; service: string } | { kind: 'waiting' } | { kind: 'system' };

/** Who works a step: a task's service, a referral's receiving service, or the clock for a wait. */
function holderOf(definition: PathwayDefinition | undefined, stepId: string): Holder {
  const step = definition?.steps[stepId] as { kind?: string; assignee?: { service: string }; to?: { service: string } } | undefined;
  if (step?.kind === 'task' && step.assignee) return { kind: 'service', service: step.assignee.service };
  if (step?.kind === 'referral' && step.to) return { kind: 'referral', service: step.to.service };
  if (step?.kind === 'wait' || step?.kind === 'recurring') return { kind: 'waiting' };
  return { kind: 'system' };
}

/** One line per open step: its title, who holds it, and the person when the reader sees the task. */
export function CaseWhereabouts({ detail, definition }: { detail: CaseDetail; definition: PathwayDefinition | undefined }) {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  if (detail.status === 'closed' || detail.status === 'cancelled') {
    return <p data-testid="case-whereabouts">{t('cases.where.ended', { status: t(`caseStatus.${detail.status}`) })}</p>;
  }
  return (
    <div data-testid="case-whereabouts">
      {detail.status === 'suspended' && detail.suspendedAt ? <p className="alert alert-warning">{t('cases.where.suspended', { since: formatDateTime(detail.suspendedAt, language) })}</p> : null}
      {detail.openStepIds.length === 0 ? (
        <p>{t('cases.where.nothingOpen')}</p>
      ) : (
        <ul className="mb-0">
          {detail.openStepIds.map((stepId) => {
            const holder = holderOf(definition, stepId);
            const tasks = detail.openTasks.filter((task) => task.stepId === stepId);
            const service = holder.kind === 'service' || holder.kind === 'referral' ? t(`services.${holder.service}`, { defaultValue: holder.service }) : '';
            const who =
              tasks.length > 0
                ? tasks.map((task) => (task.assigneeId ? t('cases.where.person', { person: task.assigneeId, service: t(`services.${task.service}`, { defaultValue: task.service }) }) : t('cases.where.queue', { service: t(`services.${task.service}`, { defaultValue: task.service }) }))).join('; ')
                : holder.kind === 'service'
                  ? t('cases.where.otherService', { service })
                  : holder.kind === 'referral'
                    ? t('cases.where.referral', { service })
                    : t(`cases.where.${holder.kind}`);
            return (
              <li key={stepId} data-testid="case-where-step" data-step-id={stepId}>
                <strong>{stepTitle(definition, stepId, language)}</strong>: {who}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
