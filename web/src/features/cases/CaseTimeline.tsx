/**
 * The timeline of a case, oldest first: every event with its time, who did it and, where it helps,
 * what it said (step, deadline, contact outcome, reason). Pages through the API's cursor with
 * "show more". Shared: the supervisor's drill-down embeds it too.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { formatDateTime, stepTitle, usePathwayVersion, type PathwayDefinition } from './format';
import { useCaseDetail } from './CaseSummary';

type CaseEvent = Schemas['CaseEvent'];

/** Query key of a case's timeline; invalidate it after a command on the case. */
export const timelineQueryKey = (caseId: string) => ['case', caseId, 'timeline'] as const;

const pageSize = 100;

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function EventDetails({ event, definition }: { event: CaseEvent; definition: PathwayDefinition | undefined }) {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  const details = event.details;
  const parts: string[] = [];
  const reason = text(details.reason);
  switch (event.type) {
    case 'task_created':
      if (text(details.service)) parts.push(t(`services.${String(details.service)}`, { defaultValue: String(details.service) }));
      if (text(details.dueAt)) parts.push(t('timeline.details.dueAt', { date: formatDateTime(String(details.dueAt), language) }));
      break;
    case 'deadline_extended':
      if (text(details.dueAt)) parts.push(t('timeline.details.newDueAt', { date: formatDateTime(String(details.dueAt), language) }));
      break;
    case 'task_reassigned':
      parts.push(t('timeline.details.reassignedTo', { to: text(details.to) ?? t('inbox.unassigned') }));
      break;
    case 'task_escalated':
    case 'referral_escalated':
      parts.push(t('timeline.details.level', { level: Number(details.level), role: t(`common:roles.${String(details.role)}`, { defaultValue: String(details.role) }) }));
      break;
    case 'decision_taken':
      if (text(details.next)) parts.push(t('timeline.details.next', { step: stepTitle(definition, String(details.next), language) }));
      break;
    case 'contact_recorded':
      parts.push(t(`contact.outcomes.${String(details.outcome)}`, { defaultValue: String(details.outcome) }));
      parts.push(t(`contact.channels.${String(details.channel)}`, { defaultValue: String(details.channel) }));
      if (text(details.at)) parts.push(formatDateTime(String(details.at), language));
      if (text(details.note)) parts.push(String(details.note));
      break;
    case 'note_added':
      if (text(details.text)) parts.push(String(details.text));
      break;
    case 'case_closed':
      if (text(details.outcome)) parts.push(t('timeline.details.outcome', { outcome: String(details.outcome) }));
      break;
    case 'referral_accepted':
      if (text(details.toService)) parts.push(t(`services.${String(details.toService)}`, { defaultValue: String(details.toService) }));
      if (text(details.firstAppointmentAt)) parts.push(t('timeline.details.firstAppointment', { date: formatDateTime(String(details.firstAppointmentAt), language) }));
      if (text(details.note)) parts.push(String(details.note));
      break;
    case 'case_transferred':
    case 'transfer_requested':
    case 'transfer_refused':
    case 'transfer_withdrawn': {
      // Direct transfers of older cases name the area `to`; requests and their answers `toAreaId`.
      const to = text(details.to) ? details.to : details.toAreaId;
      if (text(to)) parts.push(t('timeline.details.transferredTo', { area: t(`areas.${String(to)}`, { defaultValue: String(to) }) }));
      if (event.type !== 'case_transferred' && text(details.reason)) parts.push(String(details.reason));
      break;
    }
    default:
      break;
  }
  if (reason) parts.push(t('timeline.details.reason', { reason }));
  if (parts.length === 0) return null;
  return <span className="d-block">{parts.join(' · ')}</span>;
}

/** The events of a case by id, oldest first, with "show more" when the API has more. */
export function CaseTimeline({ caseId }: { caseId: string }) {
  const { t, i18n } = useTranslation('operator');
  const language = i18n.language;
  const detail = useCaseDetail(caseId);
  const pathway = usePathwayVersion(detail.data?.pathwayKey, detail.data?.pathwayVersion);
  const timeline = useInfiniteQuery({
    queryKey: timelineQueryKey(caseId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/cases/{caseId}/timeline', { params: { path: { caseId }, query: { limit: pageSize, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // As the case's detail: what other services did since the last visit shows on opening the case.
    staleTime: 0,
  });
  const definition = pathway.data?.definition;
  const events = timeline.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section aria-labelledby="case-timeline-title" className="mt-4">
      <h2 className="h4" id="case-timeline-title">
        {t('timeline.title')}
      </h2>
      {timeline.isPending || pathway.isPending ? <PageLoading /> : null}
      {timeline.isError ? <ProblemAlert error={timeline.error} /> : null}
      {timeline.isSuccess && events.length === 0 ? <p>{t('timeline.empty')}</p> : null}
      {events.length > 0 && !pathway.isPending ? (
        <ol className="list-unstyled border-start border-2 ps-3" data-testid="case-timeline" aria-live="polite">
          {events.map((event) => (
            <li key={event.seq} className="mb-3" data-event-type={event.type}>
              <span className="fw-semibold d-block">
                {t(`timeline.events.${event.type}`, { defaultValue: event.type })}
                {event.stepId ? ` — ${stepTitle(definition, event.stepId, language)}` : ''}
              </span>
              <EventDetails event={event} definition={definition} />
              <span className="d-block small">
                <time dateTime={event.at}>{formatDateTime(event.at, language)}</time> · {event.actor.kind === 'system' ? t('timeline.system') : event.actor.id}
              </span>
            </li>
          ))}
        </ol>
      ) : null}
      {timeline.hasNextPage ? (
        <button type="button" className="btn btn-outline-primary btn-sm" disabled={timeline.isFetchingNextPage} onClick={() => void timeline.fetchNextPage()}>
          {t('timeline.more')}
        </button>
      ) : null}
    </section>
  );
}
