/**
 * Case search: by pseudonymous reference (whole, or its last characters as read over the phone),
 * or by person (the persons a registry search found), within the reader's scope.
 */
import { caseColumns, toCaseSummary, type CaseRow, type CaseSummary } from './case-repository';
import type { Queryable } from './pool';
import { SqlConditions, addScope, type ReadScope } from './sql-conditions';

/** How many cases a search returns at most. */
export const caseSearchLimit = 20;

/** A case found, with the person it is about (pseudonymous id), for the alias lookup. */
export type FoundCase = CaseSummary & { personId: string | null };

/** Cases in scope whose reference is `reference` or ends with `-suffix` / `suffix`, newest first. */
export async function findCasesByReference(db: Queryable, scope: ReadScope, reference: string): Promise<FoundCase[]> {
  const conditions = new SqlConditions();
  addScope(conditions, scope, 'c', false);
  const exact = conditions.param(reference);
  // A fragment of at least 4 characters matches the end of the random part (the reference is random, not personal).
  conditions.add(`(c.reference = ${exact} OR right(c.reference, ${conditions.param(reference.length)}) = ${exact})`);
  const { rows } = await db.query<CaseRow & { person_id: string | null }>(
    `SELECT ${caseColumns}, c.person_id FROM cases c ${conditions.where()} ORDER BY c.started_at DESC, c.case_id DESC LIMIT ${caseSearchLimit}`,
    conditions.params,
  );
  return rows.map((row) => ({ ...toCaseSummary(row), personId: row.person_id }));
}

/** Cases in scope about these persons, newest first. */
export async function findCasesOfPersons(db: Queryable, scope: ReadScope, personIds: string[]): Promise<FoundCase[]> {
  if (personIds.length === 0) return [];
  const conditions = new SqlConditions();
  addScope(conditions, scope, 'c', false);
  conditions.add(`c.person_id = ANY(${conditions.param(personIds)}::text[])`);
  const { rows } = await db.query<CaseRow & { person_id: string | null }>(
    `SELECT ${caseColumns}, c.person_id FROM cases c ${conditions.where()} ORDER BY c.started_at DESC, c.case_id DESC LIMIT ${caseSearchLimit}`,
    conditions.params,
  );
  return rows.map((row) => ({ ...toCaseSummary(row), personId: row.person_id }));
}
