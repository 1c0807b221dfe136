/**
 * Notification subscriptions as admins manage them (soft-deleted, so their deliveries stay
 * explained), and the live ones as rules for the dispatcher to match events against.
 */
import type { SubscriptionRule } from '../../domain/notification-matching';
import type { SubscribableKind } from '../notifications/messages';
import type { NotificationChannel } from './notification-delivery-repository';
import { inTransaction, type Queryable } from './pool';
import { pageOf } from './sql-conditions';

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

/** The live subscriptions as matching rules, with the named user's current scope. */
export async function loadSubscriptionRules(db: Queryable): Promise<Array<SubscriptionRule & { address: string | null; userId: string | null }>> {
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
