/**
 * A small builder for the WHERE clauses of read-model queries, and the reader scope every query applies.
 */

import type { ReadScope } from '../../domain/access';

/** What a reader may see (domain/access.ts decides it): null means "no restriction". Services restrict tasks only. */
export type { ReadScope };

/** Accumulates SQL conditions and their positional parameters. */
export class SqlConditions {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  /** Registers a parameter and returns its placeholder. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** Adds a condition, ANDed with the others. */
  add(clause: string): void {
    this.clauses.push(clause);
  }

  /** The WHERE clause of every condition added (empty when none). */
  where(): string {
    return this.clauses.length > 0 ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

/** Restricts `alias.area_id` (and, for tasks, `alias.service`) to the scope. */
export function addScope(conditions: SqlConditions, scope: ReadScope, alias: string, withServices: boolean): void {
  if (scope.areas !== null) conditions.add(`${alias}.area_id = ANY(${conditions.param(scope.areas)}::text[])`);
  if (withServices && scope.services !== null) conditions.add(`${alias}.service = ANY(${conditions.param(scope.services)}::text[])`);
}

/**
 * Keyset condition of lists ordered by a nullable deadline then id (`ORDER BY due ASC NULLS LAST,
 * id ASC`): the rows strictly after `after`.
 */
export function addDeadlineKeyset(conditions: SqlConditions, columns: { due: string; id: string }, after: { dueAt: string | null; id: string }): void {
  const id = conditions.param(after.id);
  if (after.dueAt === null) {
    conditions.add(`(${columns.due} IS NULL AND ${columns.id} > ${id})`);
    return;
  }
  const due = `${conditions.param(after.dueAt)}::timestamptz`;
  conditions.add(`(${columns.due} > ${due} OR (${columns.due} = ${due} AND ${columns.id} > ${id}) OR ${columns.due} IS NULL)`);
}

/**
 * A page of rows read with `LIMIT limit + 1`: the first `limit` rows as items and, when the extra
 * row came back, the position of the last item to continue after.
 */
export function pageOf<R, T, P>(rows: R[], limit: number, toItem: (row: R) => T, positionOf: (last: T) => P): { items: T[]; next: P | null } {
  const items = rows.slice(0, limit).map(toItem);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last !== undefined ? positionOf(last) : null };
}
