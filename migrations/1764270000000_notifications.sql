-- Up Migration

-- Where staff are notified by email (work addresses; never the people the cases are about).
ALTER TABLE users ADD COLUMN email text CHECK (email IS NULL OR email ~ '^[^@\s]+@[^@\s]+$');

-- A commit order for case events, for the notification cursor. Events are projected concurrently,
-- in any order and by many transactions: a plain sequence would let a reader skip an event whose
-- transaction commits after a later number was read. Readers only take events of transactions older
-- than every running one (pg_snapshot_xmin), ordered by (transaction, insertion number), which no
-- later commit can precede.
ALTER TABLE case_events
  ADD COLUMN committed_tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
  ADD COLUMN event_no bigint GENERATED ALWAYS AS IDENTITY;
CREATE INDEX case_events_commit_order_idx ON case_events (committed_tx, event_no);

-- The dispatcher's durable position in that order; one row per consumer. It starts after every event
-- that exists now, so history is never notified.
CREATE TABLE notification_cursor (
  name text PRIMARY KEY,
  committed_tx xid8 NOT NULL,
  event_no bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO notification_cursor (name, committed_tx, event_no)
SELECT 'case-events', pg_current_xact_id(), coalesce(max(event_no), 0) FROM case_events;

-- Who wants which notifications through which channel, managed by admins as data. A null filter
-- matches everything. Deleted subscriptions are kept (soft delete) so their deliveries stay explained.
CREATE TABLE notification_subscriptions (
  subscription_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  channel text NOT NULL CHECK (channel IN ('webhook', 'email')),
  url text,
  secret text,
  user_id text,
  address text,
  area_id text,
  service text,
  role text,
  kinds text[] NOT NULL CHECK (cardinality(kinds) > 0),
  only_assigned boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  deleted_at timestamptz,
  deleted_by text,
  CHECK (channel <> 'webhook' OR (url IS NOT NULL AND secret IS NOT NULL AND user_id IS NULL AND address IS NULL)),
  CHECK (channel <> 'email' OR (url IS NULL AND secret IS NULL AND (user_id IS NULL) <> (address IS NULL))),
  CHECK (NOT only_assigned OR user_id IS NOT NULL)
);
CREATE INDEX notification_subscriptions_live_idx ON notification_subscriptions (created_at) WHERE deleted_at IS NULL;

-- One row per message per recipient channel: an outbox with retries. A delivery that used up its
-- attempts is 'dead' (the dead-letter list) until an admin replays it. `dedupe_key` makes queuing
-- idempotent (event × subscription, digest run × supervisor).
CREATE TABLE notification_deliveries (
  delivery_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dedupe_key text NOT NULL UNIQUE,
  subscription_id uuid REFERENCES notification_subscriptions (subscription_id),
  channel text NOT NULL CHECK (channel IN ('webhook', 'email')),
  kind text NOT NULL,
  case_id text,
  event_seq integer,
  recipient_user_id text,
  recipient_address text,
  -- The rendered message: pseudonymous references and codes only, never form values or names.
  message jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'dead', 'cancelled')),
  attempts integer NOT NULL DEFAULT 0,
  -- For 'pending': when the next attempt is due; for 'sending': when the lease of the worker sending it ends.
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  dead_at timestamptz,
  replay_count integer NOT NULL DEFAULT 0,
  replayed_at timestamptz,
  replayed_by text
);
CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX notification_deliveries_dead_idx ON notification_deliveries (dead_at DESC, delivery_id DESC) WHERE status = 'dead';

-- Down Migration

DROP TABLE notification_deliveries;
DROP TABLE notification_subscriptions;
DROP TABLE notification_cursor;
DROP INDEX case_events_commit_order_idx;
ALTER TABLE case_events DROP COLUMN event_no, DROP COLUMN committed_tx;
ALTER TABLE users DROP COLUMN email;
