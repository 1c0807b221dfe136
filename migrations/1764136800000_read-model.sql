-- Up Migration

-- Reference data: where cases live, who serves them, who may act.
CREATE TABLE areas (
  id text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_-]{0,40}$'),
  -- Two or three letters used in pseudonymous case references (RT-LI-7K3Q9X).
  code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z]{2,3}$'),
  name text NOT NULL,
  timezone text NOT NULL DEFAULT 'Europe/Rome',
  local_holidays jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE access_points (
  id text PRIMARY KEY,
  area_id text NOT NULL REFERENCES areas (id),
  name text NOT NULL,
  kind text NOT NULL,
  is_main boolean NOT NULL DEFAULT false
);
CREATE INDEX access_points_area_idx ON access_points (area_id);

CREATE TABLE services (
  key text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_-]{0,40}$'),
  name text NOT NULL,
  description text
);

CREATE TABLE users (
  id text PRIMARY KEY,
  display_name text NOT NULL,
  roles text[] NOT NULL DEFAULT '{}',
  areas text[] NOT NULL DEFAULT '{}',
  services text[] NOT NULL DEFAULT '{}',
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Pathway definitions: one editable draft per key, then immutable numbered versions.
CREATE TABLE pathway_drafts (
  key text PRIMARY KEY,
  -- The document as the coordinator wrote it (schema-valid), so edits round-trip without injected defaults.
  document jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL
);

CREATE TABLE pathway_versions (
  key text NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  -- The parsed definition (defaults applied): exactly what running cases interpret.
  definition jsonb NOT NULL,
  status text NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'retired')),
  published_at timestamptz NOT NULL DEFAULT now(),
  published_by text NOT NULL,
  retired_at timestamptz,
  retired_by text,
  PRIMARY KEY (key, version)
);

-- Read model of running cases, written only by applyProjection. No foreign keys: batches arrive
-- at least once and in any order, and must never be refused by the read model.
CREATE TABLE cases (
  case_id text PRIMARY KEY,
  reference text NOT NULL UNIQUE,
  pathway_key text NOT NULL,
  pathway_version integer NOT NULL,
  area_id text NOT NULL,
  status text NOT NULL,
  outcome text,
  started_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  last_progress_at timestamptz NOT NULL,
  closed_at timestamptz,
  suspended_at timestamptz,
  version integer NOT NULL,
  data jsonb NOT NULL DEFAULT '{}'::jsonb,
  open_step_ids text[] NOT NULL DEFAULT '{}',
  next_deadline timestamptz,
  escalation_level integer NOT NULL DEFAULT 0,
  projected_at timestamptz NOT NULL DEFAULT now()
);
-- Case list: filters on area/status/pathway, keyset over (started_at desc, case_id desc).
CREATE INDEX cases_list_idx ON cases (area_id, status, pathway_key, started_at DESC, case_id DESC);
CREATE INDEX cases_started_idx ON cases (started_at DESC, case_id DESC);
CREATE INDEX cases_open_steps_idx ON cases USING gin (open_step_ids);
CREATE INDEX cases_active_progress_idx ON cases (area_id, last_progress_at) WHERE status = 'active';

CREATE TABLE tasks (
  task_id text PRIMARY KEY,
  case_id text NOT NULL,
  step_id text NOT NULL,
  token_id text NOT NULL,
  area_id text NOT NULL,
  service text NOT NULL,
  role text NOT NULL,
  assignee_id text,
  status text NOT NULL,
  created_at timestamptz NOT NULL,
  due_at timestamptz,
  reminders jsonb NOT NULL DEFAULT '[]'::jsonb,
  escalations jsonb NOT NULL DEFAULT '[]'::jsonb,
  escalation_level integer NOT NULL DEFAULT 0,
  sign_off jsonb,
  completed_at timestamptz,
  completed_by text,
  completion_key text,
  occurrence integer,
  version integer NOT NULL,
  projected_at timestamptz NOT NULL DEFAULT now()
);
-- Inbox: area + service + status, ordered by due date (NULLS LAST is the ascending default).
CREATE INDEX tasks_inbox_idx ON tasks (area_id, service, status, due_at, task_id);
CREATE INDEX tasks_assignee_idx ON tasks (assignee_id, status, due_at);
CREATE INDEX tasks_case_idx ON tasks (case_id);
CREATE INDEX tasks_open_due_idx ON tasks (due_at) WHERE status IN ('open', 'claimed');

CREATE TABLE case_events (
  case_id text NOT NULL,
  seq integer NOT NULL,
  type text NOT NULL,
  at timestamptz NOT NULL,
  actor_id text NOT NULL,
  actor_kind text NOT NULL,
  step_id text,
  task_id text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (case_id, seq)
);

-- Idempotent case starts: the same key and body from the same actor always mean the same case.
CREATE TABLE case_start_requests (
  actor_id text NOT NULL,
  idempotency_key text NOT NULL,
  request_hash text NOT NULL,
  case_id text NOT NULL UNIQUE,
  reference text NOT NULL UNIQUE,
  pathway_key text NOT NULL,
  pathway_version integer NOT NULL,
  area_id text NOT NULL,
  -- Kept so that a retry after a crash rebuilds the identical workflow input.
  started_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (actor_id, idempotency_key)
);

-- Down Migration

DROP TABLE case_start_requests;
DROP TABLE case_events;
DROP TABLE tasks;
DROP TABLE cases;
DROP TABLE pathway_versions;
DROP TABLE pathway_drafts;
DROP TABLE users;
DROP TABLE services;
DROP TABLE access_points;
DROP TABLE areas;
