-- Up Migration

-- The referring service hears the answers to its referrals. Two more reaches:
--   reach 'referring-service'  the event answers a referral sent by one of the user's services, in their areas;
--   reach 'creator'            the event answers a referral the user raised (completed the step before it).
-- The user's read scope (domain/access.ts) still applies on top: operators see the referrals their
-- services send or receive.
ALTER TABLE notification_default_rules DROP CONSTRAINT notification_default_rules_reach_check;
ALTER TABLE notification_default_rules ADD CONSTRAINT notification_default_rules_reach_check
  CHECK (reach IN ('area', 'role', 'service', 'assignee', 'referring-service', 'creator'));
INSERT INTO notification_default_rules (rule_key, role, events, reach, email) VALUES
  ('answers-to-my-service-referrals', 'operator', '{referral_accepted,referral_rejected,referral_outcome_recorded}', 'referring-service', true),
  ('answers-to-my-referrals', NULL, '{referral_accepted,referral_rejected,referral_outcome_recorded}', 'creator', true)
ON CONFLICT (rule_key) DO NOTHING;

-- A referral's answer is read by the referring service too: the centre narrows on either service.
ALTER TABLE user_notifications ADD COLUMN from_service text;

-- Down Migration

ALTER TABLE user_notifications DROP COLUMN from_service;
DELETE FROM notification_default_rules WHERE rule_key IN ('answers-to-my-service-referrals', 'answers-to-my-referrals');
ALTER TABLE notification_default_rules DROP CONSTRAINT notification_default_rules_reach_check;
ALTER TABLE notification_default_rules ADD CONSTRAINT notification_default_rules_reach_check
  CHECK (reach IN ('area', 'role', 'service', 'assignee'));
