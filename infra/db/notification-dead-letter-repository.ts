/**
 * The dead-letter list: deliveries that used up their attempts, until an admin replays them.
 */
import type { NotificationKind, NotificationMessage } from '../notifications/messages';
import type { NotificationChannel } from './notification-delivery-repository';
import type { Queryable } from './pool';
import { pageOf } from './sql-conditions';

export interface DeadLetter {
  deliveryId: string;
  subscriptionId: string | null;
  channel: NotificationChannel;
  kind: NotificationKind;
  caseId: string | null;
  eventSeq: number | null;
  recipientUserId: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  deadAt: string;
  replayCount: number;
  message: NotificationMessage;
}

interface DeadLetterRow {
  delivery_id: string;
  subscription_id: string | null;
  channel: NotificationChannel;
  kind: NotificationKind;
  case_id: string | null;
  event_seq: number | null;
  recipient_user_id: string | null;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  dead_at: Date;
  replay_count: number;
  message: NotificationMessage;
}

/** Dead deliveries, most recent first, keyset-paged on (dead_at, id). */
export async function listDeadLetters(
  db: Queryable,
  filters: { subscriptionId?: string; channel?: NotificationChannel },
  page: { limit: number; after?: { deadAt: string; id: string } },
): Promise<{ items: DeadLetter[]; next: { deadAt: string; id: string } | null }> {
  const params: unknown[] = [page.limit + 1];
  const where = [`status = 'dead'`];
  if (filters.subscriptionId !== undefined) where.push(`subscription_id = $${params.push(filters.subscriptionId)}::uuid`);
  if (filters.channel !== undefined) where.push(`channel = $${params.push(filters.channel)}`);
  if (page.after) where.push(`(dead_at, delivery_id) < ($${params.push(page.after.deadAt)}::timestamptz, $${params.push(page.after.id)}::uuid)`);
  const { rows } = await db.query<DeadLetterRow>(
    `SELECT delivery_id, subscription_id, channel, kind, case_id, event_seq, recipient_user_id, attempts, last_error, created_at, dead_at, replay_count, message
     FROM notification_deliveries WHERE ${where.join(' AND ')} ORDER BY dead_at DESC, delivery_id DESC LIMIT $1`,
    params,
  );
  return pageOf(
    rows,
    page.limit,
    (row) => ({
      deliveryId: row.delivery_id,
      subscriptionId: row.subscription_id,
      channel: row.channel,
      kind: row.kind,
      caseId: row.case_id,
      eventSeq: row.event_seq,
      recipientUserId: row.recipient_user_id,
      attempts: row.attempts,
      lastError: row.last_error,
      createdAt: row.created_at.toISOString(),
      deadAt: row.dead_at.toISOString(),
      replayCount: row.replay_count,
      message: row.message,
    }),
    (last) => ({ deadAt: last.deadAt, id: last.deliveryId }),
  );
}

/**
 * Puts dead deliveries back in the queue with a fresh set of attempts: the listed ones, or every dead
 * delivery of a subscription. Returns the ids replayed (ids that are not dead are left alone).
 */
export async function replayDeadLetters(
  db: Queryable,
  selection: { deliveryIds: string[] } | { subscriptionId: string },
  actorId: string,
): Promise<string[]> {
  const [condition, value] = 'deliveryIds' in selection ? ['delivery_id = ANY($1::uuid[])', selection.deliveryIds] : ['subscription_id = $1::uuid', selection.subscriptionId];
  const { rows } = await db.query<{ delivery_id: string }>(
    `UPDATE notification_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), dead_at = NULL,
       replay_count = replay_count + 1, replayed_at = now(), replayed_by = $2
     WHERE status = 'dead' AND ${condition} RETURNING delivery_id`,
    [value, actorId],
  );
  return rows.map((row) => row.delivery_id);
}
