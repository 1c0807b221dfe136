/**
 * Case commands in flight: recorded before a command's workflow Update is sent, removed in the
 * statement that projects its result. An intent that outlives its request marks a case whose read
 * model may lack a durable change (the process that sent the command died in between); the
 * reconciler claims such intents and brings those cases up to date from their workflows.
 */
import { prepared, type Queryable } from './pool';

/** An intent the reconciler has claimed. */
export interface StaleCommandIntent {
  updateId: string;
  caseId: string;
  createdAt: Date;
}

/**
 * Records the intent (a retried command reuses its update id: recorded once) and returns the case's
 * read-model version, which the workflow takes as confirmed: every event up to it is in the read model.
 */
export async function recordCommandIntent(db: Queryable, updateId: string, caseId: string): Promise<number> {
  const { rows } = await db.query<{ version: number | null }>(
    prepared(
      `WITH recorded AS (${intentInsert('$1', 'VALUES ($2)')})
           SELECT (SELECT version FROM cases WHERE case_id = $2) AS version`,
      [updateId, caseId],
    ),
  );
  return rows[0]?.version ?? 0;
}

/**
 * The statement that records an intent, for a caller that records it inside a statement of its own
 * (the task commands, in the read of their task): `updateId` is a parameter, `caseIds` a query or
 * VALUES list giving the case's id (none: nothing is recorded). A retried command reuses its update
 * id, so a second recording does nothing.
 */
export function intentInsert(updateId: string, caseIds: string): string {
  return `INSERT INTO case_command_intents (update_id, case_id) SELECT ${updateId}, ids.case_id FROM (${caseIds}) AS ids (case_id)
             ON CONFLICT (update_id) DO NOTHING`;
}

/** Forgets an intent whose command never reached the case's history (refused, or the case is gone). */
export async function forgetCommandIntent(db: Queryable, updateId: string): Promise<void> {
  await db.query(prepared('DELETE FROM case_command_intents WHERE update_id = $1', [updateId]));
}

/**
 * Claims up to `limit` intents older than `olderThanMs` that no other reconciler holds, for
 * `leaseMs`: concurrent reconcilers (one per API instance) never work on the same intent at once.
 */
export async function claimStaleCommandIntents(db: Queryable, olderThanMs: number, leaseMs: number, limit: number): Promise<StaleCommandIntent[]> {
  const { rows } = await db.query<{ update_id: string; case_id: string; created_at: Date }>(
    prepared(
      `UPDATE case_command_intents SET lease_until = now() + $2 * interval '1 millisecond'
           WHERE update_id IN (
             SELECT update_id FROM case_command_intents
             WHERE created_at < now() - $1 * interval '1 millisecond' AND lease_until < now()
             ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED)
           RETURNING update_id, case_id, created_at`,
      [olderThanMs, leaseMs, limit],
    ),
  );
  return rows.map((row) => ({ updateId: row.update_id, caseId: row.case_id, createdAt: row.created_at }));
}

/** The case's read-model version (0 when the read model has no row for it). */
export async function readModelVersion(db: Queryable, caseId: string): Promise<number> {
  const { rows } = await db.query<{ version: number }>(prepared('SELECT version FROM cases WHERE case_id = $1', [caseId]));
  return rows[0]?.version ?? 0;
}
