/**
 * The notification centre: the events that concern each user (written by the dispatcher with its
 * cursor), listed newest first, narrowed at read time to the reader's current scope (someone who
 * left an area no longer sees its notifications), with their unread count and read marks.
 */
import type { ReadScope } from '../../domain/access';
import type { EventMessage, SubscribableKind } from '../notifications/messages';
import type { Queryable } from './pool';
import { addScope, pageOf, SqlConditions } from './sql-conditions';

/** A centre entry to write: one event for one user, with the default rules that matched. */
export interface UserNotificationInput {
  userId: string;
  caseId: string;
  eventSeq: number;
  ruleKeys: string[];
  message: EventMessage;
}

/** A centre entry as its user reads it. */
export interface UserNotification {
  notificationId: string;
  kind: SubscribableKind;
  event: string;
  occurredAt: string;
  readAt: string | null;
  ruleKeys: string[];
  message: EventMessage;
}

/** Writes centre entries, skipping those already written (same user and event); returns how many were new. */
export async function insertUserNotifications(db: Queryable, entries: UserNotificationInput[]): Promise<number> {
  if (entries.length === 0) return 0;
  const { rowCount } = await db.query(
    `INSERT INTO user_notifications (user_id, case_id, event_seq, kind, event, area_id, service, from_service, rule_keys, message, occurred_at)
     SELECT d."userId", d."caseId", d."eventSeq", d.message->>'kind', d.message->>'event', d.message->>'areaId', d.message->>'service', d.message->>'fromService',
       ARRAY(SELECT jsonb_array_elements_text(d."ruleKeys")), d.message, (d.message->>'occurredAt')::timestamptz
     FROM jsonb_to_recordset($1::jsonb) AS d("userId" text, "caseId" text, "eventSeq" integer, "ruleKeys" jsonb, message jsonb)
     ON CONFLICT (user_id, case_id, event_seq) DO NOTHING`,
    [JSON.stringify(entries)],
  );
  return rowCount ?? 0;
}

function scoped(userId: string, scope: ReadScope): SqlConditions {
  const conditions = new SqlConditions();
  conditions.add(`n.user_id = ${conditions.param(userId)}`);
  addScope(conditions, scope, 'n', false);
  // Case-level events (a transfer) have no service; the others are narrowed like tasks, and a referral's
  // answers like referrals: either service (domain/access.ts, seesReferral).
  if (scope.services !== null) {
    const services = `${conditions.param(scope.services)}::text[]`;
    conditions.add(`(n.service IS NULL OR n.service = ANY(${services}) OR n.from_service = ANY(${services}))`);
  }
  return conditions;
}

/** A page of the user's centre, newest first, keyset-paged on (occurred_at, id); `unreadOnly` leaves out what was read. */
export async function listUserNotifications(
  db: Queryable,
  userId: string,
  scope: ReadScope,
  options: { limit: number; unreadOnly: boolean; after?: { occurredAt: string; id: string } },
): Promise<{ items: UserNotification[]; next: { occurredAt: string; id: string } | null }> {
  const conditions = scoped(userId, scope);
  if (options.unreadOnly) conditions.add('n.read_at IS NULL');
  if (options.after) conditions.add(`(n.occurred_at, n.notification_id) < (${conditions.param(options.after.occurredAt)}::timestamptz, ${conditions.param(options.after.id)}::uuid)`);
  const limit = conditions.param(options.limit + 1);
  const { rows } = await db.query<{ notification_id: string; kind: SubscribableKind; event: string; occurred_at: Date; read_at: Date | null; rule_keys: string[]; message: EventMessage }>(
    `SELECT n.notification_id, n.kind, n.event, n.occurred_at, n.read_at, n.rule_keys, n.message FROM user_notifications n
     ${conditions.where()} ORDER BY n.occurred_at DESC, n.notification_id DESC LIMIT ${limit}`,
    conditions.params,
  );
  return pageOf(
    rows,
    options.limit,
    (row) => ({
      notificationId: row.notification_id,
      kind: row.kind,
      event: row.event,
      occurredAt: row.occurred_at.toISOString(),
      readAt: row.read_at?.toISOString() ?? null,
      ruleKeys: row.rule_keys,
      message: row.message,
    }),
    (last) => ({ occurredAt: last.occurredAt, id: last.notificationId }),
  );
}

/** How many of the user's centre entries in scope are unread. */
export async function countUnread(db: Queryable, userId: string, scope: ReadScope): Promise<number> {
  const conditions = scoped(userId, scope);
  conditions.add('n.read_at IS NULL');
  const { rows } = await db.query<{ count: string }>(`SELECT count(*) AS count FROM user_notifications n ${conditions.where()}`, conditions.params);
  return Number(rows[0].count);
}

/**
 * Marks the user's entries read: the listed ones, or all of them. Returns the ids newly marked (ids
 * that are not the user's, or already read, are left alone).
 */
export async function markRead(db: Queryable, userId: string, selection: { notificationIds: string[] } | { all: true }): Promise<string[]> {
  const params: unknown[] = [userId];
  const which = 'notificationIds' in selection ? `AND notification_id = ANY($${params.push(selection.notificationIds)}::uuid[])` : '';
  const { rows } = await db.query<{ notification_id: string }>(
    `UPDATE user_notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL ${which} RETURNING notification_id`,
    params,
  );
  return rows.map((row) => row.notification_id);
}
