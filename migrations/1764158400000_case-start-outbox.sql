-- Up Migration

-- A case start commits its idempotency record, the workflow input and the case's first projection in
-- one transaction, then starts the workflow: the record doubles as an outbox that API instances sweep
-- until every recorded case has its workflow. Rows from before this migration were started in-line.
ALTER TABLE case_start_requests
  ADD COLUMN workflow_input jsonb,
  ADD COLUMN workflow_started_at timestamptz;
UPDATE case_start_requests SET workflow_started_at = created_at;
CREATE INDEX case_start_requests_pending_idx ON case_start_requests (created_at) WHERE workflow_started_at IS NULL;

-- Down Migration

DROP INDEX case_start_requests_pending_idx;
ALTER TABLE case_start_requests DROP COLUMN workflow_started_at, DROP COLUMN workflow_input;
