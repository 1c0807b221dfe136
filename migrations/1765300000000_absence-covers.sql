-- Up Migration

-- Absence cover: during [starts_on, ends_on] (local dates, Europe/Rome) the tasks held by user_id go
-- to colleague_id (same area and service, domain/access.ts coverRefusal). Ending a cover early keeps
-- its row (ended_at) for the record; the periods of one person's covers in force never overlap.
CREATE TABLE absence_covers (
  cover_id uuid PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  colleague_id text NOT NULL REFERENCES users(id),
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  ended_by text,
  CHECK (ends_on >= starts_on),
  CHECK (colleague_id <> user_id)
);
CREATE INDEX absence_covers_user_idx ON absence_covers (user_id, starts_on) WHERE ended_at IS NULL;
CREATE INDEX absence_covers_colleague_idx ON absence_covers (colleague_id, starts_on) WHERE ended_at IS NULL;

-- Down Migration

DROP TABLE absence_covers;
