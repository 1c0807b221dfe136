/**
 * The person registry: a person's identity (codice fiscale, names, birth year, aliases) sealed under
 * their data key, and the keyed blind index that finds them (infra/codec/blind-index.ts). Nothing
 * here decides who may see whom: the routes do, from the areas these functions report.
 */
import { BlindIndex, nameTokenValue, normalisedTokens, type BlindIndexKind, type BlindToken } from '../codec/blind-index';
import type { MasterKeyRing } from '../codec/key-ring';
import { openJson, personKeysOf, sealJson, type SealedJson } from '../codec/personal-data';
import { inTransaction, prepared, type Queryable } from './pool';

/** Who a person is, as the operator recorded it; every part optional but the whole never empty. */
export interface PersonIdentity {
  codiceFiscale?: string;
  givenName?: string;
  familyName?: string;
  birthYear?: number;
  aliases: string[];
}

/** What a search looks for: exactly one of a codice fiscale, a name with the birth year, or an alias. */
export type PersonQuery = { codiceFiscale: string } | { name: string; birthYear: number } | { alias: string };

/** Where a person is known: their cases (coded columns only) and the area that recorded their identity. */
export interface PersonPlacement {
  personId: string;
  erased: boolean;
  identityArea: { areaId: string; service: string | null } | null;
  cases: Array<{ caseId: string; reference: string | null; areaId: string; status: string; pathwayKey: string | null; openServices: string[] }>;
}

/** How many persons a search returns at most: a search is for finding one person, not for listing. */
export const searchLimit = 20;

const indexes = new WeakMap<MasterKeyRing, BlindIndex>();

/** The blind index of the key ring attached to `db`. */
export function blindIndexOf(db: Queryable): BlindIndex {
  const ring = personKeysOf(db).ring;
  let index = indexes.get(ring);
  if (!index) {
    index = new BlindIndex(ring);
    indexes.set(ring, index);
  }
  return index;
}

/** The short alias the inbox shows: the first alias, else the given name and the family name's initial. */
export function shortAliasOf(identity: PersonIdentity): string | null {
  const alias = identity.aliases[0]?.trim();
  if (alias) return alias.slice(0, 40);
  const given = identity.givenName?.trim();
  const initial = identity.familyName?.trim().charAt(0);
  if (!given && !initial) return null;
  return [given, initial ? `${initial.toUpperCase()}.` : undefined].filter(Boolean).join(' ').slice(0, 40);
}

/** The index entries of an identity, under the active master key. */
function entriesOf(index: BlindIndex, identity: PersonIdentity): BlindToken[] {
  const entries: BlindToken[] = [];
  if (identity.codiceFiscale) entries.push(index.entry('codice_fiscale', identity.codiceFiscale));
  if (identity.birthYear !== undefined) {
    const year = identity.birthYear;
    for (const token of normalisedTokens(`${identity.givenName ?? ''} ${identity.familyName ?? ''}`)) entries.push(index.entry('name', nameTokenValue(token, year)));
  }
  for (const token of new Set(identity.aliases.flatMap(normalisedTokens))) entries.push(index.entry('alias', token));
  // The same token twice (a name word repeated) is one entry.
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const id = `${entry.kind}:${entry.token.toString('hex')}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** The persons whose entries hold every one of the token groups (each group: one token under every ring key). */
async function personsHoldingAll(db: Queryable, kind: BlindIndexKind, groups: BlindToken[][], limit: number): Promise<string[]> {
  if (groups.length === 0) return [];
  const flat = groups.flatMap((group, position) => group.map((token) => ({ position, token })));
  const { rows } = await db.query<{ person_id: string }>(
    `SELECT i.person_id FROM unnest($2::text[], $3::bytea[], $4::int[]) AS q(key_id, token, position)
       JOIN person_index i ON i.kind = $1 AND i.key_id = q.key_id AND i.token = q.token
     GROUP BY i.person_id HAVING count(DISTINCT q.position) = $5
     ORDER BY i.person_id LIMIT $6`,
    [kind, flat.map((item) => item.token.keyId), flat.map((item) => item.token.token), flat.map((item) => item.position), groups.length, limit],
  );
  return rows.map((row) => row.person_id);
}

/** The persons a query matches (at most `limit`), by their blind index entries only. */
export async function findPersonIds(db: Queryable, query: PersonQuery, limit = searchLimit): Promise<string[]> {
  const index = blindIndexOf(db);
  if ('codiceFiscale' in query) return personsHoldingAll(db, 'codice_fiscale', [index.lookup('codice_fiscale', query.codiceFiscale)], limit);
  if ('alias' in query) return personsHoldingAll(db, 'alias', normalisedTokens(query.alias).map((token) => index.lookup('alias', token)), limit);
  return personsHoldingAll(db, 'name', normalisedTokens(query.name).map((token) => index.lookup('name', nameTokenValue(token, query.birthYear))), limit);
}

/** Where each person is known: cases (with the services of their open tasks) and the identity's area. */
export async function placementsOf(db: Queryable, personIds: string[]): Promise<PersonPlacement[]> {
  if (personIds.length === 0) return [];
  const { rows } = await db.query<{
    person_id: string;
    erased: boolean;
    identity_area: string | null;
    identity_service: string | null;
    cases: PersonPlacement['cases'] | null;
  }>(
    `SELECT p.person_id, p.erased_at IS NOT NULL AS erased, pi.area_id AS identity_area, pi.service AS identity_service,
       (SELECT json_agg(json_build_object('caseId', c.case_id, 'reference', c.reference, 'areaId', c.area_id, 'status', c.status,
          'pathwayKey', c.pathway_key,
          'openServices', coalesce((SELECT array_agg(DISTINCT t.service ORDER BY t.service) FROM tasks t
             WHERE t.case_id = c.case_id AND t.status IN ('open', 'claimed')), '{}')) ORDER BY c.started_at DESC)
        FROM cases c WHERE c.person_id = p.person_id) AS cases
     FROM persons p LEFT JOIN person_identities pi ON pi.person_id = p.person_id
     WHERE p.person_id = ANY($1) ORDER BY p.person_id`,
    [personIds],
  );
  return rows.map((row) => ({
    personId: row.person_id,
    erased: row.erased,
    identityArea: row.identity_area ? { areaId: row.identity_area, service: row.identity_service } : null,
    cases: row.cases ?? [],
  }));
}

/** The person's identity, opened; null when none was recorded or the person's key is gone. */
export async function findIdentity(db: Queryable, personId: string): Promise<(PersonIdentity & { recordedAt: string; updatedAt: string; areaId: string }) | null> {
  const { rows } = await db.query<{ identity: SealedJson; area_id: string; recorded_at: Date; updated_at: Date }>(
    'SELECT identity, area_id, recorded_at, updated_at FROM person_identities WHERE person_id = $1',
    [personId],
  );
  const row = rows[0];
  if (!row) return null;
  const identity = await openJson<PersonIdentity>(personKeysOf(db), row.identity);
  if (!identity) return null;
  return { ...identity, areaId: row.area_id, recordedAt: row.recorded_at.toISOString(), updatedAt: row.updated_at.toISOString() };
}

/** The short aliases of persons (person id → alias), opened; persons without one (or erased) are absent. */
export async function shortAliasesOf(db: Queryable, personIds: string[]): Promise<Map<string, string>> {
  const aliases = new Map<string, string>();
  if (personIds.length === 0) return aliases;
  const { rows } = await db.query<{ person_id: string; alias: SealedJson }>(
    prepared('SELECT person_id, alias FROM person_identities WHERE person_id = ANY($1) AND alias IS NOT NULL', [[...new Set(personIds)]]),
  );
  const keys = personKeysOf(db);
  for (const row of rows) {
    const alias = await openJson<string>(keys, row.alias).catch(() => undefined);
    if (typeof alias === 'string') aliases.set(row.person_id, alias);
  }
  return aliases;
}

/**
 * Records (or replaces) a person's identity and their index entries in one transaction. Another
 * person already holding the codice fiscale: nothing is written and their id is returned.
 */
export async function recordIdentity(
  db: Queryable,
  personId: string,
  identity: PersonIdentity,
  by: { areaId: string; service: string | null; actorId: string; now: Date },
): Promise<{ recorded: true } | { recorded: false; codiceFiscaleOf: string }> {
  const keys = personKeysOf(db);
  const key = await keys.keyOfPerson(personId);
  const index = blindIndexOf(db);
  const entries = entriesOf(index, identity);
  return inTransaction(db, async (client) => {
    // Serialises recordings of one codice fiscale, so two people never end up holding it.
    if (identity.codiceFiscale) {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 13))', [index.entry('codice_fiscale', identity.codiceFiscale).token.toString('hex')]);
      const holders = await personsHoldingAll(client, 'codice_fiscale', [index.lookup('codice_fiscale', identity.codiceFiscale)], 2);
      const other = holders.find((holder) => holder !== personId);
      if (other) return { recorded: false as const, codiceFiscaleOf: other };
    }
    const alias = shortAliasOf(identity);
    await client.query(
      `INSERT INTO person_identities (person_id, identity, alias, area_id, service, recorded_by, recorded_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
       ON CONFLICT (person_id) DO UPDATE SET identity = EXCLUDED.identity, alias = EXCLUDED.alias, updated_at = EXCLUDED.updated_at`,
      [personId, sealJson(key, identity), alias === null ? null : sealJson(key, alias), by.areaId, by.service, by.actorId, by.now],
    );
    await client.query('DELETE FROM person_index WHERE person_id = $1', [personId]);
    if (entries.length > 0) {
      await client.query(
        `INSERT INTO person_index (kind, key_id, token, person_id) SELECT kind, key_id, token, $4 FROM unnest($1::text[], $2::text[], $3::bytea[]) AS e(kind, key_id, token)
         ON CONFLICT DO NOTHING`,
        [entries.map((entry) => entry.kind), entries.map((entry) => entry.keyId), entries.map((entry) => entry.token), personId],
      );
    }
    return { recorded: true as const };
  });
}

/** Erasure: the person's index entries and sealed identity go (in the caller's transaction); returns how many index entries were removed. */
export async function deleteRegistryEntriesOf(db: Queryable, personId: string): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM person_index WHERE person_id = $1', [personId]);
  await db.query('DELETE FROM person_identities WHERE person_id = $1', [personId]);
  return rowCount ?? 0;
}
