/**
 * Which subscriptions a notification goes to. Pure (no I/O), so the rules are unit-testable: every filter
 * that is set must match, and an email to a named user also needs the event to be inside that
 * user's scope (their areas; their services for operators), so no one is told about cases they may
 * not see.
 */
import { inArea, seesObject, seesReferral } from './access';

/** Notification kinds a subscription can ask for. */
export const subscribableKinds = ['task_assigned', 'task_reminder', 'task_escalated', 'referral', 'case_transfer'] as const;
export type SubscribableKind = (typeof subscribableKinds)[number];

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
  /**
   * The referring service, set on a referral's answers (accepted, rejected, outcome) only: they are
   * news for the service that sent it, which sees the referral too (domain/access.ts, seesReferral).
   */
  fromService?: string | null;
  /** Who raised the referral (the actor of its creation), on a referral's answers only; used here and never sent. */
  creatorId?: string | null;
}

/** The event's place in the read scope: a referral's answer is seen by both its services, anything else by its own service. */
function seesEvent(user: { roles: readonly string[]; areas: readonly string[]; services: readonly string[] }, facts: NotificationFacts): boolean {
  if (facts.fromService !== undefined && facts.fromService !== null && facts.service !== null) {
    return seesReferral(user, { areaId: facts.areaId, fromService: facts.fromService, toService: facts.service });
  }
  return seesObject(user, { areaId: facts.areaId, service: facts.service });
}

/** The same read scope as the API's (domain/access.ts): an event about an unknown service reaches only service-blind readers. */
function userSees(user: NonNullable<SubscriptionRule['user']>, facts: NotificationFacts): boolean {
  return user.active && seesEvent(user, facts);
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

/** How a default rule decides that an event concerns a user (see the migration that seeds the rules). */
export const defaultRuleReaches = ['area', 'role', 'service', 'assignee', 'referring-service', 'creator'] as const;
export type DefaultRuleReach = (typeof defaultRuleReaches)[number];

/** A default subscription, as data: who hears of which case events without an admin setting anything up. */
export interface DefaultRule {
  ruleKey: string;
  /** The role a user must hold for the rule to apply; null: any role. */
  role: string | null;
  /** Case event types (task_escalated, referral_created…). */
  events: readonly string[];
  reach: DefaultRuleReach;
  /** Whether the rule also emails by default (the centre always shows what it matches). */
  email: boolean;
}

/** A user who may hear of events: the directory's record. */
export interface NotifiedUser {
  id: string;
  active: boolean;
  roles: readonly string[];
  areas: readonly string[];
  services: readonly string[];
}

function reaches(reach: DefaultRuleReach, user: NotifiedUser, facts: NotificationFacts): boolean {
  if (reach === 'assignee') return facts.assigneeId === user.id;
  if (reach === 'creator') return facts.creatorId !== undefined && facts.creatorId !== null && facts.creatorId === user.id;
  if (facts.areaId === null || !inArea(user, facts.areaId)) return false;
  if (reach === 'referring-service') return facts.fromService !== undefined && facts.fromService !== null && user.services.includes(facts.fromService);
  if (reach === 'role') return facts.role !== null && user.roles.includes(facts.role);
  if (reach === 'service') return facts.service !== null && user.services.includes(facts.service);
  return true;
}

/**
 * The keys of the default rules by which an event concerns a user, empty when none does. The user's
 * read scope (domain/access.ts) comes first: no rule tells anyone of a case they may not see.
 */
export function defaultRulesConcerning(rules: readonly DefaultRule[], user: NotifiedUser, event: string, facts: NotificationFacts): string[] {
  if (!user.active) return [];
  // The cheap tests first: most events (new tasks, reminders) are named by no rule, and the dispatcher asks for every user.
  const candidates = rules.filter((rule) => rule.events.includes(event) && (rule.role === null || user.roles.includes(rule.role)));
  if (candidates.length === 0 || !seesEvent(user, facts)) return [];
  return candidates.filter((rule) => reaches(rule.reach, user, facts)).map((rule) => rule.ruleKey);
}

/** Whether the matched default rules ask for an email the user has not muted. */
export function defaultEmailWanted(rules: readonly DefaultRule[], matched: readonly string[], mutedRules: readonly string[]): boolean {
  return rules.some((rule) => rule.email && matched.includes(rule.ruleKey) && !mutedRules.includes(rule.ruleKey));
}
