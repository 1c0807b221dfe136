/**
 * Transfer requests as the read model holds them: each is a `transfer_requested` event of its case,
 * answered by the event of the same `transferId` (`case_transferred` when accepted,
 * `transfer_refused`, `transfer_withdrawn`). Area and transfer ids stay in clear beside the sealed
 * details; the reasons are opened with the person's key.
 */
import { openJson, personKeysOf } from '../codec/personal-data';
import type { Queryable } from './pool';

export const transferStatuses = ['pending', 'accepted', 'refused', 'withdrawn'] as const;
export type TransferStatus = (typeof transferStatuses)[number];

export interface TransferView {
  transferId: string;
  caseId: string;
  reference: string;
  pathwayKey: string;
  /** The case's area now: the sending area until the request is accepted. */
  caseAreaId: string;
  caseStatus: string;
  fromAreaId: string;
  toAreaId: string;
  status: TransferStatus;
  reason: string | null;
  requestedBy: string;
  requestedAt: string;
  answeredBy: string | null;
  answeredAt: string | null;
  /** Why it was refused (or withdrawn); null otherwise. */
  answerReason: string | null;
}

interface TransferRow {
  transfer_id: string;
  case_id: string;
  reference: string;
  pathway_key: string;
  area_id: string;
  case_status: string;
  from_area_id: string;
  to_area_id: string;
  requested_at: Date;
  requested_by: string;
  request: unknown;
  answer_type: string | null;
  answered_at: Date | null;
  answered_by: string | null;
  answer: unknown;
}

const statusOfAnswer: Record<string, TransferStatus> = { case_transferred: 'accepted', transfer_refused: 'refused', transfer_withdrawn: 'withdrawn' };

const selectTransfers = (where: string, order: string) => `
SELECT r.details->>'transferId' AS transfer_id, r.case_id, c.reference, c.pathway_key, c.area_id, c.status AS case_status,
  r.details->>'fromAreaId' AS from_area_id, r.details->>'toAreaId' AS to_area_id, r.at AS requested_at, r.actor_id AS requested_by,
  r.details AS request, a.type AS answer_type, a.at AS answered_at, a.actor_id AS answered_by, a.details AS answer
FROM case_events r
JOIN cases c ON c.case_id = r.case_id
LEFT JOIN LATERAL (
  SELECT a.type, a.at, a.actor_id, a.details FROM case_events a
  WHERE a.case_id = r.case_id AND a.type IN ('case_transferred', 'transfer_refused', 'transfer_withdrawn')
    AND a.details->>'transferId' = r.details->>'transferId'
  ORDER BY a.seq LIMIT 1
) a ON true
WHERE r.type = 'transfer_requested' AND ${where}
ORDER BY ${order}`;

// Pending: unanswered, on a case still open (closing a case ends what it asked for).
const pending = `a.type IS NULL AND c.status IN ('active', 'suspended')`;

async function toViews(db: Queryable, rows: TransferRow[]): Promise<TransferView[]> {
  const keys = personKeysOf(db);
  const views: TransferView[] = [];
  for (const row of rows) {
    const request = (await openJson<Record<string, unknown>>(keys, row.request as Record<string, unknown>)) ?? {};
    const answer = row.answer === null ? null : ((await openJson<Record<string, unknown>>(keys, row.answer as Record<string, unknown>)) ?? {});
    const status: TransferStatus = row.answer_type === null ? 'pending' : statusOfAnswer[row.answer_type];
    views.push({
      transferId: row.transfer_id,
      caseId: row.case_id,
      reference: row.reference,
      pathwayKey: row.pathway_key,
      caseAreaId: row.area_id,
      caseStatus: row.case_status,
      fromAreaId: row.from_area_id,
      toAreaId: row.to_area_id,
      status,
      // Erased person: the reasons are gone with the key.
      reason: typeof request.reason === 'string' ? request.reason : null,
      requestedBy: row.requested_by,
      requestedAt: row.requested_at.toISOString(),
      answeredBy: row.answered_by,
      answeredAt: row.answered_at?.toISOString() ?? null,
      answerReason: status !== 'accepted' && answer && typeof answer.reason === 'string' ? answer.reason : null,
    });
  }
  return views;
}

/** Pending requests into (`incoming`) or out of (`outgoing`) the given areas (null: every area), oldest first. */
export async function listPendingTransfers(db: Queryable, direction: 'incoming' | 'outgoing', areas: string[] | null, limit: number): Promise<TransferView[]> {
  const column = direction === 'incoming' ? 'toAreaId' : 'fromAreaId';
  const { rows } = await db.query<TransferRow>(
    `${selectTransfers(`${pending} AND ($1::text[] IS NULL OR r.details->>'${column}' = ANY($1::text[]))`, 'r.at, r.case_id')} LIMIT $2`,
    [areas, limit],
  );
  return toViews(db, rows);
}

/** Every transfer request of a case, newest first. */
export async function listCaseTransfers(db: Queryable, caseId: string): Promise<TransferView[]> {
  const { rows } = await db.query<TransferRow>(selectTransfers('r.case_id = $1', 'r.seq DESC'), [caseId]);
  return toViews(db, rows);
}

/** One transfer request of a case, answered or not; null when there is none. */
export async function findTransfer(db: Queryable, caseId: string, transferId: string): Promise<TransferView | null> {
  const { rows } = await db.query<TransferRow>(selectTransfers(`r.case_id = $1 AND r.details->>'transferId' = $2`, 'r.seq'), [caseId, transferId]);
  return (await toViews(db, rows))[0] ?? null;
}
