/**
 * Whether a case's internal clocks are paused because the person cannot be reached, as its events
 * say (their types are in clear): the latest `clocks_paused` not followed by `clocks_resumed`.
 */
import type { Queryable } from './pool';

/** Since when the case's internal clocks are paused, or null when they run. */
export async function contactPausedSince(db: Queryable, caseId: string): Promise<string | null> {
  const { rows } = await db.query<{ type: string; at: Date }>(
    `SELECT type, at FROM case_events WHERE case_id = $1 AND type IN ('clocks_paused', 'clocks_resumed') ORDER BY seq DESC LIMIT 1`,
    [caseId],
  );
  return rows[0]?.type === 'clocks_paused' ? rows[0].at.toISOString() : null;
}
