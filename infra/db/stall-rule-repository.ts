/**
 * Stalled-case rule rows (migration 1764259200000_stall-rules.sql): read them, and replace the
 * rows an actor may edit in one transaction.
 */
import type { StallRule, StallRuleKind } from '../../domain/stall-rules';
import { inTransaction, type Queryable } from './pool';

export interface StallRuleRecord extends StallRule {
  updatedAt: string;
  updatedBy: string;
}

interface StallRuleRow {
  pathway_key: string | null;
  area_id: string | null;
  kind: StallRuleKind;
  threshold: number;
  enabled: boolean;
  updated_at: Date;
  updated_by: string;
}

/** Which rows an actor may see or edit: every row (admin), or the rows of some areas (null area = the global rows are out). */
export type StallRuleScope = { areas: null } | { areas: string[] };

function inScope(scope: StallRuleScope): { clause: string; params: unknown[] } {
  return scope.areas === null ? { clause: 'true', params: [] } : { clause: 'area_id = ANY($1::text[])', params: [scope.areas] };
}

/** Rule rows, global rows first, then by pathway, area and kind. `visibleAreas` null = all; otherwise the global rows and those areas' rows. */
export async function listStallRules(db: Queryable, visibleAreas: string[] | null): Promise<StallRuleRecord[]> {
  const { rows } = await db.query<StallRuleRow>(
    `SELECT pathway_key, area_id, kind, threshold, enabled, updated_at, updated_by FROM stall_rules
     WHERE $1::text[] IS NULL OR area_id IS NULL OR area_id = ANY($1::text[])
     ORDER BY area_id NULLS FIRST, pathway_key NULLS FIRST, kind`,
    [visibleAreas],
  );
  return rows.map((row) => ({
    pathwayKey: row.pathway_key,
    areaId: row.area_id,
    kind: row.kind,
    threshold: row.threshold,
    enabled: row.enabled,
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
  }));
}

/** Which of the given area ids and pathway keys exist (for precise 422s before writing). */
export async function findUnknownReferences(db: Queryable, areaIds: string[], pathwayKeys: string[]): Promise<{ areas: string[]; pathways: string[] }> {
  const { rows } = await db.query<{ areas: string[]; pathways: string[] }>(
    `SELECT
       ARRAY(SELECT a FROM unnest($1::text[]) a WHERE NOT EXISTS (SELECT 1 FROM areas WHERE id = a)) AS areas,
       ARRAY(SELECT p FROM unnest($2::text[]) p WHERE NOT EXISTS (SELECT 1 FROM pathway_versions WHERE key = p)
         AND NOT EXISTS (SELECT 1 FROM pathway_drafts WHERE key = p)) AS pathways`,
    [areaIds, pathwayKeys],
  );
  return rows[0];
}

/**
 * Replaces every row in the editing scope with `rules`, in one transaction: rows outside the scope
 * are left alone. The caller has checked that every rule lies inside the scope.
 */
export async function replaceStallRules(db: Queryable, scope: StallRuleScope, rules: StallRule[], actorId: string): Promise<void> {
  await inTransaction(db, async (client) => {
    // One writer at a time, so two concurrent replacements cannot interleave into a mix of both.
    await client.query(`LOCK TABLE stall_rules IN SHARE ROW EXCLUSIVE MODE`);
    const { clause, params } = inScope(scope);
    await client.query(`DELETE FROM stall_rules WHERE ${clause}`, params);
    if (rules.length === 0) return;
    await client.query(
      `INSERT INTO stall_rules (pathway_key, area_id, kind, threshold, enabled, updated_by)
       SELECT r."pathwayKey", r."areaId", r.kind, r.threshold, r.enabled, $2
       FROM jsonb_to_recordset($1::jsonb) AS r("pathwayKey" text, "areaId" text, kind text, threshold integer, enabled boolean)`,
      [JSON.stringify(rules), actorId],
    );
  });
}
