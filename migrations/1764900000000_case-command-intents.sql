-- Up Migration

-- A case command is recorded here before its workflow Update is sent, and removed once the Update's
-- result is in the read model. The read model only ever takes what the workflow's history holds (an
-- Update's result comes back only once it is durable), so the one gap a crash can leave is a command
-- that became durable while the process that sent it died before projecting it: the reconciler finds
-- it here and asks the case's workflow for everything the read model still lacks.
CREATE TABLE case_command_intents (
  update_id text PRIMARY KEY,
  case_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Several reconcilers (one per API instance) share the work: a claimed intent is left alone until then.
  lease_until timestamptz NOT NULL DEFAULT '-infinity'
);
CREATE INDEX case_command_intents_created_idx ON case_command_intents (created_at);

-- Down Migration

DROP TABLE case_command_intents;
