/**
 * Default subscriptions (rules as data, seeded by migration) and each user's own choices: the
 * language of their emails and the default rules they want no email for.
 */
import type { DefaultRule, DefaultRuleReach, NotifiedUser } from '../../domain/notification-matching';
import type { Queryable } from './pool';

export const notificationLocales = ['it', 'en'] as const;
export type NotificationLocale = (typeof notificationLocales)[number];

/** A user's notification choices; a user who never chose has the defaults. */
export interface NotificationPreferences {
  locale: NotificationLocale;
  mutedRules: string[];
}

/** A user the default rules may reach, with their email address and choices. */
export interface DefaultRecipient extends NotifiedUser, NotificationPreferences {
  email: string | null;
}

/** Every default rule, in key order. */
export async function loadDefaultRules(db: Queryable): Promise<DefaultRule[]> {
  const { rows } = await db.query<{ rule_key: string; role: string | null; events: string[]; reach: DefaultRuleReach; email: boolean }>(
    'SELECT rule_key, role, events, reach, email FROM notification_default_rules ORDER BY rule_key',
  );
  return rows.map((row) => ({ ruleKey: row.rule_key, role: row.role, events: row.events, reach: row.reach, email: row.email }));
}

/** Active users with their scope, address and choices (the directory is small: read whole, once per dispatch batch). */
export async function loadDefaultRecipients(db: Queryable): Promise<DefaultRecipient[]> {
  const { rows } = await db.query<{ id: string; roles: string[]; areas: string[]; services: string[]; email: string | null; locale: NotificationLocale | null; muted_rules: string[] | null }>(
    `SELECT u.id, u.roles, u.areas, u.services, u.email, p.locale, p.muted_rules
     FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id WHERE u.active ORDER BY u.id`,
  );
  return rows.map((row) => ({
    id: row.id,
    active: true,
    roles: row.roles,
    areas: row.areas,
    services: row.services,
    email: row.email,
    locale: row.locale ?? 'it',
    mutedRules: row.muted_rules ?? [],
  }));
}

/** A user's choices (the defaults when they never chose). */
export async function findPreferences(db: Queryable, userId: string): Promise<NotificationPreferences> {
  const { rows } = await db.query<{ locale: NotificationLocale; muted_rules: string[] }>('SELECT locale, muted_rules FROM notification_preferences WHERE user_id = $1', [userId]);
  return rows[0] ? { locale: rows[0].locale, mutedRules: rows[0].muted_rules } : { locale: 'it', mutedRules: [] };
}

/** Replaces a user's choices. */
export async function savePreferences(db: Queryable, userId: string, preferences: NotificationPreferences): Promise<NotificationPreferences> {
  const { rows } = await db.query<{ locale: NotificationLocale; muted_rules: string[] }>(
    `INSERT INTO notification_preferences (user_id, locale, muted_rules) VALUES ($1, $2, $3)
     ON CONFLICT (user_id) DO UPDATE SET locale = EXCLUDED.locale, muted_rules = EXCLUDED.muted_rules, updated_at = now()
     RETURNING locale, muted_rules`,
    [userId, preferences.locale, [...new Set(preferences.mutedRules)].sort()],
  );
  return { locale: rows[0].locale, mutedRules: rows[0].muted_rules };
}
