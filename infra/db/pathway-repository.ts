/**
 * Pathway definitions: one editable draft per key and immutable numbered versions. Publishing
 * validates the locked draft inside the same transaction, so what is checked is what is published.
 */
import { LRUCache } from 'lru-cache';
import type { PathwayOwner } from '../../domain/pathway-ownership';
import type { PathwayDefinition } from '../../domain/pathway-schema';
import { inTransaction, type Queryable } from './pool';

export type PathwayVersionStatus = 'published' | 'retired';

export interface PathwayDraftRecord {
  key: string;
  document: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export interface PathwayVersionRecord {
  key: string;
  version: number;
  status: PathwayVersionStatus;
  definition: PathwayDefinition;
  publishedAt: string;
  publishedBy: string;
  retiredAt: string | null;
  retiredBy: string | null;
}

export type PathwayVersionSummary = Omit<PathwayVersionRecord, 'definition'> & { title: PathwayDefinition['title'] };

export interface PathwaySummary {
  key: string;
  title: PathwayDefinition['title'];
  latestVersion: number | null;
  latestStatus: PathwayVersionStatus | null;
  /** Newest version still open to new cases. */
  currentVersion: number | null;
  hasDraft: boolean;
  draftUpdatedAt: string | null;
  /** The owning area; null for a regional pathway shared by every area (only admins change it). */
  ownerArea: string | null;
}

interface DraftRow {
  key: string;
  document: Record<string, unknown>;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  updated_by: string;
}

interface VersionRow {
  key: string;
  version: number;
  status: PathwayVersionStatus;
  definition: PathwayDefinition;
  published_at: Date;
  published_by: string;
  retired_at: Date | null;
  retired_by: string | null;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

function toDraft(row: DraftRow): PathwayDraftRecord {
  return {
    key: row.key,
    document: row.document,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
  };
}

function toVersion(row: VersionRow): PathwayVersionRecord {
  return {
    key: row.key,
    version: row.version,
    status: row.status,
    definition: row.definition,
    publishedAt: row.published_at.toISOString(),
    publishedBy: row.published_by,
    retiredAt: iso(row.retired_at),
    retiredBy: row.retired_by,
  };
}

const versionColumns = 'key, version, status, definition, published_at, published_by, retired_at, retired_by';
const versionMetaColumns = 'key, version, status, published_at, published_by, retired_at, retired_by';

// A published definition never changes: cache it by key and version, and read only the small status
// columns per request (a case start would otherwise move and parse the whole document twice).
const definitions = new LRUCache<string, PathwayDefinition>({ max: 500 });

// Which version takes new cases changes only when one is published or retired: each instance keeps
// the answer for 2 s (the instance that publishes or retires drops it at once), sparing a query on
// every case start.
const currentVersions = new LRUCache<string, { row: Omit<VersionRow, 'definition'> | null }>({ max: 500, ttl: 2_000 });

async function withDefinition(db: Queryable, row: Omit<VersionRow, 'definition'>): Promise<PathwayVersionRecord> {
  const cacheKey = `${row.key}@${row.version}`;
  let definition = definitions.get(cacheKey);
  if (!definition) {
    const { rows } = await db.query<{ definition: PathwayDefinition }>('SELECT definition FROM pathway_versions WHERE key = $1 AND version = $2', [row.key, row.version]);
    definition = rows[0].definition;
    definitions.set(cacheKey, definition);
  }
  return toVersion({ ...row, definition });
}
const draftColumns = 'key, document, created_at, created_by, updated_at, updated_by';

function titleOf(document: Record<string, unknown>, key: string): PathwayDefinition['title'] {
  const title = document.title as PathwayDefinition['title'] | undefined;
  return title && typeof title.it === 'string' ? title : { it: key };
}

/** Every pathway key with its latest version, its status and whether a draft is open. */
export async function listPathways(db: Queryable): Promise<PathwaySummary[]> {
  const { rows } = await db.query<{
    key: string;
    latest_version: number | null;
    latest_status: PathwayVersionStatus | null;
    latest_definition: PathwayDefinition | null;
    current_version: number | null;
    draft_document: Record<string, unknown> | null;
    draft_updated_at: Date | null;
    owner_area_id: string | null;
  }>(
    `WITH keys AS (SELECT key FROM pathway_versions UNION SELECT key FROM pathway_drafts)
     SELECT k.key, lv.version AS latest_version, lv.status AS latest_status, lv.definition AS latest_definition,
       (SELECT max(version) FROM pathway_versions cv WHERE cv.key = k.key AND cv.status = 'published') AS current_version,
       d.document AS draft_document, d.updated_at AS draft_updated_at, o.owner_area_id
     FROM keys k
     LEFT JOIN pathway_owners o ON o.key = k.key
     LEFT JOIN LATERAL (SELECT version, status, definition FROM pathway_versions v WHERE v.key = k.key ORDER BY version DESC LIMIT 1) lv ON true
     LEFT JOIN pathway_drafts d ON d.key = k.key
     ORDER BY k.key`,
  );
  return rows.map((row) => ({
    key: row.key,
    title: row.latest_definition?.title ?? titleOf(row.draft_document ?? {}, row.key),
    latestVersion: row.latest_version,
    latestStatus: row.latest_status,
    currentVersion: row.current_version,
    hasDraft: row.draft_document !== null,
    draftUpdatedAt: iso(row.draft_updated_at),
    ownerArea: row.owner_area_id,
  }));
}

/** The owner of a pathway key; null when no draft or version exists under it. A key with no owner row is regional. */
export async function findPathwayOwner(db: Queryable, key: string): Promise<PathwayOwner | null> {
  const { rows } = await db.query<{ owner_area_id: string | null }>(
    `SELECT o.owner_area_id
     FROM (SELECT $1::text AS key) k
     LEFT JOIN pathway_owners o ON o.key = k.key
     WHERE o.key IS NOT NULL OR EXISTS (SELECT 1 FROM pathway_versions WHERE key = $1) OR EXISTS (SELECT 1 FROM pathway_drafts WHERE key = $1)`,
    [key],
  );
  return rows[0] ? { areaId: rows[0].owner_area_id } : null;
}

/** Records the owner of a new key; a key that has one keeps it (ownership is set once, at creation). */
export async function assignPathwayOwner(db: Queryable, key: string, owner: PathwayOwner, actorId: string): Promise<void> {
  await db.query('INSERT INTO pathway_owners (key, owner_area_id, assigned_by) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING', [key, owner.areaId, actorId]);
}

/** Whether any draft or version exists under the key. */
export async function pathwayExists(db: Queryable, key: string): Promise<boolean> {
  const { rows } = await db.query(
    'SELECT 1 FROM pathway_versions WHERE key = $1 UNION ALL SELECT 1 FROM pathway_drafts WHERE key = $1 LIMIT 1',
    [key],
  );
  return rows.length > 0;
}

/** The open draft of a key; null when none. */
export async function findDraft(db: Queryable, key: string): Promise<PathwayDraftRecord | null> {
  const { rows } = await db.query<DraftRow>(`SELECT ${draftColumns} FROM pathway_drafts WHERE key = $1`, [key]);
  return rows[0] ? toDraft(rows[0]) : null;
}

/** Opens a draft; `exists` when the key already has one. */
export async function createDraft(
  db: Queryable,
  key: string,
  document: Record<string, unknown>,
  actorId: string,
): Promise<{ created: true; draft: PathwayDraftRecord } | { created: false }> {
  const { rows } = await db.query<DraftRow>(
    `INSERT INTO pathway_drafts (key, document, created_by, updated_by) VALUES ($1, $2, $3, $3)
     ON CONFLICT (key) DO NOTHING RETURNING ${draftColumns}`,
    [key, JSON.stringify(document), actorId],
  );
  return rows[0] ? { created: true, draft: toDraft(rows[0]) } : { created: false };
}

/** Replaces the document of an open draft; null when the key has no draft. */
export async function updateDraft(
  db: Queryable,
  key: string,
  document: Record<string, unknown>,
  actorId: string,
): Promise<PathwayDraftRecord | null> {
  const { rows } = await db.query<DraftRow>(
    `UPDATE pathway_drafts SET document = $2, updated_by = $3, updated_at = now() WHERE key = $1 RETURNING ${draftColumns}`,
    [key, JSON.stringify(document), actorId],
  );
  return rows[0] ? toDraft(rows[0]) : null;
}

export type PublishResult<I> =
  | { outcome: 'published'; version: PathwayVersionRecord }
  | { outcome: 'no_draft' }
  | { outcome: 'invalid'; issues: I[] };

/**
 * Publishes the draft of a key as version n+1 and removes the draft, all in one transaction. The
 * draft row stays locked while `validate` runs, so a concurrent edit cannot slip in unchecked.
 */
export async function publishDraft<I>(
  db: Queryable,
  key: string,
  actorId: string,
  validate: (document: Record<string, unknown>) => Promise<{ ok: true; definition: PathwayDefinition } | { ok: false; issues: I[] }>,
): Promise<PublishResult<I>> {
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<DraftRow>(`SELECT ${draftColumns} FROM pathway_drafts WHERE key = $1 FOR UPDATE`, [key]);
    const draft = rows[0];
    if (!draft) return { outcome: 'no_draft' };
    const result = await validate(draft.document);
    if (!result.ok) return { outcome: 'invalid', issues: result.issues };
    const version = await insertNextVersion(client, key, result.definition, actorId);
    await client.query('DELETE FROM pathway_drafts WHERE key = $1', [key]);
    return { outcome: 'published', version };
  });
}

/** Inserts the definition as the next version of its key (used by publishing and by demo seeding). */
export async function insertNextVersion(
  db: Queryable,
  key: string,
  definition: PathwayDefinition,
  actorId: string,
): Promise<PathwayVersionRecord> {
  const { rows } = await db.query<VersionRow>(
    `INSERT INTO pathway_versions (key, version, definition, published_by)
     SELECT $1, coalesce(max(version), 0) + 1, $2, $3 FROM pathway_versions WHERE key = $1
     RETURNING ${versionColumns}`,
    [key, JSON.stringify(definition), actorId],
  );
  currentVersions.delete(key);
  return toVersion(rows[0]);
}

/** Every version of a key, newest first, without the definitions. */
export async function listVersions(db: Queryable, key: string): Promise<PathwayVersionSummary[]> {
  const { rows } = await db.query<VersionRow>(`SELECT ${versionColumns} FROM pathway_versions WHERE key = $1 ORDER BY version DESC`, [key]);
  return rows.map((row) => {
    const { definition, ...summary } = toVersion(row);
    return { ...summary, title: definition.title };
  });
}

/** One version with its definition; null when unknown. */
export async function findVersion(db: Queryable, key: string, version: number): Promise<PathwayVersionRecord | null> {
  const { rows } = await db.query<Omit<VersionRow, 'definition'>>(`SELECT ${versionMetaColumns} FROM pathway_versions WHERE key = $1 AND version = $2`, [key, version]);
  return rows[0] ? withDefinition(db, rows[0]) : null;
}

/** The newest version of a key that still accepts new cases; null when none. */
export async function findCurrentVersion(db: Queryable, key: string): Promise<PathwayVersionRecord | null> {
  let current = currentVersions.get(key);
  if (!current) {
    const { rows } = await db.query<Omit<VersionRow, 'definition'>>(
      `SELECT ${versionMetaColumns} FROM pathway_versions WHERE key = $1 AND status = 'published' ORDER BY version DESC LIMIT 1`,
      [key],
    );
    current = { row: rows[0] ?? null };
    currentVersions.set(key, current);
  }
  return current.row ? withDefinition(db, current.row) : null;
}

/** Retires a version (no new cases; running ones continue). Idempotent; null when unknown. */
export async function retireVersion(db: Queryable, key: string, version: number, actorId: string): Promise<PathwayVersionRecord | null> {
  const { rows } = await db.query<VersionRow>(
    `UPDATE pathway_versions SET
       status = 'retired',
       retired_at = coalesce(retired_at, now()),
       retired_by = coalesce(retired_by, $3)
     WHERE key = $1 AND version = $2 RETURNING ${versionColumns}`,
    [key, version, actorId],
  );
  currentVersions.delete(key);
  return rows[0] ? toVersion(rows[0]) : null;
}
