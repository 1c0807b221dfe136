/**
 * The dispatcher's durable cursor over case events: read the next committed events, open their
 * sealed details, match them against the subscriptions and queue the deliveries.
 *
 * Exactly-once queuing: one transaction locks the cursor row (SKIP LOCKED: one dispatcher at a time,
 * others move on to sending), reads the next events in commit order, inserts their deliveries
 * (idempotent by `dedupe_key`) and moves the cursor.
 */
import { isAdmin } from '../../domain/access';
import { defaultEmailWanted, defaultRulesConcerning, subscriptionMatches, type DefaultRule, type NotificationFacts } from '../../domain/notification-matching';
import { notificationOfEvent, notifiedEventTypes, referralAnswerEventTypes, type EventRow } from '../notifications/event-notifications';
import { openJson } from '../codec/personal-data';
import type { PersonKeyStore } from '../codec/person-key-store';
import { insertDeliveries, type QueuedDelivery } from './notification-delivery-repository';
import { insertUserNotifications, type UserNotificationInput } from './notification-centre-repository';
import { loadDefaultRecipients, loadDefaultRules, type DefaultRecipient } from './notification-preference-repository';
import { loadSubscriptionRules } from './notification-subscription-repository';
import { inTransaction, type Queryable } from './pool';

const CURSOR = 'case-events';

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
  step_title: { it: string; en?: string } | null;
  transfer_to: string | null;
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
  r_from: string | null;
  r_creator: string | null;
}

// Only events of transactions older than every running one: nothing can commit before them later.
const nextEvents = `
SELECT e.case_id, e.seq, e.type, e.at, e.step_id, e.task_id,
  CASE WHEN e.type = ANY($4::text[]) THEN e.details END AS details,
  e.committed_tx::text AS committed_tx, e.event_no, c.reference, c.area_id AS case_area,
  pv.definition->'steps'->e.step_id->'title' AS step_title,
  CASE WHEN e.type = 'transfer_requested' THEN e.details->>'toAreaId' END AS transfer_to,
  t.area_id AS t_area, t.service AS t_service, t.role AS t_role, t.assignee_id AS t_assignee, t.due_at AS t_due,
  t.escalation_level AS t_level, t.escalations AS t_escalations,
  r.referral_id AS r_id, r.area_id AS r_area, r.to_service AS r_to, r.accept_due_at AS r_due, r.escalation_level AS r_level, r.role AS r_role,
  r.from_service AS r_from, rc.actor_id AS r_creator
FROM case_events e
LEFT JOIN cases c ON c.case_id = e.case_id AND e.type = ANY($4::text[])
LEFT JOIN pathway_versions pv ON pv.key = c.pathway_key AND pv.version = c.pathway_version
LEFT JOIN tasks t ON t.task_id = e.task_id AND e.type = ANY($4::text[])
LEFT JOIN LATERAL (
  SELECT * FROM referrals r
  WHERE e.type LIKE 'referral%' AND r.case_id = e.case_id
    AND (r.referral_id = e.details->>'referralId' OR r.referral_id = e.task_id OR r.step_id = e.step_id)
  ORDER BY (r.referral_id = e.details->>'referralId' OR r.referral_id = e.task_id) DESC NULLS LAST, r.created_at DESC
  LIMIT 1
) r ON e.type = ANY($4::text[])
LEFT JOIN LATERAL (
  -- Who raised the referral an answer is about: the person whose step completion created it (a jump back creates it anew).
  SELECT created.actor_id FROM case_events created
  WHERE created.case_id = e.case_id AND created.type = 'referral_created' AND created.step_id = r.step_id
    AND created.seq < e.seq AND created.actor_kind = 'user'
  ORDER BY created.seq DESC LIMIT 1
) rc ON e.type = ANY($5::text[])
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
    stepTitle: row.step_title !== null && typeof row.step_title.it === 'string' ? row.step_title : null,
    caseReference: row.reference,
    caseAreaId: row.case_area,
    transferToAreaId: row.transfer_to,
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
        : {
            referralId: row.r_id,
            areaId: row.r_area ?? '',
            toService: row.r_to ?? '',
            role: row.r_role,
            acceptDueAt: iso(row.r_due),
            escalationLevel: row.r_level ?? 0,
            fromService: row.r_from ?? undefined,
            creatorId: row.r_creator,
          },
  };
}

/** The users a batch's events may concern, indexed so an event is matched only against its area's users, admins and its assignee. */
interface RecipientIndex {
  byArea: Map<string, DefaultRecipient[]>;
  everywhere: DefaultRecipient[];
  byId: Map<string, DefaultRecipient>;
}

function indexRecipients(recipients: DefaultRecipient[]): RecipientIndex {
  const index: RecipientIndex = { byArea: new Map(), everywhere: [], byId: new Map() };
  for (const user of recipients) {
    index.byId.set(user.id, user);
    if (isAdmin(user)) {
      index.everywhere.push(user);
      continue;
    }
    for (const area of user.areas) {
      const users = index.byArea.get(area);
      if (users) users.push(user);
      else index.byArea.set(area, [user]);
    }
  }
  return index;
}

/** Everyone a default rule could match for these facts (domain/notification-matching.ts decides who it does). */
function candidatesFor(index: RecipientIndex, facts: NotificationFacts): Set<DefaultRecipient> {
  const candidates = new Set<DefaultRecipient>([...(facts.areaId === null ? [] : (index.byArea.get(facts.areaId) ?? [])), ...index.everywhere]);
  for (const id of [facts.assigneeId, facts.creatorId]) {
    const named = id === null || id === undefined ? undefined : index.byId.get(id);
    if (named) candidates.add(named);
  }
  return candidates;
}

/** What the default rules make of one notified event: centre entries, and emails for those who want them. */
function byDefaultRules(
  event: { caseId: string; seq: number; type: string },
  notification: NonNullable<ReturnType<typeof notificationOfEvent>>,
  defaults: { rules: DefaultRule[]; recipients: RecipientIndex; email: boolean },
  subscribed: ReadonlySet<string>,
): { entries: UserNotificationInput[]; deliveries: QueuedDelivery[] } {
  const entries: UserNotificationInput[] = [];
  const deliveries: QueuedDelivery[] = [];
  if (!defaults.rules.some((rule) => rule.events.includes(event.type))) return { entries, deliveries };
  for (const user of candidatesFor(defaults.recipients, notification.facts)) {
    const ruleKeys = defaultRulesConcerning(defaults.rules, user, event.type, notification.facts);
    if (ruleKeys.length === 0) continue;
    entries.push({ userId: user.id, caseId: event.caseId, eventSeq: event.seq, ruleKeys, message: notification.message });
    // A user an admin subscribed by email to this event already gets it: one email, not two.
    if (!defaults.email || user.email === null || subscribed.has(user.id) || !defaultEmailWanted(defaults.rules, ruleKeys, user.mutedRules)) continue;
    deliveries.push({
      dedupeKey: `event:${event.caseId}:${event.seq}:user:${user.id}`,
      subscriptionId: null,
      channel: 'email',
      kind: notification.message.kind,
      caseId: event.caseId,
      eventSeq: event.seq,
      recipientUserId: user.id,
      recipientAddress: null,
      message: notification.message,
    });
  }
  return { entries, deliveries };
}

/**
 * Moves the cursor over the next batch of committed case events and, in one transaction, queues a
 * delivery for every subscription each one matches and writes the notification-centre entries of the
 * users the default rules say it concerns (with their default emails when `defaultEmails`: SMTP is
 * configured). Returns null when another dispatcher holds the cursor.
 */
export async function dispatchCaseEvents(
  db: Queryable,
  options: { batchSize: number; linkBaseUrl: string; keys: PersonKeyStore; defaultEmails?: boolean },
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
    if ((await loadSubscriptionRules(client)).length === 0 && (await loadDefaultRules(client)).length === 0) {
      // Nobody to tell: skip to the newest settled event without reading what lies between.
      await moveCursor(newest.rows[0]);
      return { events: 0, queued: 0 };
    }
    const { rows } = await client.query<EventQueryRow>(nextEvents, [tx, no, options.batchSize, notifiedEventTypes, referralAnswerEventTypes]);
    if (rows.length === 0) return { events: 0, queued: 0 };
    const rules = await loadSubscriptionRules(client);
    const defaults = { rules: await loadDefaultRules(client), recipients: indexRecipients(await loadDefaultRecipients(client)), email: options.defaultEmails ?? false };
    // A value that cannot be opened reads as absent (rows fallback) rather than stalling the cursor for every event after it.
    const opened = await Promise.all(rows.map(async (row) => (row.details === null ? null : openJson(options.keys, row.details).catch(() => undefined))));
    const notifications = rows
      .map((row, index) => ({ row, notification: notificationOfEvent(toEventRow(row, opened[index]), options.linkBaseUrl) }))
      .filter((item): item is { row: EventQueryRow; notification: NonNullable<typeof item.notification> } => item.notification !== null);
    let queued = 0;
    if (notifications.length > 0) {
      const deliveries: QueuedDelivery[] = [];
      const entries: UserNotificationInput[] = [];
      for (const { row, notification } of notifications) {
        const subscribed = new Set<string>();
        for (const rule of rules) {
          if (!subscriptionMatches(rule, notification.facts)) continue;
          if (rule.channel === 'email' && rule.userId !== null) subscribed.add(rule.userId);
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
        const byDefault = byDefaultRules({ caseId: row.case_id, seq: row.seq, type: row.type }, notification, defaults, subscribed);
        entries.push(...byDefault.entries);
        deliveries.push(...byDefault.deliveries);
      }
      queued = await insertDeliveries(client, deliveries);
      await insertUserNotifications(client, entries);
    }
    await moveCursor(rows[rows.length - 1]);
    return { events: rows.length, queued };
  });
}

/** Whether committed case events wait behind the dispatcher's cursor (a benchmark waits for it to catch up). */
export async function eventsAwaitDispatch(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ waiting: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM case_events e, notification_cursor c
       WHERE c.name = $1 AND (e.committed_tx, e.event_no) > (c.committed_tx, c.event_no)
     ) AS waiting`,
    [CURSOR],
  );
  return rows[0].waiting;
}
