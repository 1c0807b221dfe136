-- Up Migration

-- Service accounts for integrations live beside people in `users`, so roles, areas and services
-- (and deactivation) work the same for both; `kind` keeps a person's token from ever naming one.
ALTER TABLE users ADD COLUMN kind text NOT NULL DEFAULT 'user' CHECK (kind IN ('user', 'service'));
-- scrypt hash of the client secret (never the secret itself); only service accounts have one.
ALTER TABLE users ADD COLUMN client_secret_hash text;
ALTER TABLE users ADD COLUMN created_by text;
ALTER TABLE users ADD CONSTRAINT users_client_secret_only_for_services CHECK (client_secret_hash IS NULL OR kind = 'service');

-- Down Migration

ALTER TABLE users DROP CONSTRAINT users_client_secret_only_for_services;
ALTER TABLE users DROP COLUMN created_by;
ALTER TABLE users DROP COLUMN client_secret_hash;
ALTER TABLE users DROP COLUMN kind;
