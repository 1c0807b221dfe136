-- Up Migration

-- A person (data subject) is only a pseudonymous id: no name, no identity. Everything personal about
-- them, in Temporal payloads and in the read model, is encrypted with their own data key, so erasing
-- the person is destroying that key (histories in Temporal are immutable; ciphertext without its key
-- is noise).
CREATE TABLE persons (
  person_id text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  erased_at timestamptz,
  -- Who erased and why (a code, never free text: the erasure record must hold no personal data).
  erased_by text,
  erasure_reason text
);

-- Data keys, wrapped (AES-256-GCM) with a key of the master key ring named by wrapping_key_id.
-- Destroying a key drops the wrapped bytes for good; the row stays as evidence of when.
CREATE TABLE person_keys (
  key_id text PRIMARY KEY,
  person_id text NOT NULL REFERENCES persons (person_id),
  wrapping_key_id text,
  wrapped_key bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  destroyed_at timestamptz,
  CHECK ((destroyed_at IS NULL) = (wrapped_key IS NOT NULL))
);
CREATE INDEX person_keys_person_idx ON person_keys (person_id) WHERE destroyed_at IS NULL;

-- Which person a case is about. Written with the case's first projection; the read model keeps no
-- foreign key (projections must never be refused).
ALTER TABLE cases ADD COLUMN person_id text;
CREATE INDEX cases_person_idx ON cases (person_id);
-- When the case's personal columns were anonymised (erasure or retention); coded columns remain.
ALTER TABLE cases ADD COLUMN anonymised_at timestamptz;
CREATE INDEX cases_retention_idx ON cases (closed_at) WHERE anonymised_at IS NULL AND closed_at IS NOT NULL;
ALTER TABLE case_start_requests ADD COLUMN person_id text;
CREATE INDEX case_start_requests_person_idx ON case_start_requests (person_id);

-- Down Migration

DROP INDEX case_start_requests_person_idx;
ALTER TABLE case_start_requests DROP COLUMN person_id;
DROP INDEX cases_retention_idx;
ALTER TABLE cases DROP COLUMN anonymised_at;
DROP INDEX cases_person_idx;
ALTER TABLE cases DROP COLUMN person_id;
DROP TABLE person_keys;
DROP TABLE persons;
