/**
 * Notification subscriptions, the dispatcher's cursor over case events, and the delivery outbox
 * with its retries and dead letters.
 *
 * Exactly-once queuing: one transaction locks the cursor row (SKIP LOCKED: one dispatcher at a time,
 * others move on to sending), reads the next events in commit order, inserts their deliveries
 * (idempotent by `dedupe_key`) and moves the cursor. Sending claims due deliveries with SKIP LOCKED
 * and a lease, so several workers never send the same delivery at once; a worker that dies mid-send
 * leaves a lease that expires and another worker retries (at least once, never lost).
 */
import type { SubscriptionRule } from '../notifications/matching';
import { subscriptionMatches } from '../notifications/matching';
import type { NotificationKind, NotificationMessage, SubscribableKind } from '../notifications/messages';
import { notificationOfEvent, notifiedEventTypes, type EventRow } from '../notifications/event-notifications';
import { openJson } from '../codec/personal-data';
import type { PersonKeyStore } from '../codec/person-key-store';
import { inTransaction, type Queryable } from './pool';
import { pageOf } from './sql-conditions';

const CURSOR = 'case-events';

export type NotificationChannel = 'webhook' | 'email';
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'dead' | 'cancelled';

export interface SubscriptionInput {
  channel: NotificationChannel;
  url: string | null;
  secret: string | null;
  userId: string | null;
  address: string | null;
  areaId: string | null;
  service: string | null;
  role: string | null;
  kinds: SubscribableKind[];
  onlyAssigned: boolean;
}

export interface SubscriptionRecord extends Omit<SubscriptionInput, 'secret'> {
  subscriptionId: string;
  createdAt: string;
  createdBy: string;
}

interface SubscriptionRow {
  subscription_id: string;
  channel: NotificationChannel;
  url: string | null;
  user_id: string | null;
  address: string | null;
  area_id: string | null;
  service: string | null;
  role: string | null;
  kinds: SubscribableKind[];
  only_assigned: boolean;
  created_at: Date;
  created_by: string;
}

const subscriptionColumns = 'subscription_id, channel, url, user_id, address, area_id, service, role, kinds, only_assigned, created_at, created_by';

function toSubscription(row: SubscriptionRow): SubscriptionRecord {
  return {
    subscriptionId: row.subscription_id,
    channel: row.channel,
    url: row.url,
    userId: row.user_id,
    address: row.address,
    areaId: row.area_id,
    service: row.service,
    role: row.role,
    kinds: row.kinds,
    onlyAssigned: row.only_assigned,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
  };
}

/** Stores a new subscription. */
export async function createSubscription(db: Queryable, input: SubscriptionInput, actorId: string): Promise<SubscriptionRecord> {
  const { rows } = await db.query<SubscriptionRow>(
    `INSERT INTO notification_subscriptions (channel, url, secret, user_id, address, area_id, service, role, kinds, only_assigned, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${subscriptionColumns}`,
    [input.channel, input.url, input.secret, input.userId, input.address, input.areaId, input.service, input.role, input.kinds, input.onlyAssigned, actorId],
  );
  return toSubscription(rows[0]);
}

/** Live subscriptions, oldest first, keyset-paged on (created_at, id). */
export async function listSubscriptions(
  db: Queryable,
  page: { limit: number; after?: { createdAt: string; id: string } },
): Promise<{ items: SubscriptionRecord[]; next: { createdAt: string; id: string } | null }> {
  const params: unknown[] = [page.limit + 1];
  let after = '';
  if (page.after) {
    params.push(page.after.createdAt, page.after.id);
    after = 'AND (created_at, subscription_id) > ($2::timestamptz, $3::uuid)';
  }
  const { rows } = await db.query<SubscriptionRow>(
    `SELECT ${subscriptionColumns} FROM notification_subscriptions WHERE deleted_at IS NULL ${after}
     ORDER BY created_at, subscription_id LIMIT $1`,
    params,
  );
  return pageOf(rows, page.limit, toSubscription, (last) => ({ createdAt: last.createdAt, id: last.subscriptionId }));
}

/** Deletes a live subscription and cancels its unsent deliveries, in one transaction; false when there is none. */
export async function deleteSubscription(db: Queryable, subscriptionId: string, actorId: string): Promise<boolean> {
  return inTransaction(db, async (client) => {
    const { rowCount } = await client.query(
      `UPDATE notification_subscriptions SET deleted_at = now(), deleted_by = $2 WHERE subscription_id = $1 AND deleted_at IS NULL`,
      [subscriptionId, actorId],
    );
    if (rowCount === 0) return false;
    await client.query(`UPDATE notification_deliveries SET status = 'cancelled' WHERE subscription_id = $1 AND status IN ('pending', 'dead')`, [subscriptionId]);
    return true;
  });
}

/** The email address of a user, null when the user is unknown or has none. */
export async function findUserEmail(db: Queryable, userId: string): Promise<{ exists: boolean; email: string | null }> {
  const { rows } = await db.query<{ email: string | null }>('SELECT email FROM users WHERE id = $1', [userId]);
  return { exists: rows.length > 0, email: rows[0]?.email ?? null };
}

/** Sets the email address of a user (the seed gives demo users demo addresses). */
export async function setUserEmail(db: Queryable, userId: string, email: string | null): Promise<void> {
  await db.query('UPDATE users SET email = $2, updated_at = now() WHERE id = $1 AND email IS DISTINCT FROM $2', [userId, email]);
}

// ---------------------------------------------------------------------------------------------
// Dispatch: case events → deliveries

interface RuleRow {
  subscription_id: string;
  channel: NotificationChannel;
  user_id: string | null;
  address: string | null;
  area_id: string | null;
  service: string | null;
  role: string | null;
  kinds: string[];
  only_assigned: boolean;
  user_active: boolean | null;
  user_roles: string[] | null;
  user_areas: string[] | null;
  user_services: string[] | null;
}

async function loadRules(db: Queryable): Promise<Array<SubscriptionRule & { address: string | null; userId: string | null }>> {
  const { rows } = await db.query<RuleRow>(
    `SELECT s.subscription_id, s.channel, s.user_id, s.address, s.area_id, s.service, s.role, s.kinds, s.only_assigned,
       u.active AS user_active, u.roles AS user_roles, u.areas AS user_areas, u.services AS user_services
     FROM notification_subscriptions s LEFT JOIN users u ON u.id = s.user_id
     WHERE s.deleted_at IS NULL`,
  );
  return rows.map((row) => ({
    subscriptionId: row.subscription_id,
    channel: row.channel,
    areaId: row.area_id,
    service: row.service,
    role: row.role,
    kinds: row.kinds,
    onlyAssigned: row.only_assigned,
    address: row.address,
    userId: row.user_id,
    // A subscription naming a user who no longer exists matches nothing.
    user:
      row.user_id === null
        ? null
        : { id: row.user_id, active: row.user_active ?? false, roles: row.user_roles ?? [], areas: row.user_areas ?? [], services: row.user_services ?? [] },
  }));
}

interface EventQueryRow {
  case_id: string;
  seq: number;
  type: string;
  at: Date;
  step_id: string | null;
  task_id: string | null;
  details: unknown;
  committed_tx: string;
  event_no: string;
  reference: string | null;
  case_area: string | null;
  t_area: string | null;
  t_service: string | null;
  t_role: string | null;
  t_assignee: string | null;
  t_due: Date | null;
  t_level: number | null;
  t_escalations: Array<{ level?: unknown; role?: unknown; service?: unknown }> | null;
  r_id: string | null;
  r_area: string | null;
  r_to: string | null;
  r_due: Date | null;
  r_level: number | null;
  r_role: string | null;
}

// Only events of transactions older than every running one: nothing can commit before them later.
const nextEvents = `
SELECT e.case_id, e.seq, e.type, e.at, e.step_id, e.task_id,
  CASE WHEN e.type = ANY($4::text[]) THEN e.details END AS details,
  e.committed_tx::text AS committed_tx, e.event_no, c.reference, c.area_id AS case_area,
  t.area_id AS t_area, t.service AS t_service, t.role AS t_role, t.assignee_id AS t_assignee, t.due_at AS t_due,
  t.escalation_level AS t_level, t.escalations AS t_escalations,
  r.referral_id AS r_id, r.area_id AS r_area, r.to_service AS r_to, r.accept_due_at AS r_due, r.escalation_level AS r_level, r.role AS r_role
FROM case_events e
LEFT JOIN cases c ON c.case_id = e.case_id AND e.type = ANY($4::text[])
LEFT JOIN tasks t ON t.task_id = e.task_id AND e.type = ANY($4::text[])
LEFT JOIN LATERAL (
  SELECT * FROM referrals r
  WHERE e.type LIKE 'referral%' AND r.case_id = e.case_id
    AND (r.referral_id = e.details->>'referralId' OR r.referral_id = e.task_id OR r.step_id = e.step_id)
  ORDER BY (r.referral_id = e.details->>'referralId' OR r.referral_id = e.task_id) DESC NULLS LAST, r.created_at DESC
  LIMIT 1
) r ON e.type = ANY($4::text[])
WHERE (e.committed_tx, e.event_no) > ($1::xid8, $2::bigint)
  AND e.committed_tx < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY e.committed_tx, e.event_no
LIMIT $3`;

// Details are sealed per person (infra/codec/personal-data.ts): opened here, in memory only, for the
// escalation's role and service, the reassignment's target and the reminder's deadline. Once the
// person's key is erased they read as absent and the task and referral rows are the fallback.
function toEventRow(row: EventQueryRow, details: unknown): EventRow {
  const iso = (value: Date | null) => (value === null ? null : value.toISOString());
  return {
    caseId: row.case_id,
    seq: row.seq,
    type: row.type,
    at: row.at.toISOString(),
    stepId: row.step_id,
    taskId: row.task_id,
    details,
    caseReference: row.reference,
    caseAreaId: row.case_area,
    task:
      row.t_area === null
        ? null
        : {
            areaId: row.t_area,
            service: row.t_service ?? '',
            role: row.t_role ?? '',
            assigneeId: row.t_assignee,
            dueAt: iso(row.t_due),
            escalationLevel: row.t_level ?? 0,
            escalations: Array.isArray(row.t_escalations) ? row.t_escalations : [],
          },
    referral:
      row.r_id === null
        ? null
        : { referralId: row.r_id, areaId: row.r_area ?? '', toService: row.r_to ?? '', role: row.r_role, acceptDueAt: iso(row.r_due), escalationLevel: row.r_level ?? 0 },
  };
}

interface QueuedDelivery {
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

async function insertDeliveries(db: Queryable, deliveries: QueuedDelivery[]): Promise<number> {
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

/**
 * Moves the cursor over the next batch of committed case events and queues a delivery for every
 * subscription each one matches, in one transaction. Returns null when another dispatcher holds the cursor.
 */
export async function dispatchCaseEvents(
  db: Queryable,
  options: { batchSize: number; linkBaseUrl: string; keys: PersonKeyStore },
): Promise<{ events: number; queued: number } | null> {
  return inTransaction(db, async (client) => {
    const cursor = await client.query<{ committed_tx: string; event_no: string }>(
      'SELECT committed_tx::text AS committed_tx, event_no FROM notification_cursor WHERE name = $1 FOR UPDATE SKIP LOCKED',
      [CURSOR],
    );
    if (cursor.rows.length === 0) return null;
    const { committed_tx: tx, event_no: no } = cursor.rows[0];
    const moveCursor = (to: { committed_tx: string; event_no: string }) =>
      client.query('UPDATE notification_cursor SET committed_tx = $2::xid8, event_no = $3, updated_at = now() WHERE name = $1', [CURSOR, to.committed_tx, to.event_no]);
    // Subscriptions are always read after the events they are matched with (READ COMMITTED: a later
    // statement sees at least as much), so an event never misses a subscription created before it.
    const newest = await client.query<{ committed_tx: string; event_no: string }>(
      `SELECT committed_tx::text AS committed_tx, event_no FROM case_events
       WHERE (committed_tx, event_no) > ($1::xid8, $2::bigint) AND committed_tx < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY committed_tx DESC, event_no DESC LIMIT 1`,
      [tx, no],
    );
    if (newest.rows.length === 0) return { events: 0, queued: 0 };
    if ((await loadRules(client)).length === 0) {
      // Nobody to tell: skip to the newest settled event without reading what lies between.
      await moveCursor(newest.rows[0]);
      return { events: 0, queued: 0 };
    }
    const { rows } = await client.query<EventQueryRow>(nextEvents, [tx, no, options.batchSize, notifiedEventTypes]);
    if (rows.length === 0) return { events: 0, queued: 0 };
    const rules = await loadRules(client);
    // A value that cannot be opened reads as absent (rows fallback) rather than stalling the cursor for every event after it.
    const opened = await Promise.all(rows.map(async (row) => (row.details === null ? null : openJson(options.keys, row.details).catch(() => undefined))));
    const notifications = rows
      .map((row, index) => ({ row, notification: notificationOfEvent(toEventRow(row, opened[index]), options.linkBaseUrl) }))
      .filter((item): item is { row: EventQueryRow; notification: NonNullable<typeof item.notification> } => item.notification !== null);
    let queued = 0;
    if (notifications.length > 0) {
      const deliveries: QueuedDelivery[] = [];
      for (const { row, notification } of notifications) {
        for (const rule of rules) {
          if (!subscriptionMatches(rule, notification.facts)) continue;
          deliveries.push({
            dedupeKey: `event:${row.case_id}:${row.seq}:${rule.subscriptionId}`,
            subscriptionId: rule.subscriptionId,
            channel: rule.channel,
            kind: notification.message.kind,
            caseId: row.case_id,
            eventSeq: row.seq,
            recipientUserId: rule.userId,
            recipientAddress: rule.address,
            message: notification.message,
          });
        }
      }
      queued = await insertDeliveries(client, deliveries);
    }
    await moveCursor(rows[rows.length - 1]);
    return { events: rows.length, queued };
  });
}

// ---------------------------------------------------------------------------------------------
// Digest deliveries

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

/** Active supervisors with an email address, and their areas. */
export async function listDigestRecipients(db: Queryable): Promise<Array<{ userId: string; areas: string[] }>> {
  const { rows } = await db.query<{ id: string; areas: string[] }>(
    `SELECT id, areas FROM users WHERE active AND 'supervisor' = ANY(roles) AND email IS NOT NULL AND cardinality(areas) > 0 ORDER BY id`,
  );
  return rows.map((row) => ({ userId: row.id, areas: row.areas }));
}

// ---------------------------------------------------------------------------------------------
// Sending

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
       claimed.recipient_address, s.url, s.secret, s.deleted_at, u.email AS user_email, u.active AS user_active
     FROM claimed
     LEFT JOIN notification_subscriptions s ON s.subscription_id = claimed.subscription_id
     LEFT JOIN users u ON u.id = claimed.recipient_user_id`,
    [limit, leaseMs],
  );
  return rows.map((row) => ({
    deliveryId: row.delivery_id,
    channel: row.channel,
    kind: row.kind,
    attempts: row.attempts,
    message: row.message,
    subscriptionId: row.subscription_id,
    webhook: row.url !== null && row.secret !== null ? { url: row.url, secret: row.secret } : null,
    emailTo: row.recipient_address ?? (row.user_active ? row.user_email : null),
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

// ---------------------------------------------------------------------------------------------
// Dead letters

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
