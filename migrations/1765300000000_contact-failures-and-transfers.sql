-- Up Migration

-- A stall rule kind that acts rather than flags: N failed contact attempts in a row pause the case's
-- internal clocks until a successful contact (domain/contact-pause.ts). On by default after 3
-- attempts; coordinators tune it per area and pathway like the other kinds.
ALTER TABLE stall_rules DROP CONSTRAINT stall_rules_kind_check;
ALTER TABLE stall_rules ADD CONSTRAINT stall_rules_kind_check
  CHECK (kind IN ('overdue_task', 'no_progress', 'no_contact', 'escalated', 'referral_not_accepted', 'suspended_too_long', 'isee_expiring', 'contact_failures'));
INSERT INTO stall_rules (pathway_key, area_id, kind, threshold, enabled, updated_by)
  SELECT NULL, NULL, 'contact_failures', 3, true, 'system'
  WHERE NOT EXISTS (SELECT 1 FROM stall_rules WHERE pathway_key IS NULL AND area_id IS NULL AND kind = 'contact_failures');

-- Transfer requests are read from the case's events (the area ids stay in clear beside the sealed
-- details): the receiving area's pending list, and a case's open request and latest answer.
CREATE INDEX case_events_transfer_to_idx ON case_events ((details->>'toAreaId'), at)
  WHERE type = 'transfer_requested';
CREATE INDEX case_events_transfer_answer_idx ON case_events (case_id, (details->>'transferId'))
  WHERE type IN ('transfer_requested', 'case_transferred', 'transfer_refused', 'transfer_withdrawn');

-- Down Migration

DROP INDEX case_events_transfer_answer_idx;
DROP INDEX case_events_transfer_to_idx;
DELETE FROM stall_rules WHERE kind = 'contact_failures';
ALTER TABLE stall_rules DROP CONSTRAINT stall_rules_kind_check;
ALTER TABLE stall_rules ADD CONSTRAINT stall_rules_kind_check
  CHECK (kind IN ('overdue_task', 'no_progress', 'no_contact', 'escalated', 'referral_not_accepted', 'suspended_too_long', 'isee_expiring'));
