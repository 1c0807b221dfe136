-- Up Migration

-- References are allocated uniquely where cases start (case_start_requests); the read model must
-- never refuse a projection batch, so here the reference is only indexed for lookups.
ALTER TABLE cases DROP CONSTRAINT cases_reference_key;
CREATE INDEX cases_reference_idx ON cases (reference);

-- Down Migration

DROP INDEX cases_reference_idx;
ALTER TABLE cases ADD CONSTRAINT cases_reference_key UNIQUE (reference);
