-- Up Migration

-- Bulk interventions and version migrations run as durable jobs (one Temporal workflow each, one
-- case update per item). The job and its items live here so progress survives restarts and can be
-- read without Temporal; the actor is kept as it was when the job was submitted, because the
-- workflow re-checks every item with those roles and areas.
CREATE TABLE intervention_jobs (
  job_id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('bulk_reassign', 'bulk_extend', 'migrate_cases')),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'not_started')),
  reason text NOT NULL,
  -- What was asked (filter, target, extension, mapping): shown back on the job page.
  parameters jsonb NOT NULL,
  actor jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  total integer NOT NULL CHECK (total >= 0)
);
CREATE INDEX intervention_jobs_creator_idx ON intervention_jobs (created_by, created_at DESC);

CREATE TABLE intervention_job_items (
  job_id uuid NOT NULL REFERENCES intervention_jobs (job_id) ON DELETE CASCADE,
  item_index integer NOT NULL CHECK (item_index >= 0),
  case_id text NOT NULL,
  task_id text,
  -- The case command to send (without the actor, which is the job's).
  command jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'refused', 'failed')),
  -- Why it was refused or failed: { type, message, issues? }.
  error jsonb,
  finished_at timestamptz,
  PRIMARY KEY (job_id, item_index)
);

-- Down Migration

DROP TABLE intervention_job_items;
DROP TABLE intervention_jobs;
