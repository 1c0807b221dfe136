-- Up Migration

-- Stalled cases over every area (an admin's or coordinator's unfiltered list): each rule kind is read
-- as one stream in the order of its "since" across all (area, pathway) groups, rather than one
-- stream per group or area, so a page reads about (kinds × page size) index entries however many
-- groups there are. Filtered lists keep using the per-group indexes of 1764259200000_stall-rules.
CREATE INDEX cases_stall_all_deadline_idx ON cases (next_deadline, case_id) WHERE status = 'active';
CREATE INDEX cases_stall_all_progress_idx ON cases (last_progress_at, case_id) WHERE status = 'active';
CREATE INDEX cases_stall_all_contact_idx ON cases ((coalesce(last_contact_at, started_at)), case_id) WHERE status = 'active';
CREATE INDEX cases_stall_all_suspended_idx ON cases (suspended_at, case_id) WHERE status = 'suspended';
CREATE INDEX tasks_stall_all_escalated_idx ON tasks (escalated_at, case_id) INCLUDE (task_id, escalation_level)
  WHERE status IN ('open', 'claimed') AND escalation_level >= 1;
CREATE INDEX referrals_stall_all_due_idx ON referrals (accept_due_at, case_id) INCLUDE (referral_id) WHERE status = 'pending';
-- "Is there an earlier escalated open task of this case?" (one row per case in the escalated
-- streams), answered by case in one probe: the stream indexes lead with the date (or the area).
CREATE INDEX tasks_escalated_case_idx ON tasks (case_id, escalated_at, task_id) INCLUDE (escalation_level)
  WHERE status IN ('open', 'claimed') AND escalation_level >= 1;

-- Time to a signed plan: the days as a stored float next to the signing date, so the percentile
-- sorts plain floats from the index instead of computing a numeric per row (the same value: the
-- numeric is what the percentile used to cast to double precision).
ALTER TABLE cases ADD COLUMN plan_days double precision
  GENERATED ALWAYS AS ((extract(epoch FROM plan_signed_at - started_at) / 86400)::double precision) STORED;
CREATE INDEX cases_plan_days_idx ON cases (plan_signed_at) INCLUDE (area_id, pathway_key, plan_days) WHERE plan_signed_at IS NOT NULL;

-- Open tasks by area × step × status and open cases by area × open step × status, kept by
-- statement-level triggers from the rows each statement changed (the projection writes a batch
-- in one statement). Each statement applies its net changes in key order, so concurrent
-- statements lock counters in the same order and cannot deadlock on them. Rows may reach n = 0;
-- readers skip them.
CREATE TABLE open_task_counts (
  area_id text NOT NULL,
  step_id text NOT NULL,
  status text NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (area_id, step_id, status) INCLUDE (n)
);
-- Open tasks by area and UTC day of creation, for the ageing buckets: whole days come from here,
-- only the partial day at each bucket boundary from tasks (tasks_open_created_idx).
CREATE TABLE open_task_days (
  area_id text NOT NULL,
  day date NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (area_id, day) INCLUDE (n)
);
CREATE INDEX tasks_open_created_idx ON tasks (created_at) INCLUDE (area_id) WHERE status IN ('open', 'claimed');
CREATE TABLE open_case_step_counts (
  area_id text NOT NULL,
  step_id text NOT NULL,
  status text NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (area_id, step_id, status) INCLUDE (n)
);

CREATE FUNCTION open_task_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The statement's net change per key: +1 per open row after it, -1 per open row before it.
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM open_task_counts;
    DELETE FROM open_task_days;
  ELSIF TG_OP = 'INSERT' THEN
    WITH changes AS MATERIALIZED (SELECT area_id, step_id, status, (created_at AT TIME ZONE 'UTC')::date AS day, 1 AS d FROM new_rows WHERE status IN ('open', 'claimed')),
    counts AS (
      INSERT INTO open_task_counts AS o (area_id, step_id, status, n)
      SELECT area_id, step_id, status, sum(d) FROM changes GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
      ON CONFLICT (area_id, step_id, status) DO UPDATE SET n = o.n + EXCLUDED.n
    )
    INSERT INTO open_task_days AS o (area_id, day, n)
    SELECT area_id, day, sum(d) FROM changes GROUP BY 1, 2 HAVING sum(d) <> 0 ORDER BY 1, 2
    ON CONFLICT (area_id, day) DO UPDATE SET n = o.n + EXCLUDED.n;
  ELSIF TG_OP = 'UPDATE' THEN
    WITH changes AS MATERIALIZED (SELECT area_id, step_id, status, (created_at AT TIME ZONE 'UTC')::date AS day, 1 AS d FROM new_rows WHERE status IN ('open', 'claimed')
      UNION ALL SELECT area_id, step_id, status, (created_at AT TIME ZONE 'UTC')::date AS day, -1 AS d FROM old_rows WHERE status IN ('open', 'claimed')),
    counts AS (
      INSERT INTO open_task_counts AS o (area_id, step_id, status, n)
      SELECT area_id, step_id, status, sum(d) FROM changes GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
      ON CONFLICT (area_id, step_id, status) DO UPDATE SET n = o.n + EXCLUDED.n
    )
    INSERT INTO open_task_days AS o (area_id, day, n)
    SELECT area_id, day, sum(d) FROM changes GROUP BY 1, 2 HAVING sum(d) <> 0 ORDER BY 1, 2
    ON CONFLICT (area_id, day) DO UPDATE SET n = o.n + EXCLUDED.n;
  ELSE
    WITH changes AS MATERIALIZED (SELECT area_id, step_id, status, (created_at AT TIME ZONE 'UTC')::date AS day, -1 AS d FROM old_rows WHERE status IN ('open', 'claimed')),
    counts AS (
      INSERT INTO open_task_counts AS o (area_id, step_id, status, n)
      SELECT area_id, step_id, status, sum(d) FROM changes GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
      ON CONFLICT (area_id, step_id, status) DO UPDATE SET n = o.n + EXCLUDED.n
    )
    INSERT INTO open_task_days AS o (area_id, day, n)
    SELECT area_id, day, sum(d) FROM changes GROUP BY 1, 2 HAVING sum(d) <> 0 ORDER BY 1, 2
    ON CONFLICT (area_id, day) DO UPDATE SET n = o.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION open_case_step_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM open_case_step_counts;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO open_case_step_counts AS o (area_id, step_id, status, n)
    SELECT c.area_id, s.step_id, c.status, count(*) FROM new_rows c CROSS JOIN LATERAL unnest(c.open_step_ids) AS s(step_id)
    WHERE c.status IN ('active', 'suspended') GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (area_id, step_id, status) DO UPDATE SET n = o.n + EXCLUDED.n;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO open_case_step_counts AS o (area_id, step_id, status, n)
    SELECT area_id, step_id, status, sum(d) FROM (
      SELECT c.area_id, s.step_id, c.status, 1 AS d FROM new_rows c CROSS JOIN LATERAL unnest(c.open_step_ids) AS s(step_id)
      WHERE c.status IN ('active', 'suspended')
      UNION ALL
      SELECT c.area_id, s.step_id, c.status, -1 FROM old_rows c CROSS JOIN LATERAL unnest(c.open_step_ids) AS s(step_id)
      WHERE c.status IN ('active', 'suspended')
    ) x GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (area_id, step_id, status) DO UPDATE SET n = o.n + EXCLUDED.n;
  ELSE
    INSERT INTO open_case_step_counts AS o (area_id, step_id, status, n)
    SELECT c.area_id, s.step_id, c.status, -count(*) FROM old_rows c CROSS JOIN LATERAL unnest(c.open_step_ids) AS s(step_id)
    WHERE c.status IN ('active', 'suspended') GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (area_id, step_id, status) DO UPDATE SET n = o.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END
$$;

-- A trigger with transition tables serves one event, hence one per event.
CREATE TRIGGER tasks_open_counts_insert AFTER INSERT ON tasks REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION open_task_counts_sync();
CREATE TRIGGER tasks_open_counts_update AFTER UPDATE ON tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION open_task_counts_sync();
CREATE TRIGGER tasks_open_counts_delete AFTER DELETE ON tasks REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION open_task_counts_sync();
CREATE TRIGGER tasks_open_counts_truncate AFTER TRUNCATE ON tasks
  FOR EACH STATEMENT EXECUTE FUNCTION open_task_counts_sync();
CREATE TRIGGER cases_open_step_counts_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION open_case_step_counts_sync();
CREATE TRIGGER cases_open_step_counts_update AFTER UPDATE ON cases REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION open_case_step_counts_sync();
CREATE TRIGGER cases_open_step_counts_delete AFTER DELETE ON cases REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION open_case_step_counts_sync();
CREATE TRIGGER cases_open_step_counts_truncate AFTER TRUNCATE ON cases
  FOR EACH STATEMENT EXECUTE FUNCTION open_case_step_counts_sync();

INSERT INTO open_task_counts (area_id, step_id, status, n)
SELECT area_id, step_id, status, count(*) FROM tasks WHERE status IN ('open', 'claimed') GROUP BY 1, 2, 3;
INSERT INTO open_task_days (area_id, day, n)
SELECT area_id, (created_at AT TIME ZONE 'UTC')::date, count(*) FROM tasks WHERE status IN ('open', 'claimed') GROUP BY 1, 2;
INSERT INTO open_case_step_counts (area_id, step_id, status, n)
SELECT c.area_id, s.step_id, c.status, count(*) FROM cases c CROSS JOIN LATERAL unnest(c.open_step_ids) AS s(step_id)
WHERE c.status IN ('active', 'suspended') GROUP BY 1, 2, 3;

-- Down Migration
DROP TRIGGER cases_open_step_counts_truncate ON cases;
DROP TRIGGER cases_open_step_counts_delete ON cases;
DROP TRIGGER cases_open_step_counts_update ON cases;
DROP TRIGGER cases_open_step_counts_insert ON cases;
DROP TRIGGER tasks_open_counts_truncate ON tasks;
DROP TRIGGER tasks_open_counts_delete ON tasks;
DROP TRIGGER tasks_open_counts_update ON tasks;
DROP TRIGGER tasks_open_counts_insert ON tasks;
DROP FUNCTION open_case_step_counts_sync();
DROP FUNCTION open_task_counts_sync();
DROP TABLE open_case_step_counts;
DROP INDEX tasks_open_created_idx;
DROP TABLE open_task_days;
DROP TABLE open_task_counts;
DROP INDEX cases_plan_days_idx;
ALTER TABLE cases DROP COLUMN plan_days;
DROP INDEX tasks_escalated_case_idx;
DROP INDEX referrals_stall_all_due_idx;
DROP INDEX tasks_stall_all_escalated_idx;
DROP INDEX cases_stall_all_suspended_idx;
DROP INDEX cases_stall_all_contact_idx;
DROP INDEX cases_stall_all_progress_idx;
DROP INDEX cases_stall_all_deadline_idx;
