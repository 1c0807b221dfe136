-- Up Migration

-- Supervision needs facts the first read model did not keep. Written by applyProjection only.
-- Last successful contact with the person (a failed attempt does not count), for the
-- "no contact for N days" stalled-case rule.
ALTER TABLE cases ADD COLUMN last_contact_at timestamptz;
-- A reporting code for funder indicators (e.g. homeless, family_with_minors): a category, never an
-- identity, kept in clear so aggregate figures survive a person's erasure.
ALTER TABLE cases ADD COLUMN target_group text;
-- When the joint plan was signed by every service it names (first contact → signed plan metric).
ALTER TABLE cases ADD COLUMN plan_signed_at timestamptz;

-- Closed-loop referrals between services: one row per referral, its state and deadlines.
CREATE TABLE referrals (
  referral_id text PRIMARY KEY,
  case_id text NOT NULL,
  step_id text NOT NULL,
  area_id text NOT NULL,
  from_service text NOT NULL,
  to_service text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'completed', 'cancelled')),
  created_at timestamptz NOT NULL,
  accept_due_at timestamptz,
  responded_at timestamptz,
  responded_by text,
  reason_code text,
  outcome text,
  outcome_at timestamptz,
  escalation_level integer NOT NULL DEFAULT 0,
  version integer NOT NULL,
  projected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referrals_case_idx ON referrals (case_id);
CREATE INDEX referrals_pending_idx ON referrals (area_id, to_service, accept_due_at) WHERE status = 'pending';

-- Down Migration
DROP TABLE referrals;
ALTER TABLE cases DROP COLUMN plan_signed_at;
ALTER TABLE cases DROP COLUMN target_group;
ALTER TABLE cases DROP COLUMN last_contact_at;
