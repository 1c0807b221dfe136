/**
 * Idempotency keys of case starts: one row per (actor, key) remembering which case the first
 * request created, the hash of its body, and the inputs needed to finish it after a crash.
 */
import type { CaseWorkflowInput } from '../../domain/case-messages';
import type { ProjectionBatch } from '../../domain/case-state';
import type { AuditEntry } from './audit-repository';
import type { Queryable } from './pool';
import { openJson, personKeysOf, sealJson, type SealedJson } from '../codec/personal-data';
import { projectIfInserted } from './projection-repository';
import type { NewPerson } from '../codec/person-key-store';

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
  /** The workflow input without the pathway definition (which is immutable and read by key and version). */
  workflowInput: StoredWorkflowInput | null;
  workflowStartedAt: string | null;
  /** The person the case is about (their key seals the stored input); absent for cases without one. */
  personId?: string | null;
}

/** What is stored of a workflow input: everything but the (immutable, separately stored) definition. */
export type StoredWorkflowInput = Omit<CaseWorkflowInput, 'pathway'> & { pathway: { key: string; version: number } };

/** The stored form of a workflow input: the pinned definition is replaced by its key and version. */
export function storedWorkflowInput(input: CaseWorkflowInput): StoredWorkflowInput {
  const { pathway, ...rest } = input;
  return { ...rest, pathway: { key: pathway.key, version: pathway.version } };
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
  workflow_input: StoredWorkflowInput | SealedJson | null;
  workflow_started_at: Date | null;
  person_id: string | null;
}

/** The stored input holds the case data: it is sealed with the person's key, and reads as absent once that key is gone. */
async function toRequest(db: Queryable, row: CaseStartRow): Promise<CaseStartRequest> {
  const workflowInput = row.workflow_input === null ? null : ((await openJson(personKeysOf(db), row.workflow_input)) ?? null);
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
    workflowInput,
    workflowStartedAt: row.workflow_started_at ? row.workflow_started_at.toISOString() : null,
    personId: row.person_id,
  };
}

const startColumns =
  'actor_id, idempotency_key, request_hash, case_id, reference, pathway_key, pathway_version, area_id, started_at, workflow_input, workflow_started_at, person_id';

/** The request an actor already made with this key; null on first use. */
export async function findCaseStartRequest(db: Queryable, actorId: string, idempotencyKey: string): Promise<CaseStartRequest | null> {
  const { rows } = await db.query<CaseStartRow>(
    `SELECT ${startColumns} FROM case_start_requests WHERE actor_id = $1 AND idempotency_key = $2`,
    [actorId, idempotencyKey],
  );
  return rows[0] ? toRequest(db, rows[0]) : null;
}

/**
 * Records the first use of a key and, in the same statement, projects the new case's first state,
 * stores `newPerson` (the case's person, when new) and writes `audit` (the request's audit row): one
 * round trip and one commit on the path of every case start. False when the row was not inserted
 * (the key was taken meanwhile, or the reference collided): then nothing was projected or stored.
 */
export async function recordCaseStart(
  db: Queryable,
  request: CaseStartRequest,
  firstProjection: ProjectionBatch,
  newPerson?: NewPerson,
  audit?: AuditEntry,
): Promise<boolean> {
  const insert = `INSERT INTO case_start_requests (actor_id, idempotency_key, request_hash, case_id, reference, pathway_key,
       pathway_version, area_id, started_at, workflow_input, person_id)
     VALUES ($20, $21, $22, $23, $24, $25, $26::integer, $27, $28::timestamptz, $29::jsonb, $30) ON CONFLICT DO NOTHING`;
  if (newPerson && newPerson.personId !== request.personId) throw new Error('the new person must be the person of the case');
  const personId = request.personId ?? null;
  const keys = personKeysOf(db);
  const key = personId === null ? keys.masterKey() : await keys.keyOfPerson(personId);
  const params = [
    request.actorId,
    request.idempotencyKey,
    request.requestHash,
    request.caseId,
    request.reference,
    request.pathwayKey,
    request.pathwayVersion,
    request.areaId,
    request.startedAt,
    request.workflowInput === null ? null : JSON.stringify(sealJson(key, request.workflowInput)),
    personId,
  ];
  // A new person's rows are written only if the start is (selected from `recorded`): never an orphan person.
  const alongside = newPerson
    ? `new_person AS (INSERT INTO persons (person_id) SELECT person_id FROM recorded RETURNING person_id),
new_person_key AS (INSERT INTO person_keys (key_id, person_id, wrapping_key_id, wrapped_key)
  SELECT $31, person_id, $32, $33 FROM new_person RETURNING 1)`
    : undefined;
  const recorded = await projectIfInserted(
    db,
    newPerson
      ? { text: insert, params: [...params, newPerson.keyId, newPerson.wrappingKeyId, newPerson.wrappedKey], alongside }
      : { text: insert, params },
    firstProjection,
    personId,
    audit,
  );
  if (recorded) keys.rememberCase(request.caseId, personId);
  return recorded;
}

/** The start record of a case; null when the case was not started through the API. */
export async function findCaseStartRequestByCase(db: Queryable, caseId: string): Promise<CaseStartRequest | null> {
  const { rows } = await db.query<CaseStartRow>(`SELECT ${startColumns} FROM case_start_requests WHERE case_id = $1`, [caseId]);
  return rows[0] ? toRequest(db, rows[0]) : null;
}

/** Records that the case's workflow exists (idempotent). */
export async function markWorkflowStarted(db: Queryable, caseId: string): Promise<void> {
  await db.query('UPDATE case_start_requests SET workflow_started_at = now() WHERE case_id = $1 AND workflow_started_at IS NULL', [caseId]);
}

/** Recorded cases whose workflow is not known to have started, oldest first, recorded before `olderThan`. */
export async function listPendingWorkflowStarts(db: Queryable, olderThan: Date, limit: number): Promise<CaseStartRequest[]> {
  const { rows } = await db.query<CaseStartRow>(
    `SELECT ${startColumns} FROM case_start_requests
     WHERE workflow_started_at IS NULL AND created_at < $1 ORDER BY created_at LIMIT $2`,
    [olderThan, limit],
  );
  return Promise.all(rows.map((row) => toRequest(db, row)));
}

/** How many recorded case starts have their workflow started and how many still wait (benchmarks wait on it). */
export async function countWorkflowStarts(db: Queryable): Promise<{ started: number; pending: number }> {
  const { rows } = await db.query<{ started: string; pending: string }>(
    `SELECT count(*) FILTER (WHERE workflow_started_at IS NOT NULL) AS started, count(*) FILTER (WHERE workflow_started_at IS NULL) AS pending FROM case_start_requests`,
  );
  return { started: Number(rows[0].started), pending: Number(rows[0].pending) };
}
