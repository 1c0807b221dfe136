/**
 * The audit log of access: who read or wrote which case's data, when, through which route, with
 * which field keys, and what the answer was. Written once per audited request; read by auditors
 * (their areas) and admins. Field keys only: no personal values ever reach this table.
 */
import { prepared, type Queryable } from './pool';
import { pageOf, SqlConditions } from './sql-conditions';

export interface AuditEntry {
  actorId: string;
  actorKind: string;
  action: string;
  method: string;
  route: string;
  caseId: string | null;
  areaId: string | null;
  personId: string | null;
  fields: string[];
  outcome: number;
  requestId: string;
}

export interface AuditEventView extends Omit<AuditEntry, 'actorId' | 'actorKind'> {
  id: string;
  at: string;
  actor: { id: string; kind: string };
}

export interface AuditFilters {
  caseId?: string;
  personId?: string;
  actorId?: string;
  action?: string;
  from?: string;
  to?: string;
}

/**
 * The statement that records one access, its parameters numbered by `param` (so that another
 * statement can carry it, see `auditParams`), written only `when` that condition holds (another
 * statement's change happened). Without an area (a refused attempt never loaded the case), the case's
 * current area is looked up in the same statement, so the auditors of that area see who tried;
 * likewise the case's person, so that every access to a person's cases can be listed by person.
 */
export function auditInsert(param: (i: number) => string = (i) => `$${i + 1}`, when?: string): string {
  return `INSERT INTO audit_log (actor_id, actor_kind, action, method, route, case_id, area_id, person_id, fields, outcome, request_id)
     SELECT ${param(0)}::text, ${param(1)}::text, ${param(2)}::text, ${param(3)}::text, ${param(4)}::text, ${param(5)}::text,
       coalesce(${param(6)}::text, (SELECT area_id FROM cases WHERE case_id = ${param(5)}::text)),
       coalesce(${param(7)}::text, (SELECT person_id FROM cases WHERE case_id = ${param(5)}::text)), ${param(8)}::text[], ${param(9)}::integer, ${param(10)}::text${
         when ? `
     WHERE ${when}` : ''
       }`;
}

/** The values of `auditInsert`'s parameters, in order. */
export function auditParams(entry: AuditEntry): unknown[] {
  return [entry.actorId, entry.actorKind, entry.action, entry.method, entry.route, entry.caseId, entry.areaId, entry.personId, entry.fields, entry.outcome, entry.requestId];
}

/** Records one access (`auditInsert`). */
export async function insertAuditEntry(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query(prepared(auditInsert(), auditParams(entry)));
}

/**
 * One page of audit events, newest first. `areas` null means every entry (admins); otherwise only
 * entries of those areas (entries with no area, such as pathway edits, are for admins).
 */
export async function listAuditEvents(
  db: Queryable,
  areas: string[] | null,
  filters: AuditFilters,
  page: { limit: number; beforeId?: string },
): Promise<{ items: AuditEventView[]; nextBeforeId: string | null }> {
  const conditions = new SqlConditions();
  if (areas !== null) conditions.add(`area_id = ANY(${conditions.param(areas)}::text[])`);
  if (filters.caseId !== undefined) conditions.add(`case_id = ${conditions.param(filters.caseId)}`);
  if (filters.personId !== undefined) conditions.add(`person_id = ${conditions.param(filters.personId)}`);
  if (filters.actorId !== undefined) conditions.add(`actor_id = ${conditions.param(filters.actorId)}`);
  if (filters.action !== undefined) conditions.add(`action = ${conditions.param(filters.action)}`);
  if (filters.from !== undefined) conditions.add(`at >= ${conditions.param(filters.from)}::timestamptz`);
  if (filters.to !== undefined) conditions.add(`at < ${conditions.param(filters.to)}::timestamptz`);
  if (page.beforeId !== undefined) conditions.add(`id < ${conditions.param(page.beforeId)}::bigint`);
  const { rows } = await db.query<{
    id: string;
    at: Date;
    actor_id: string;
    actor_kind: string;
    action: string;
    method: string;
    route: string;
    case_id: string | null;
    area_id: string | null;
    person_id: string | null;
    fields: string[];
    outcome: number;
    request_id: string;
  }>(
    `SELECT id::text AS id, at, actor_id, actor_kind, action, method, route, case_id, area_id, person_id, fields, outcome, request_id
     FROM audit_log ${conditions.where()} ORDER BY audit_log.id DESC LIMIT ${conditions.param(page.limit + 1)}`,
    conditions.params,
  );
  const { items, next } = pageOf(
    rows,
    page.limit,
    (row) => ({
      id: row.id,
      at: row.at.toISOString(),
      actor: { id: row.actor_id, kind: row.actor_kind },
      action: row.action,
      method: row.method,
      route: row.route,
      caseId: row.case_id,
      areaId: row.area_id,
      personId: row.person_id,
      fields: row.fields,
      outcome: row.outcome,
      requestId: row.request_id,
    }),
    (last) => last.id,
  );
  return { items, nextBeforeId: next };
}
