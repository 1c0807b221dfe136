/**
 * The notification centre (`/console/notifications`): the escalations, referrals and reassignments
 * that concern me, newest first, unread ones marked in words; open the task, referral or case, mark
 * read one by one or all at once; and my email choices (language, default rules I want no email for).
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { PageLoading, ProblemAlert } from '../../components/feedback';
import { formatDateTime, localized } from '../../i18n/format';
import { EmailPreferences } from './EmailPreferences';
import { notificationsKey } from './query-keys';

type Notification = Schemas['UserNotification'];

/** Where a notification leads in the console: its task, its referral, or its case. */
function targetOf(item: Notification): string {
  if (item.taskId) return `/console/tasks/${encodeURIComponent(item.taskId)}`;
  if (item.referralId) return `/console/referrals/${encodeURIComponent(item.referralId)}`;
  return `/console/cases/${encodeURIComponent(item.caseId)}`;
}

function NotificationItem({ item, onRead, busy }: { item: Notification; onRead: () => void; busy: boolean }) {
  const { t, i18n } = useTranslation();
  const step = localized(item.stepTitle, i18n.language) || item.stepId;
  const unread = item.readAt === null;
  return (
    <li className={`list-group-item py-3${unread ? ' notification-unread' : ''}`} data-testid="notification-item">
      <div className="d-flex justify-content-between flex-wrap gap-2">
        <div>
          <p className="mb-1 fw-semibold">
            {unread && <span className="badge bg-primary me-2">{t('notifications.unread')}</span>}
            {t(`notifications.events.${item.event}`, { defaultValue: item.event })}
            {item.level ? ` · ${t('notifications.level', { level: item.level })}` : ''}
          </p>
          <p className="mb-1">
            <Link to={`/console/cases/${encodeURIComponent(item.caseId)}`} className="text-nowrap">
              {item.caseReference ?? item.caseId}
            </Link>
            {step ? ` · ${step}` : ''}
            {item.areaId ? ` · ${item.areaId}` : ''}
          </p>
          <p className="mb-0 small">
            {formatDateTime(item.occurredAt, i18n.language)}
            {item.deadline ? ` · ${t('notifications.deadline', { date: formatDateTime(item.deadline, i18n.language) })}` : ''}
          </p>
        </div>
        <div className="d-flex align-items-start gap-2">
          <Link to={targetOf(item)} className="btn btn-sm btn-primary">
            {t('notifications.open')}
            <span className="visually-hidden"> {item.caseReference ?? item.caseId}</span>
          </Link>
          {unread && (
            <button type="button" className="btn btn-sm btn-outline-primary" onClick={onRead} disabled={busy}>
              {t('notifications.markRead')}
              <span className="visually-hidden"> {item.caseReference ?? item.caseId}</span>
            </button>
          )}
        </div>
      </div>
    </li>
  );
}

export default function NotificationsPage() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const query = { limit: 25, ...(unreadOnly ? { unread: 'true' } : {}), ...(cursor ? { cursor } : {}) } as const;
  const list = useQuery({
    queryKey: [...notificationsKey, query],
    queryFn: () => unwrap(api.GET('/me/notifications', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const markRead = useMutation({
    mutationFn: (body: { notificationIds: string[] } | { all: true }) => unwrap(api.POST('/me/notifications/read', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: notificationsKey }),
  });

  function show(unread: boolean) {
    setUnreadOnly(unread);
    setCursors([]);
  }

  return (
    <>
      <h1 className="h2">{t('notifications.title')}</h1>
      <p>{t('notifications.intro')}</p>
      <div className="d-flex flex-wrap gap-2 align-items-center mb-3">
        <div className="btn-group" role="group" aria-label={t('notifications.show')}>
          <button type="button" className={`btn btn-sm ${unreadOnly ? 'btn-outline-primary' : 'btn-primary'}`} aria-pressed={!unreadOnly} onClick={() => show(false)}>
            {t('notifications.all')}
          </button>
          <button type="button" className={`btn btn-sm ${unreadOnly ? 'btn-primary' : 'btn-outline-primary'}`} aria-pressed={unreadOnly} onClick={() => show(true)}>
            {t('notifications.onlyUnread')}
          </button>
        </div>
        {list.data && (
          <span data-testid="notification-count" aria-live="polite">
            {t('notifications.unreadCount', { count: list.data.unreadCount })}
          </span>
        )}
        <button type="button" className="btn btn-sm btn-outline-primary ms-auto" disabled={!list.data?.unreadCount || markRead.isPending} onClick={() => markRead.mutate({ all: true })}>
          {t('notifications.markAllRead')}
        </button>
      </div>
      {markRead.isError && <ProblemAlert error={markRead.error} />}
      {list.isError && <ProblemAlert error={list.error} />}
      {list.isPending && <PageLoading />}
      {list.data && list.data.items.length === 0 && <p>{unreadOnly ? t('notifications.noneUnread') : t('notifications.none')}</p>}
      {list.data && list.data.items.length > 0 && (
        <ul className="list-group mb-3" aria-label={t('notifications.title')}>
          {list.data.items.map((item) => (
            <NotificationItem key={item.notificationId} item={item} busy={markRead.isPending} onRead={() => markRead.mutate({ notificationIds: [item.notificationId] })} />
          ))}
        </ul>
      )}
      {list.data && (cursors.length > 0 || list.data.nextCursor) && (
        <nav aria-label={t('notifications.pages')} className="d-flex gap-2 mb-4">
          <button type="button" className="btn btn-sm btn-outline-primary" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
            {t('notifications.newer')}
          </button>
          <button type="button" className="btn btn-sm btn-outline-primary" disabled={!list.data.nextCursor} onClick={() => list.data.nextCursor && setCursors([...cursors, list.data.nextCursor])}>
            {t('notifications.older')}
          </button>
        </nav>
      )}
      <EmailPreferences />
    </>
  );
}
