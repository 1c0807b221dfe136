/**
 * Persons (pseudonymous data subjects), their erasure and the anonymisation of their read-model
 * rows. Anonymising keeps every coded column (area, pathway, status, steps, dates, target group,
 * tasks, referrals) so aggregate figures survive; it empties the personal ones: the case's collected
 * data, its events' details and the stored workflow input.
 */
import type { PersonKeyStore } from '../codec/person-key-store';
import { eraseDocumentsOf, type StoredObject } from './document-repository';
import { deleteRegistryEntriesOf } from './person-registry-repository';
import { inTransaction, type Queryable } from './pool';

/** Why a person was erased: codes only, so the erasure record itself holds no personal data. */
export const erasureReasons = ['data_subject_request', 'legal_obligation', 'retention_expired', 'recorded_in_error'] as const;
export type ErasureReason = (typeof erasureReasons)[number];

export interface PersonCase {
  caseId: string;
  areaId: string;
  status: string;
}

export interface ErasureRecord {
  personId: string;
  erasedAt: string;
  erasedBy: string;
  reason: ErasureReason;
  cases: string[];
  keysDestroyed: number;
  /** Blind index entries removed (the person can no longer be found by any search). */
  indexEntriesRemoved: number;
  /** The person's stored documents: unreadable once the key is gone; their bytes are deleted after the commit. */
  documents: StoredObject[];
}

/** The cases about a person (from the read model and the start records), oldest first. */
export async function listCasesOfPerson(db: Queryable, personId: string): Promise<PersonCase[]> {
  const { rows } = await db.query<{ case_id: string; area_id: string; status: string }>(
    `SELECT r.case_id, r.area_id, coalesce(c.status, 'active') AS status FROM case_start_requests r
       LEFT JOIN cases c ON c.case_id = r.case_id WHERE r.person_id = $1
     UNION
     SELECT c.case_id, c.area_id, c.status FROM cases c WHERE c.person_id = $1
     ORDER BY case_id`,
    [personId],
  );
  return rows.map((row) => ({ caseId: row.case_id, areaId: row.area_id, status: row.status }));
}

/** The persons whose data keys these are (key id → person id), for the audit of decoded payloads. */
export async function personsOfKeys(db: Queryable, keyIds: string[]): Promise<string[]> {
  if (keyIds.length === 0) return [];
  const { rows } = await db.query<{ person_id: string }>('SELECT DISTINCT person_id FROM person_keys WHERE key_id = ANY($1) ORDER BY person_id', [keyIds]);
  return rows.map((row) => row.person_id);
}

/** Empties the personal columns of these cases (idempotent); coded columns are kept. */
export async function anonymiseCases(db: Queryable, caseIds: string[], now: Date): Promise<void> {
  if (caseIds.length === 0) return;
  await db.query(`UPDATE cases SET data = '{}'::jsonb, anonymised_at = coalesce(anonymised_at, $2) WHERE case_id = ANY($1)`, [caseIds, now]);
  await db.query(`UPDATE case_events SET details = '{}'::jsonb WHERE case_id = ANY($1) AND details <> '{}'::jsonb`, [caseIds]);
  // The stored workflow input holds the case data; a start still pending is abandoned, not retried without it.
  await db.query(
    `UPDATE case_start_requests SET workflow_input = NULL, request_hash = 'anonymised', workflow_started_at = coalesce(workflow_started_at, $2)
     WHERE case_id = ANY($1)`,
    [caseIds, now],
  );
}

/**
 * The erased person's cases stop (their workflows are terminated): still-open cases read as
 * cancelled with outcome `erased`, and their open tasks and referrals leave every inbox.
 */
async function stopErasedCases(db: Queryable, caseIds: string[], now: Date): Promise<void> {
  if (caseIds.length === 0) return;
  await db.query(
    `UPDATE cases SET status = 'cancelled', outcome = coalesce(outcome, 'erased'), closed_at = coalesce(closed_at, $2),
       open_step_ids = '{}', next_deadline = NULL
     WHERE case_id = ANY($1) AND status NOT IN ('closed', 'cancelled')`,
    [caseIds, now],
  );
  await db.query(`UPDATE tasks SET status = 'cancelled' WHERE case_id = ANY($1) AND status IN ('open', 'claimed')`, [caseIds]);
  await db.query(`UPDATE referrals SET status = 'cancelled' WHERE case_id = ANY($1) AND status IN ('pending', 'accepted')`, [caseIds]);
}

/**
 * Erases a person in one transaction: destroys their data keys (every Temporal payload and sealed
 * read-model value of theirs becomes undecodable), anonymises their cases' rows and records who
 * erased them, when and why. 'not_found' for an unknown person, 'already_erased' for a repeat.
 */
export async function erasePerson(
  db: Queryable,
  keys: PersonKeyStore,
  personId: string,
  by: { actorId: string; reason: ErasureReason; now: Date },
): Promise<ErasureRecord | 'not_found' | 'already_erased'> {
  const erased = await inTransaction(db, async (client) => {
    const { rows } = await client.query<{ erased_at: Date | null }>('SELECT erased_at FROM persons WHERE person_id = $1 FOR UPDATE', [personId]);
    if (!rows[0]) return 'not_found' as const;
    if (rows[0].erased_at !== null) return 'already_erased' as const;
    const cases = (await listCasesOfPerson(client, personId)).map((item) => item.caseId);
    const keyIds = await keys.destroyKeysOf(client, personId);
    await anonymiseCases(client, cases, by.now);
    await stopErasedCases(client, cases, by.now);
    const indexEntriesRemoved = await deleteRegistryEntriesOf(client, personId);
    const documents = await eraseDocumentsOf(client, personId, by.now);
    await client.query('UPDATE persons SET erased_at = $2, erased_by = $3, erasure_reason = $4 WHERE person_id = $1', [personId, by.now, by.actorId, by.reason]);
    return { record: { personId, erasedAt: by.now.toISOString(), erasedBy: by.actorId, reason: by.reason, cases, keysDestroyed: keyIds.length, indexEntriesRemoved, documents }, keyIds };
  });
  if (typeof erased === 'string') return erased;
  // A lookup that ran while the transaction was open read the keys before they were destroyed: drop what it cached.
  keys.forget(personId, erased.keyIds);
  return erased.record;
}

/**
 * Retention: anonymises up to `limit` cases closed (or cancelled) before `cutoff`, and erases the
 * persons left with no case that still holds personal data (their keys are destroyed, so their
 * Temporal histories become undecodable too). Safe to run concurrently and repeatedly.
 */
export async function anonymiseExpiredCases(
  db: Queryable,
  keys: PersonKeyStore,
  { cutoff, now, limit }: { cutoff: Date; now: Date; limit: number },
): Promise<{ cases: number; persons: number }> {
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<{ case_id: string; person_id: string | null }>(
      `SELECT case_id, person_id FROM cases
       WHERE anonymised_at IS NULL AND closed_at IS NOT NULL AND closed_at < $1 AND status IN ('closed', 'cancelled')
       ORDER BY closed_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [cutoff, limit],
    );
    await anonymiseCases(client, rows.map((row) => row.case_id), now);
    const candidates = [...new Set(rows.flatMap((row) => (row.person_id ? [row.person_id] : [])))];
    const { rows: erased } = await client.query<{ person_id: string }>(
      `UPDATE persons p SET erased_at = $2, erased_by = 'system:retention', erasure_reason = 'retention_expired'
       WHERE p.person_id = ANY($1) AND p.erased_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.person_id AND c.anonymised_at IS NULL)
       RETURNING p.person_id`,
      [candidates, now],
    );
    const destroyed: Array<{ personId: string; keyIds: string[] }> = [];
    for (const { person_id: personId } of erased) {
      destroyed.push({ personId, keyIds: await keys.destroyKeysOf(client, personId) });
      // Retention erases like a request does: no index entry or sealed identity is left to find them by.
      await deleteRegistryEntriesOf(client, personId);
      await eraseDocumentsOf(client, personId, now);
    }
    return { cases: rows.length, persons: erased.length, destroyed };
  }).then(({ destroyed, ...counts }) => {
    // As in erasePerson: forget again once committed, in case a concurrent lookup cached a key meanwhile.
    for (const { personId, keyIds } of destroyed) keys.forget(personId, keyIds);
    return counts;
  });
}
