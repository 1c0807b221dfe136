-- Up Migration

-- Period exports read tasks and events in keyset order; the escalation gauge counts two event types.
-- (Signing and closing dates are indexed by the stall-rules migration.)
CREATE INDEX tasks_created_idx ON tasks (created_at, task_id);
CREATE INDEX case_events_at_idx ON case_events (at, case_id, seq);
CREATE INDEX case_events_escalated_idx ON case_events (case_id) WHERE type IN ('task_escalated', 'referral_escalated');
-- Auditors ask "who saw this person's data".
CREATE INDEX audit_log_person_idx ON audit_log (person_id, id) WHERE person_id IS NOT NULL;

-- Down Migration
DROP INDEX audit_log_person_idx;
DROP INDEX case_events_escalated_idx;
DROP INDEX case_events_at_idx;
DROP INDEX tasks_created_idx;
