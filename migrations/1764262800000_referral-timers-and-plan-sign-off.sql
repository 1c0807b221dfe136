-- Up Migration

-- Referrals carry the same clocks as tasks (reminders and an escalation ladder on the acceptance
-- deadline) and the role at the receiving service that answers them. Written by applyProjection only.
ALTER TABLE referrals ADD COLUMN role text NOT NULL DEFAULT 'operator';
ALTER TABLE referrals ADD COLUMN reminders jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE referrals ADD COLUMN escalations jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE referrals ADD COLUMN outcome_by text;
-- The referral inboxes: incoming (receiving service) and outgoing (referring service), soonest deadline first.
CREATE INDEX referrals_incoming_idx ON referrals (area_id, to_service, status, accept_due_at, referral_id);
CREATE INDEX referrals_outgoing_idx ON referrals (area_id, from_service, status, accept_due_at, referral_id);

-- The open joint plan's signatures (required, signed, missing services), so that lists and details
-- say a plan is not fully signed without reading tasks. Null when no sign-off task is open.
ALTER TABLE cases ADD COLUMN plan_sign_off jsonb;

-- Down Migration
ALTER TABLE cases DROP COLUMN plan_sign_off;
DROP INDEX referrals_outgoing_idx;
DROP INDEX referrals_incoming_idx;
ALTER TABLE referrals DROP COLUMN outcome_by;
ALTER TABLE referrals DROP COLUMN escalations;
ALTER TABLE referrals DROP COLUMN reminders;
ALTER TABLE referrals DROP COLUMN role;
