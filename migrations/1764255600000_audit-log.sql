-- Up Migration

-- Audit of access: one row per read of a case's personal data and per write, recorded by the API
-- in the request that did it. Only ids and field KEYS, never values: the log itself holds no
-- personal data beyond who looked at which case. area_id is the case's area at the time, so
-- auditors see the entries of their own areas (entries with no area are for admins).
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_id text NOT NULL,
  actor_kind text NOT NULL,
  action text NOT NULL,
  method text NOT NULL,
  route text NOT NULL,
  case_id text,
  area_id text,
  person_id text,
  fields text[] NOT NULL DEFAULT '{}',
  outcome integer NOT NULL,
  request_id text NOT NULL
);
CREATE INDEX audit_log_case_idx ON audit_log (case_id, id) WHERE case_id IS NOT NULL;
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_area_idx ON audit_log (area_id, id);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- Down Migration
DROP TABLE audit_log;
