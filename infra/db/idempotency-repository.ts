/**
 * Idempotency keys of case starts: one row per (actor, key) remembering which case the first
 * request created, the hash of its body, and the inputs needed to finish it after a crash.
 */
import type { Queryable } from './pool';

export interface CaseStartRequest {
  actorId: string;
  idempotencyKey: string;
  requestHash: string;
  caseId: string;
  reference: string;
  pathwayKey: string;
  pathwayVersion: number;
  areaId: string;
  startedAt: string;
}

interface CaseStartRow {
  actor_id: string;
  idempotency_key: string;
  request_hash: string;
  case_id: string;
  reference: string;
  pathway_key: string;
  pathway_version: number;
  area_id: string;
  started_at: Date;
}

function toRequest(row: CaseStartRow): CaseStartRequest {
  return {
    actorId: row.actor_id,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    caseId: row.case_id,
    reference: row.reference,
    pathwayKey: row.pathway_key,
    pathwayVersion: row.pathway_version,
    areaId: row.area_id,
    startedAt: row.started_at.toISOString(),
  };
}

/** The request an actor already made with this key; null on first use. */
export async function findCaseStartRequest(db: Queryable, actorId: string, idempotencyKey: string): Promise<CaseStartRequest | null> {
  const { rows } = await db.query<CaseStartRow>(
    `SELECT actor_id, idempotency_key, request_hash, case_id, reference, pathway_key, pathway_version, area_id, started_at
     FROM case_start_requests WHERE actor_id = $1 AND idempotency_key = $2`,
    [actorId, idempotencyKey],
  );
  return rows[0] ? toRequest(rows[0]) : null;
}

/**
 * Records the first use of a key. False when the row was not inserted: the key was taken meanwhile
 * by a concurrent request, or the generated reference collided (the caller re-reads to tell which).
 */
export async function insertCaseStartRequest(db: Queryable, request: CaseStartRequest): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO case_start_requests (actor_id, idempotency_key, request_hash, case_id, reference, pathway_key,
       pathway_version, area_id, started_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
    [
      request.actorId,
      request.idempotencyKey,
      request.requestHash,
      request.caseId,
      request.reference,
      request.pathwayKey,
      request.pathwayVersion,
      request.areaId,
      request.startedAt,
    ],
  );
  return rowCount === 1;
}
