/**
 * The header's bell: how many notifications wait unread, as a link to the notification centre. The
 * count is said in words to screen readers ("3 unread"), not only shown as a number on a badge.
 */
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { api, unwrap } from '../../api/client';
import { unreadCountKey } from './query-keys';

// Often enough that an escalation shows within a minute; the list itself refreshes when opened.
const POLL_MS = 60_000;

export function NotificationBell() {
  const { t } = useTranslation();
  const unread = useQuery({
    queryKey: unreadCountKey,
    queryFn: () => unwrap(api.GET('/me/notifications/unread-count')),
    refetchInterval: POLL_MS,
  });
  const count = unread.data?.unreadCount ?? 0;
  return (
    <NavLink to="/console/notifications" className="btn btn-sm btn-outline-light notification-bell" data-testid="notification-bell">
      <svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 16 16" fill="currentColor" className="me-1">
        <path d="M8 16a2 2 0 0 0 2-2H6a2 2 0 0 0 2 2Zm.995-14.901a1 1 0 1 0-1.99 0A5 5 0 0 0 3 6c0 1.098-.5 6-2 7h14c-1.5-1-2-5.902-2-7 0-2.42-1.72-4.44-4.005-4.901Z" />
      </svg>
      {t('notifications.bell')}
      {count > 0 && (
        <>
          <span className="badge bg-light text-dark ms-1" aria-hidden="true" data-testid="notification-unread">
            {count}
          </span>
          <span className="visually-hidden">, {t('notifications.unreadCount', { count })}</span>
        </>
      )}
    </NavLink>
  );
}
