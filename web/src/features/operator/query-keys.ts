/** Query key prefix of every inbox page (GET /tasks): invalidate it after a task command. */
export const inboxQueryKey = ['tasks'] as const;
