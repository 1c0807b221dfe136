/**
 * Absence covers (migration 1765300000000_absence-covers.sql): set, list and end them, and find the
 * tasks that covered people hold today, which the sweep hands to their colleagues.
 */
import { randomUUID } from 'node:crypto';
import { inTransaction, type Queryable } from './pool';

export interface AbsenceCover {
  coverId: string;
  userId: string;
  userName: string | null;
  colleagueId: string;
  colleagueName: string | null;
  from: string;
  to: string;
  createdBy: string;
  createdAt: string;
  endedAt: string | null;
  endedBy: string | null;
}

interface CoverRow {
  cover_id: string;
  user_id: string;
  user_name: string | null;
  colleague_id: string;
  colleague_name: string | null;
  starts_on: string;
  ends_on: string;
  created_by: string;
  created_at: Date;
  ended_at: Date | null;
  ended_by: string | null;
}

const selectCovers = `
SELECT c.cover_id, c.user_id, u.display_name AS user_name, c.colleague_id, k.display_name AS colleague_name,
  to_char(c.starts_on, 'YYYY-MM-DD') AS starts_on, to_char(c.ends_on, 'YYYY-MM-DD') AS ends_on,
  c.created_by, c.created_at, c.ended_at, c.ended_by
FROM absence_covers c LEFT JOIN users u ON u.id = c.user_id LEFT JOIN users k ON k.id = c.colleague_id`;

function toCover(row: CoverRow): AbsenceCover {
  return {
    coverId: row.cover_id,
    userId: row.user_id,
    userName: row.user_name,
    colleagueId: row.colleague_id,
    colleagueName: row.colleague_name,
    from: row.starts_on,
    to: row.ends_on,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    endedAt: row.ended_at?.toISOString() ?? null,
    endedBy: row.ended_by,
  };
}

/** Records a cover unless one of the person's covers still in force overlaps it (then returns that one). */
export async function createCover(
  db: Queryable,
  cover: { userId: string; colleagueId: string; from: string; to: string; createdBy: string },
): Promise<{ created: AbsenceCover } | { overlapping: AbsenceCover }> {
  return inTransaction(db, async (client) => {
    // One writer per absent person, so two overlapping requests cannot both pass the check.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`absence-cover:${cover.userId}`]);
    const { rows: overlapping } = await client.query<CoverRow>(
      `${selectCovers} WHERE c.user_id = $1 AND c.ended_at IS NULL AND c.starts_on <= $3::date AND c.ends_on >= $2::date ORDER BY c.starts_on LIMIT 1`,
      [cover.userId, cover.from, cover.to],
    );
    if (overlapping[0]) return { overlapping: toCover(overlapping[0]) };
    const coverId = randomUUID();
    await client.query(
      `INSERT INTO absence_covers (cover_id, user_id, colleague_id, starts_on, ends_on, created_by) VALUES ($1, $2, $3, $4::date, $5::date, $6)`,
      [coverId, cover.userId, cover.colleagueId, cover.from, cover.to, cover.createdBy],
    );
    const { rows } = await client.query<CoverRow>(`${selectCovers} WHERE c.cover_id = $1`, [coverId]);
    return { created: toCover(rows[0]) };
  });
}

/** Covers where one of `userIds` is absent or covering, newest period first; ended ones only with `includeEnded`. */
export async function listCovers(db: Queryable, userIds: string[], includeEnded: boolean): Promise<AbsenceCover[]> {
  const { rows } = await db.query<CoverRow>(
    `${selectCovers} WHERE (c.user_id = ANY($1::text[]) OR c.colleague_id = ANY($1::text[])) AND ($2 OR c.ended_at IS NULL)
     ORDER BY c.starts_on DESC, c.created_at DESC LIMIT 200`,
    [userIds, includeEnded],
  );
  return rows.map(toCover);
}

/** One cover; null when unknown. */
export async function findCover(db: Queryable, coverId: string): Promise<AbsenceCover | null> {
  const { rows } = await db.query<CoverRow>(`${selectCovers} WHERE c.cover_id = $1`, [coverId]);
  return rows[0] ? toCover(rows[0]) : null;
}

/** Ends a cover now (kept for the record); false when it had already ended. */
export async function endCover(db: Queryable, coverId: string, endedBy: string): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE absence_covers SET ended_at = now(), ended_by = $2 WHERE cover_id = $1 AND ended_at IS NULL', [coverId, endedBy]);
  return (rowCount ?? 0) > 0;
}

/** A task a covered person holds on `today`, with the colleague it goes to. */
export interface DueHandover {
  coverId: string;
  userId: string;
  colleagueId: string;
  taskId: string;
  caseId: string;
  version: number;
}

/** Open tasks of active cases held by people covered on the local day `today` (of `userId` alone, when given), oldest first. */
export async function dueHandovers(db: Queryable, today: string, userId?: string, limit = 200): Promise<DueHandover[]> {
  const { rows } = await db.query<{ cover_id: string; user_id: string; colleague_id: string; task_id: string; case_id: string; version: number }>(
    `SELECT c.cover_id, c.user_id, c.colleague_id, t.task_id, t.case_id, t.version
     FROM absence_covers c JOIN tasks t ON t.assignee_id = c.user_id AND t.status IN ('open', 'claimed')
       -- A suspended case takes no task command: its tasks are handed on once it resumes.
       JOIN cases k ON k.case_id = t.case_id AND k.status = 'active'
     WHERE c.ended_at IS NULL AND c.starts_on <= $1::date AND c.ends_on >= $1::date AND ($2::text IS NULL OR c.user_id = $2)
     ORDER BY t.created_at, t.task_id LIMIT $3`,
    [today, userId ?? null, limit],
  );
  return rows.map((row) => ({ coverId: row.cover_id, userId: row.user_id, colleagueId: row.colleague_id, taskId: row.task_id, caseId: row.case_id, version: row.version }));
}
