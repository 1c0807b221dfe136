/** Query keys of the notification centre: the bell's count and the list share a prefix, so marking read refreshes both. */
export const notificationsKey = ['me', 'notifications'] as const;
export const unreadCountKey = [...notificationsKey, 'unread-count'] as const;
