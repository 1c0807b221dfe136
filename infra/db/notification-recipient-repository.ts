/**
 * Staff as recipients of notification emails: their work address and who gets the supervisor digest.
 */
import type { Queryable } from './pool';

/** The email address of a user, null when the user is unknown or has none. */
export async function findUserEmail(db: Queryable, userId: string): Promise<{ exists: boolean; email: string | null }> {
  const { rows } = await db.query<{ email: string | null }>('SELECT email FROM users WHERE id = $1', [userId]);
  return { exists: rows.length > 0, email: rows[0]?.email ?? null };
}

/** Sets the email address of a user (the seed gives demo users demo addresses). */
export async function setUserEmail(db: Queryable, userId: string, email: string | null): Promise<void> {
  await db.query('UPDATE users SET email = $2, updated_at = now() WHERE id = $1 AND email IS DISTINCT FROM $2', [userId, email]);
}

/** Active supervisors with an email address, and their areas. */
export async function listDigestRecipients(db: Queryable): Promise<Array<{ userId: string; areas: string[] }>> {
  const { rows } = await db.query<{ id: string; areas: string[] }>(
    `SELECT id, areas FROM users WHERE active AND 'supervisor' = ANY(roles) AND email IS NOT NULL AND cardinality(areas) > 0 ORDER BY id`,
  );
  return rows.map((row) => ({ userId: row.id, areas: row.areas }));
}
