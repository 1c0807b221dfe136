/**
 * Which subscriptions a notification goes to. Pure, so the rules are unit-testable: every filter
 * that is set must match, and an email to a named user also needs the event to be inside that
 * user's scope (their areas; their services for operators), so no one is told about cases they may
 * not see.
 */
import { seesObject } from '../../domain/access';
import type { SubscribableKind } from './messages';

export interface SubscriptionRule {
  subscriptionId: string;
  channel: 'webhook' | 'email';
  areaId: string | null;
  service: string | null;
  role: string | null;
  kinds: string[];
  onlyAssigned: boolean;
  /** The named user of an email subscription (null for webhooks and fixed addresses). */
  user: { id: string; active: boolean; roles: string[]; areas: string[]; services: string[] } | null;
}

/** What the matching needs to know of an event; `assigneeId` is used here and never sent. */
export interface NotificationFacts {
  kind: SubscribableKind;
  areaId: string | null;
  service: string | null;
  role: string | null;
  assigneeId: string | null;
}

/** The same read scope as the API's (domain/access.ts): an event about an unknown service reaches only service-blind readers. */
function userSees(user: NonNullable<SubscriptionRule['user']>, facts: NotificationFacts): boolean {
  return user.active && seesObject(user, { areaId: facts.areaId, service: facts.service });
}

/** Whether the subscription wants this notification. */
export function subscriptionMatches(rule: SubscriptionRule, facts: NotificationFacts): boolean {
  if (!rule.kinds.includes(facts.kind)) return false;
  if (rule.areaId !== null && rule.areaId !== facts.areaId) return false;
  if (rule.service !== null && rule.service !== facts.service) return false;
  if (rule.role !== null && rule.role !== facts.role) return false;
  if (rule.channel === 'email' && rule.user !== null) {
    if (!userSees(rule.user, facts)) return false;
    if (rule.onlyAssigned && facts.assigneeId !== rule.user.id) return false;
  }
  return true;
}
