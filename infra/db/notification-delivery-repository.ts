/**
 * The delivery outbox: queuing (idempotent by `dedupe_key`), then sending. Sending claims due
 * deliveries with SKIP LOCKED and a lease, so several workers never send the same delivery at once;
 * a worker that dies mid-send leaves a lease that expires and another worker retries (at least once,
 * never lost).
 */
import type { NotificationKind, NotificationMessage } from '../notifications/messages';
import { directoryNames, type DirectoryNames } from './directory-repository';
import type { Queryable } from './pool';

export type NotificationChannel = 'webhook' | 'email';
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'dead' | 'cancelled';

/** A delivery to queue. */
export interface QueuedDelivery {
  dedupeKey: string;
  subscriptionId: string | null;
  channel: NotificationChannel;
  kind: NotificationKind;
  caseId: string | null;
  eventSeq: number | null;
  recipientUserId: string | null;
  recipientAddress: string | null;
  message: NotificationMessage;
}

/** Queues deliveries, skipping those already queued (same `dedupeKey`); returns how many were new. */
export async function insertDeliveries(db: Queryable, deliveries: QueuedDelivery[]): Promise<number> {
  if (deliveries.length === 0) return 0;
  const { rowCount } = await db.query(
    `INSERT INTO notification_deliveries (dedupe_key, subscription_id, channel, kind, case_id, event_seq, recipient_user_id, recipient_address, message)
     SELECT d."dedupeKey", d."subscriptionId", d.channel, d.kind, d."caseId", d."eventSeq", d."recipientUserId", d."recipientAddress", d.message
     FROM jsonb_to_recordset($1::jsonb) AS d("dedupeKey" text, "subscriptionId" uuid, channel text, kind text, "caseId" text,
       "eventSeq" integer, "recipientUserId" text, "recipientAddress" text, message jsonb)
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [JSON.stringify(deliveries)],
  );
  return rowCount ?? 0;
}

/** Queues one digest email per recipient (idempotent per run key and user); returns how many were new. */
export async function queueDigestDeliveries(db: Queryable, runKey: string, digests: Array<{ userId: string; message: NotificationMessage }>): Promise<number> {
  return insertDeliveries(
    db,
    digests.map(({ userId, message }) => ({
      dedupeKey: `digest:${runKey}:${userId}`,
      subscriptionId: null,
      channel: 'email',
      kind: 'supervisor_digest',
      caseId: null,
      eventSeq: null,
      recipientUserId: userId,
      recipientAddress: null,
      message,
    })),
  );
}

/** A claimed delivery with what it takes to send it. */
export interface ClaimedDelivery {
  deliveryId: string;
  channel: NotificationChannel;
  kind: NotificationKind;
  attempts: number;
  message: NotificationMessage;
  subscriptionId: string | null;
  /** Webhook target; null when the subscription was deleted meanwhile. */
  webhook: { url: string; secret: string } | null;
  /** Email target: the fixed address, or the named user's current address. */
  emailTo: string | null;
  /** The language of the email: the named user's preference; Italian for fixed addresses. */
  locale: 'it' | 'en';
  /** The directory's area and service names an email shows for codes (read once per batch; absent for webhooks). */
  names?: DirectoryNames;
  subscriptionDeleted: boolean;
}

interface ClaimedRow {
  delivery_id: string;
  channel: NotificationChannel;
  kind: NotificationKind;
  attempts: number;
  message: NotificationMessage;
  subscription_id: string | null;
  url: string | null;
  secret: string | null;
  deleted_at: Date | null;
  recipient_address: string | null;
  user_email: string | null;
  user_active: boolean | null;
  user_locale: 'it' | 'en' | null;
}

/**
 * Claims up to `limit` due deliveries for this worker: each gets one more attempt and a lease of
 * `leaseMs`, after which another worker may take it again (the sender died).
 */
export async function claimDueDeliveries(db: Queryable, { limit, leaseMs }: { limit: number; leaseMs: number }): Promise<ClaimedDelivery[]> {
  const { rows } = await db.query<ClaimedRow>(
    `WITH due AS (
       SELECT delivery_id FROM notification_deliveries
       WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()
       ORDER BY next_attempt_at, delivery_id LIMIT $1 FOR UPDATE SKIP LOCKED
     ), claimed AS (
       UPDATE notification_deliveries d SET status = 'sending', attempts = d.attempts + 1,
         next_attempt_at = now() + $2 * interval '1 millisecond'
       FROM due WHERE d.delivery_id = due.delivery_id
       RETURNING d.delivery_id, d.channel, d.kind, d.attempts, d.message, d.subscription_id, d.recipient_address, d.recipient_user_id
     )
     SELECT claimed.delivery_id, claimed.channel, claimed.kind, claimed.attempts, claimed.message, claimed.subscription_id,
       claimed.recipient_address, s.url, s.secret, s.deleted_at, u.email AS user_email, u.active AS user_active,
       p.locale AS user_locale
     FROM claimed
     LEFT JOIN notification_subscriptions s ON s.subscription_id = claimed.subscription_id
     LEFT JOIN users u ON u.id = claimed.recipient_user_id
     LEFT JOIN notification_preferences p ON p.user_id = claimed.recipient_user_id`,
    [limit, leaseMs],
  );
  const names = rows.some((row) => row.channel === 'email') ? await directoryNames(db) : undefined;
  return rows.map((row) => ({
    deliveryId: row.delivery_id,
    channel: row.channel,
    kind: row.kind,
    attempts: row.attempts,
    message: row.message,
    subscriptionId: row.subscription_id,
    webhook: row.url !== null && row.secret !== null ? { url: row.url, secret: row.secret } : null,
    emailTo: row.recipient_address ?? (row.user_active ? row.user_email : null),
    locale: row.recipient_address === null ? (row.user_locale ?? 'it') : 'it',
    ...(row.channel === 'email' && names ? { names } : {}),
    subscriptionDeleted: row.deleted_at !== null,
  }));
}

/** Records a successful attempt (only if this worker still holds the claim). */
export async function markDelivered(db: Queryable, deliveryId: string, attempt: number): Promise<void> {
  await db.query(
    `UPDATE notification_deliveries SET status = 'sent', sent_at = now(), last_error = NULL
     WHERE delivery_id = $1 AND status = 'sending' AND attempts = $2`,
    [deliveryId, attempt],
  );
}

/** Records a failed attempt: retried at `retryAt`, or dead (the dead-letter list) when `retryAt` is null. */
export async function markFailed(db: Queryable, deliveryId: string, attempt: number, error: string, retryAt: Date | null): Promise<void> {
  await db.query(
    `UPDATE notification_deliveries SET last_error = $3,
       status = CASE WHEN $4::timestamptz IS NULL THEN 'dead' ELSE 'pending' END,
       next_attempt_at = coalesce($4::timestamptz, next_attempt_at),
       dead_at = CASE WHEN $4::timestamptz IS NULL THEN now() END
     WHERE delivery_id = $1 AND status = 'sending' AND attempts = $2`,
    [deliveryId, attempt, error.slice(0, 500), retryAt],
  );
}

/** Gives up on a delivery whose subscription was deleted. */
export async function markCancelled(db: Queryable, deliveryId: string, attempt: number): Promise<void> {
  await db.query(`UPDATE notification_deliveries SET status = 'cancelled' WHERE delivery_id = $1 AND status = 'sending' AND attempts = $2`, [deliveryId, attempt]);
}
