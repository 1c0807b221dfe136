-- Up Migration

-- Stalled-case rules as data. A row applies to one pathway (or any: NULL) in one area (or any: NULL);
-- for each kind the most specific row wins: (pathway, area) > (pathway, any) > (any, area) > (any, any).
-- A disabled row switches its kind off for its scope (it still wins over less specific rows).
CREATE TABLE stall_rules (
  rule_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pathway_key text,
  area_id text REFERENCES areas (id),
  kind text NOT NULL CHECK (kind IN ('overdue_task', 'no_progress', 'no_contact', 'escalated', 'referral_not_accepted', 'suspended_too_long')),
  -- Unit per kind: calendar days past due (overdue_task, referral_not_accepted), working days
  -- (no_progress), calendar days (no_contact, suspended_too_long), escalation level (escalated).
  threshold integer NOT NULL CHECK (threshold >= 0 AND threshold <= 3650),
  enabled boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL
);
CREATE UNIQUE INDEX stall_rules_scope_idx ON stall_rules (coalesce(pathway_key, ''), coalesce(area_id, ''), kind);

INSERT INTO stall_rules (pathway_key, area_id, kind, threshold, enabled, updated_by) VALUES
  (NULL, NULL, 'overdue_task', 0, true, 'system'),
  (NULL, NULL, 'no_progress', 10, true, 'system'),
  (NULL, NULL, 'no_contact', 30, true, 'system'),
  (NULL, NULL, 'escalated', 1, true, 'system'),
  (NULL, NULL, 'referral_not_accepted', 0, true, 'system'),
  (NULL, NULL, 'suspended_too_long', 30, true, 'system');

-- When a task first escalated (its earliest fired level). The ISO strings in `escalations` always
-- carry their offset, so the cast cannot depend on the session's time zone: declaring the function
-- IMMUTABLE is sound and lets a generated column keep it.
CREATE FUNCTION stall_escalated_at(escalations jsonb) RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  fired timestamptz;
  earliest timestamptz;
BEGIN
  -- Simple expressions only: PL/pgSQL evaluates them without a query plan, which keeps the call cheap.
  FOR i IN 0 .. jsonb_array_length(escalations) - 1 LOOP
    fired := (escalations -> i ->> 'firedAt')::timestamptz;
    IF fired IS NOT NULL AND (earliest IS NULL OR fired < earliest) THEN
      earliest := fired;
    END IF;
  END LOOP;
  RETURN earliest;
END
$$;

-- Stalled-case streams: each rule kind is read in the order of its "since" per (area, pathway).
CREATE INDEX cases_stall_deadline_idx ON cases (area_id, pathway_key, next_deadline, case_id) WHERE status = 'active';
CREATE INDEX cases_stall_progress_idx ON cases (area_id, pathway_key, last_progress_at, case_id) WHERE status = 'active';
CREATE INDEX cases_stall_contact_idx ON cases (area_id, pathway_key, (coalesce(last_contact_at, started_at)), case_id) WHERE status = 'active';
CREATE INDEX cases_stall_suspended_idx ON cases (area_id, pathway_key, suspended_at, case_id) WHERE status = 'suspended';
-- Kept by PostgreSQL on every write of the row, so reads compare a plain column (no projection change).
ALTER TABLE tasks ADD COLUMN escalated_at timestamptz GENERATED ALWAYS AS (stall_escalated_at(escalations)) STORED;
CREATE INDEX tasks_stall_escalated_idx ON tasks (area_id, escalated_at, case_id) INCLUDE (task_id, escalation_level)
  WHERE status IN ('open', 'claimed') AND escalation_level >= 1;
-- Per-case lookups of a candidate's open tasks and pending referrals, answered from the index alone.
CREATE INDEX tasks_open_case_idx ON tasks (case_id, due_at) INCLUDE (escalation_level, escalated_at) WHERE status IN ('open', 'claimed');
CREATE INDEX referrals_pending_due_idx ON referrals (area_id, accept_due_at, case_id) WHERE status = 'pending';
CREATE INDEX referrals_pending_case_idx ON referrals (case_id, accept_due_at) WHERE status = 'pending';

-- Dashboards.
CREATE INDEX tasks_open_counts_idx ON tasks (area_id, step_id, status, created_at) WHERE status IN ('open', 'claimed');
CREATE INDEX tasks_completed_idx ON tasks (completed_at) INCLUDE (area_id, step_id, due_at, case_id) WHERE status = 'completed';
-- Tasks that went past their deadline (still open, or completed late): the "stalled in week W" trend.
CREATE INDEX tasks_late_due_idx ON tasks (due_at) INCLUDE (area_id, case_id)
  WHERE due_at IS NOT NULL AND status IN ('open', 'claimed', 'completed') AND (completed_at IS NULL OR completed_at > due_at);
-- Open cases of one pathway, for the pathway filter of the open-task figures.
CREATE INDEX cases_open_pathway_idx ON cases (pathway_key, case_id) WHERE status IN ('active', 'suspended');
CREATE INDEX cases_open_steps_counts_idx ON cases (area_id, status) INCLUDE (open_step_ids, pathway_key) WHERE status IN ('active', 'suspended');
CREATE INDEX cases_plan_signed_idx ON cases (plan_signed_at) INCLUDE (area_id, pathway_key, started_at) WHERE plan_signed_at IS NOT NULL;
CREATE INDEX cases_closed_at_idx ON cases (closed_at) INCLUDE (area_id, pathway_key, status) WHERE closed_at IS NOT NULL;
CREATE INDEX cases_started_at_idx ON cases (started_at) INCLUDE (area_id, pathway_key);

-- On-time completions per local day (Europe/Rome), area and step: the on-time dashboard reads whole
-- days here and only the partial days at the ends of its period from tasks. Kept by triggers from
-- each row's change of state, so it stays exact whatever order and however often projection
-- batches arrive (the projection's version guard means a repeated batch changes no row).
CREATE TABLE task_completion_days (
  day date NOT NULL,
  area_id text NOT NULL,
  step_id text NOT NULL,
  -- Completed tasks that had a due date, and how many of them at or before it.
  completed integer NOT NULL DEFAULT 0,
  on_time integer NOT NULL DEFAULT 0,
  -- The counts ride in the key's index, so a period's days are read without visiting the table.
  PRIMARY KEY (day, area_id, step_id) INCLUDE (completed, on_time)
);
-- A few hundred rows per query: starting parallel workers would cost more than the scan.
ALTER TABLE task_completion_days SET (parallel_workers = 0);

CREATE FUNCTION task_completion_days_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'completed' AND OLD.due_at IS NOT NULL AND OLD.completed_at IS NOT NULL THEN
    UPDATE task_completion_days
    SET completed = completed - 1, on_time = on_time - (OLD.completed_at <= OLD.due_at)::integer
    WHERE day = (OLD.completed_at AT TIME ZONE 'Europe/Rome')::date AND area_id = OLD.area_id AND step_id = OLD.step_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'completed' AND NEW.due_at IS NOT NULL AND NEW.completed_at IS NOT NULL THEN
    INSERT INTO task_completion_days AS d (day, area_id, step_id, completed, on_time)
    VALUES ((NEW.completed_at AT TIME ZONE 'Europe/Rome')::date, NEW.area_id, NEW.step_id, 1, (NEW.completed_at <= NEW.due_at)::integer)
    ON CONFLICT (day, area_id, step_id) DO UPDATE SET completed = d.completed + 1, on_time = d.on_time + EXCLUDED.on_time;
  END IF;
  RETURN NULL;
END
$$;

-- Only changes that touch a completion fire: claims, reminders and escalations cost nothing here.
CREATE TRIGGER tasks_completion_days_insert AFTER INSERT ON tasks
  FOR EACH ROW WHEN (NEW.status = 'completed') EXECUTE FUNCTION task_completion_days_sync();
CREATE TRIGGER tasks_completion_days_update AFTER UPDATE ON tasks
  FOR EACH ROW WHEN ((OLD.status = 'completed' OR NEW.status = 'completed') AND (OLD.status IS DISTINCT FROM NEW.status
    OR OLD.completed_at IS DISTINCT FROM NEW.completed_at OR OLD.due_at IS DISTINCT FROM NEW.due_at
    OR OLD.area_id IS DISTINCT FROM NEW.area_id OR OLD.step_id IS DISTINCT FROM NEW.step_id))
  EXECUTE FUNCTION task_completion_days_sync();
CREATE TRIGGER tasks_completion_days_delete AFTER DELETE ON tasks
  FOR EACH ROW WHEN (OLD.status = 'completed') EXECUTE FUNCTION task_completion_days_sync();

INSERT INTO task_completion_days (day, area_id, step_id, completed, on_time)
SELECT (completed_at AT TIME ZONE 'Europe/Rome')::date, area_id, step_id, count(*), count(*) FILTER (WHERE completed_at <= due_at)
FROM tasks WHERE status = 'completed' AND due_at IS NOT NULL AND completed_at IS NOT NULL
GROUP BY 1, 2, 3;

-- Down Migration

DROP TRIGGER tasks_completion_days_delete ON tasks;
DROP TRIGGER tasks_completion_days_update ON tasks;
DROP TRIGGER tasks_completion_days_insert ON tasks;
DROP FUNCTION task_completion_days_sync();
DROP TABLE task_completion_days;
DROP INDEX cases_started_at_idx;
DROP INDEX cases_closed_at_idx;
DROP INDEX cases_plan_signed_idx;
DROP INDEX cases_open_steps_counts_idx;
DROP INDEX cases_open_pathway_idx;
DROP INDEX tasks_late_due_idx;
DROP INDEX tasks_completed_idx;
DROP INDEX tasks_open_counts_idx;
DROP INDEX referrals_pending_case_idx;
DROP INDEX referrals_pending_due_idx;
DROP INDEX tasks_open_case_idx;
DROP INDEX tasks_stall_escalated_idx;
ALTER TABLE tasks DROP COLUMN escalated_at;
DROP INDEX cases_stall_suspended_idx;
DROP INDEX cases_stall_contact_idx;
DROP INDEX cases_stall_progress_idx;
DROP INDEX cases_stall_deadline_idx;
DROP FUNCTION stall_escalated_at(jsonb);
DROP TABLE stall_rules;
