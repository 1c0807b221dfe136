-- Up Migration
-- Authorization codes of the embedded issuer (OAuth 2.0 authorization code + PKCE, RFC 7636), for
-- the web console's sign-in. Only a hash of each code is kept; a code is single-use (deleted when
-- exchanged) and lives one minute. In PostgreSQL, not in memory, so any API instance can exchange
-- a code another one issued.
CREATE TABLE authorization_codes (
  code_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id text NOT NULL,
  redirect_uri text NOT NULL,
  code_challenge text NOT NULL,
  scope text NOT NULL DEFAULT '',
  expires_at timestamptz NOT NULL
);
CREATE INDEX authorization_codes_expiry ON authorization_codes (expires_at);

-- Down Migration
DROP TABLE authorization_codes;
