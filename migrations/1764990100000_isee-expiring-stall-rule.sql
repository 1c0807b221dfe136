-- Up Migration

-- A stall rule kind for ISEE renewal: a case whose latest ISEE certificate expires within N days
-- (31 December) with no newer one uploaded. On by default, 30 days ahead; coordinators tune it like
-- the other kinds.
ALTER TABLE stall_rules DROP CONSTRAINT stall_rules_kind_check;
ALTER TABLE stall_rules ADD CONSTRAINT stall_rules_kind_check
  CHECK (kind IN ('overdue_task', 'no_progress', 'no_contact', 'escalated', 'referral_not_accepted', 'suspended_too_long', 'isee_expiring'));
INSERT INTO stall_rules (pathway_key, area_id, kind, threshold, enabled, updated_by)
  SELECT NULL, NULL, 'isee_expiring', 30, true, 'system'
  WHERE NOT EXISTS (SELECT 1 FROM stall_rules WHERE pathway_key IS NULL AND area_id IS NULL AND kind = 'isee_expiring');

-- Down Migration

DELETE FROM stall_rules WHERE kind = 'isee_expiring';
ALTER TABLE stall_rules DROP CONSTRAINT stall_rules_kind_check;
ALTER TABLE stall_rules ADD CONSTRAINT stall_rules_kind_check
  CHECK (kind IN ('overdue_task', 'no_progress', 'no_contact', 'escalated', 'referral_not_accepted', 'suspended_too_long'));
