/**
 * Authorization codes of the embedded issuer (RFC 6749 §4.1 with PKCE, RFC 7636): stored by hash,
 * single-use and short-lived. Taking a code deletes it in the same statement, so two concurrent
 * exchanges of one code cannot both succeed.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from './pool';

export interface AuthorizationCodeGrant {
  userId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
}

const hashOf = (code: string) => createHash('sha256').update(code).digest('base64url');

/** Records a code for a grant, valid for `ttlSeconds`; expired codes are swept on the way. */
export async function saveAuthorizationCode(db: Queryable, code: string, grant: AuthorizationCodeGrant, ttlSeconds: number): Promise<void> {
  await db.query(
    `WITH swept AS (DELETE FROM authorization_codes WHERE expires_at < now())
     INSERT INTO authorization_codes (code_hash, user_id, client_id, redirect_uri, code_challenge, scope, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))`,
    [hashOf(code), grant.userId, grant.clientId, grant.redirectUri, grant.codeChallenge, grant.scope, ttlSeconds],
  );
}

/** The grant of an unexpired code, which is used up by this call; null for unknown, used or expired codes. */
export async function takeAuthorizationCode(db: Queryable, code: string): Promise<AuthorizationCodeGrant | null> {
  const { rows } = await db.query<{ user_id: string; client_id: string; redirect_uri: string; code_challenge: string; scope: string; expired: boolean }>(
    `DELETE FROM authorization_codes WHERE code_hash = $1
     RETURNING user_id, client_id, redirect_uri, code_challenge, scope, expires_at < now() AS expired`,
    [hashOf(code)],
  );
  const row = rows[0];
  if (!row || row.expired) return null;
  return { userId: row.user_id, clientId: row.client_id, redirectUri: row.redirect_uri, codeChallenge: row.code_challenge, scope: row.scope };
}
