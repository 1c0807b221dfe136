-- Up Migration

-- The person registry: who a pseudonymous person is (codice fiscale, names, birth year, aliases),
-- sealed under the person's own data key (AES-256-GCM), so erasing the person's key erases it too.
-- `alias` holds only the short alias the inbox shows, sealed apart so the inbox opens no more than it.
CREATE TABLE person_identities (
  person_id text PRIMARY KEY REFERENCES persons (person_id),
  identity jsonb NOT NULL,
  alias jsonb,
  -- Where and by which service the identity was recorded (codes): whom to contact about the person.
  area_id text NOT NULL REFERENCES areas (id),
  service text,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Keyed blind index: HMAC-SHA256 of normalised values under a key derived from master key `key_id`.
-- No plaintext search column exists anywhere; erasure deletes a person's entries.
CREATE TABLE person_index (
  kind text NOT NULL CHECK (kind IN ('codice_fiscale', 'name', 'alias')),
  key_id text NOT NULL,
  token bytea NOT NULL,
  person_id text NOT NULL REFERENCES persons (person_id),
  PRIMARY KEY (kind, key_id, token, person_id)
);
CREATE INDEX person_index_person_idx ON person_index (person_id);

-- Documents of a person, a case or a step: metadata in clear only where coded (kind, type, size,
-- dates); the file name is sealed; the bytes live in a DocumentStore (below, or an object store),
-- encrypted in frames under the person's key named by key_id.
CREATE TABLE documents (
  document_id text PRIMARY KEY,
  person_id text NOT NULL REFERENCES persons (person_id),
  case_id text,
  step_id text,
  area_id text NOT NULL,
  kind text NOT NULL,
  content_type text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  file_name jsonb,
  expires_on date,
  key_id text NOT NULL,
  store text NOT NULL,
  object_key text NOT NULL,
  uploaded_by text NOT NULL,
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  -- Erasure: the key is gone and the stored bytes deleted; the row keeps the coded columns for counts.
  erased_at timestamptz
);
CREATE INDEX documents_case_idx ON documents (case_id, uploaded_at);
CREATE INDEX documents_person_idx ON documents (person_id, uploaded_at);
-- The ISEE renewal stall rule reads the latest ISEE of each case by expiry.
CREATE INDEX documents_isee_idx ON documents (case_id, expires_on) WHERE kind = 'isee' AND erased_at IS NULL;

-- The embedded document store: encrypted frames as rows, so no file is ever one value in memory.
CREATE TABLE document_chunks (
  object_key text NOT NULL,
  seq integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (object_key, seq)
);

-- Down Migration

DROP TABLE document_chunks;
DROP TABLE documents;
DROP TABLE person_index;
DROP TABLE person_identities;
