-- Up Migration

-- Who hears of what without an admin setting anything up: default rules as data. A rule concerns a
-- user who holds `role` (null: any role) when the event is one of `events` and
--   reach 'area'     the event is in one of the user's areas (area managers: every escalation there);
--   reach 'role'     the event names one of the user's roles (an escalation rung), in their areas;
--   reach 'service'  the event is for one of the user's services (a referral to it), in their areas;
--   reach 'assignee' the event hands the task to the user (a reassignment to them).
-- The user's read scope (domain/access.ts) always applies on top. `email` says whether the rule also
-- sends an email by default; every rule fills the notification centre.
CREATE TABLE notification_default_rules (
  rule_key text PRIMARY KEY,
  role text,
  events text[] NOT NULL CHECK (cardinality(events) > 0),
  reach text NOT NULL CHECK (reach IN ('area', 'role', 'service', 'assignee')),
  email boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO notification_default_rules (rule_key, role, events, reach, email) VALUES
  ('escalations-in-my-area', 'supervisor', '{task_escalated,referral_escalated}', 'area', true),
  ('escalations-to-my-role', NULL, '{task_escalated,referral_escalated}', 'role', true),
  ('referrals-to-my-service', 'operator', '{referral_created}', 'service', true),
  ('tasks-reassigned-to-me', NULL, '{task_reassigned}', 'assignee', true),
  ('transfers-to-my-area', 'supervisor', '{transfer_requested}', 'area', true);

-- Each user's own choices: the language of their emails and the default rules they want no email for.
-- No row: Italian, every default rule's email as the rule says.
CREATE TABLE notification_preferences (
  user_id text PRIMARY KEY,
  locale text NOT NULL DEFAULT 'it' CHECK (locale IN ('it', 'en')),
  muted_rules text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The notification centre: one row per event per user it concerns, written by the dispatcher in the
-- transaction that moves its cursor. The message holds codes and references only (like every
-- delivery); area and service stay in clear so a read is narrowed to the reader's current scope.
CREATE TABLE user_notifications (
  notification_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id text NOT NULL,
  case_id text NOT NULL,
  event_seq integer NOT NULL,
  kind text NOT NULL,
  event text NOT NULL,
  area_id text,
  service text,
  rule_keys text[] NOT NULL,
  message jsonb NOT NULL,
  occurred_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz,
  UNIQUE (user_id, case_id, event_seq)
);
CREATE INDEX user_notifications_list_idx ON user_notifications (user_id, occurred_at DESC, notification_id DESC);
CREATE INDEX user_notifications_unread_idx ON user_notifications (user_id) WHERE read_at IS NULL;

-- Down Migration

DROP TABLE user_notifications;
DROP TABLE notification_preferences;
DROP TABLE notification_default_rules;
