/**
 * Reporting reads: period exports of cases, tasks and events, and the funders' indicators. Exports
 * carry codes, dates and pseudonymous ids only — never form values, so no special-category field
 * (nor any other personal value) can leave through them. Rows are read in keyset batches so an
 * export of any size streams in constant memory.
 */
import type { Queryable } from './pool';
import { addScope, SqlConditions, type ReadScope } from './sql-conditions';

/** A half-open period [from, to). */
export interface Period {
  from: Date;
  to: Date;
}

export interface CaseExportRow {
  case_id: string;
  reference: string;
  pathway_key: string;
  pathway_version: number;
  area_id: string;
  target_group: string | null;
  status: string;
  outcome: string | null;
  started_at: string;
  closed_at: string | null;
  plan_signed_at: string | null;
  open_steps: string;
  escalation_level: number;
}

export interface TaskExportRow {
  task_id: string;
  case_id: string;
  step_id: string;
  area_id: string;
  service: string;
  role: string;
  status: string;
  assignee_id: string | null;
  created_at: string;
  due_at: string | null;
  completed_at: string | null;
  completed_on_time: boolean | null;
  escalation_level: number;
}

export interface EventExportRow {
  case_id: string;
  seq: number;
  type: string;
  at: string;
  actor_id: string;
  actor_kind: string;
  step_id: string | null;
  task_id: string | null;
}

const batchSize = 1000;
const iso = (column: string, alias = column) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${alias}`;

/** Cases active at some point of the period: started before its end and not finished before its start. */
export async function* exportCases(db: Queryable, scope: ReadScope, period: Period): AsyncGenerator<CaseExportRow> {
  let after: { startedAt: string; caseId: string } | null = null;
  for (;;) {
    const where = new SqlConditions();
    addScope(where, scope, 'c', false);
    where.add(`c.started_at < ${where.param(period.to)}`);
    where.add(`(c.closed_at IS NULL OR c.closed_at >= ${where.param(period.from)})`);
    if (after) where.add(`(c.started_at, c.case_id) > (${where.param(after.startedAt)}::timestamptz, ${where.param(after.caseId)})`);
    const { rows } = await db.query<CaseExportRow & { cursor_at: string }>(
      `SELECT c.case_id, c.reference, c.pathway_key, c.pathway_version, c.area_id, c.target_group, c.status, c.outcome,
              ${iso('c.started_at', 'started_at')}, ${iso('c.closed_at', 'closed_at')}, ${iso('c.plan_signed_at', 'plan_signed_at')},
              array_to_string(c.open_step_ids, ' ') AS open_steps, c.escalation_level, c.started_at::text AS cursor_at
         FROM cases c ${where.where()}
        ORDER BY c.started_at, c.case_id
        LIMIT ${batchSize}`,
      where.params,
    );
    for (const { cursor_at: _cursor, ...row } of rows) yield row;
    if (rows.length < batchSize) return;
    const last = rows[rows.length - 1];
    after = { startedAt: last.cursor_at, caseId: last.case_id };
  }
}

/** Tasks raised during the period. */
export async function* exportTasks(db: Queryable, scope: ReadScope, period: Period): AsyncGenerator<TaskExportRow> {
  let after: { createdAt: string; taskId: string } | null = null;
  for (;;) {
    const where = new SqlConditions();
    addScope(where, scope, 't', true);
    where.add(`t.created_at >= ${where.param(period.from)} AND t.created_at < ${where.param(period.to)}`);
    if (after) where.add(`(t.created_at, t.task_id) > (${where.param(after.createdAt)}::timestamptz, ${where.param(after.taskId)})`);
    const { rows } = await db.query<TaskExportRow & { cursor_at: string }>(
      `SELECT t.task_id, t.case_id, t.step_id, t.area_id, t.service, t.role, t.status, t.assignee_id,
              ${iso('t.created_at', 'created_at')}, ${iso('t.due_at', 'due_at')}, ${iso('t.completed_at', 'completed_at')},
              CASE WHEN t.completed_at IS NULL OR t.due_at IS NULL THEN NULL ELSE t.completed_at <= t.due_at END AS completed_on_time,
              t.escalation_level, t.created_at::text AS cursor_at
         FROM tasks t ${where.where()}
        ORDER BY t.created_at, t.task_id
        LIMIT ${batchSize}`,
      where.params,
    );
    for (const { cursor_at: _cursor, ...row } of rows) yield row;
    if (rows.length < batchSize) return;
    const last = rows[rows.length - 1];
    after = { createdAt: last.cursor_at, taskId: last.task_id };
  }
}

/** Timeline events of the period, without their details (which may hold form values and notes). */
export async function* exportEvents(db: Queryable, scope: ReadScope, period: Period): AsyncGenerator<EventExportRow> {
  let after: { at: string; caseId: string; seq: number } | null = null;
  for (;;) {
    const where = new SqlConditions();
    // Events have no area column: the case's area decides who may export them.
    addScope(where, scope, 'c', false);
    where.add(`e.at >= ${where.param(period.from)} AND e.at < ${where.param(period.to)}`);
    if (after) where.add(`(e.at, e.case_id, e.seq) > (${where.param(after.at)}::timestamptz, ${where.param(after.caseId)}, ${where.param(after.seq)}::int)`);
    const { rows } = await db.query<EventExportRow & { cursor_at: string }>(
      `SELECT e.case_id, e.seq, e.type, ${iso('e.at', 'at')}, e.actor_id, e.actor_kind, e.step_id, e.task_id, e.at::text AS cursor_at
         FROM case_events e JOIN cases c ON c.case_id = e.case_id ${where.where()}
        ORDER BY e.at, e.case_id, e.seq
        LIMIT ${batchSize}`,
      where.params,
    );
    for (const { cursor_at: _cursor, ...row } of rows) yield row;
    if (rows.length < batchSize) return;
    const last = rows[rows.length - 1];
    after = { at: last.cursor_at, caseId: last.case_id, seq: last.seq };
  }
}

export interface FunderIndicators {
  takenIn: Array<{ areaId: string; targetGroup: string | null; people: number; cases: number }>;
  plansSigned: Array<{ areaId: string; cases: number }>;
  closures: Array<{ areaId: string; status: string; outcome: string | null; cases: number }>;
}

/** The funders' indicators of a period: people taken in by area and target group, plans signed, outcomes at closure. */
export async function funderIndicators(db: Queryable, scope: ReadScope, period: Period, areaId?: string): Promise<FunderIndicators> {
  const where = new SqlConditions();
  addScope(where, scope, 'c', false);
  if (areaId !== undefined) where.add(`c.area_id = ${where.param(areaId)}`);
  const from = where.param(period.from);
  const to = where.param(period.to);
  const scoped = where.clauses.length > 0 ? `${where.clauses.join(' AND ')} AND` : '';
  const [takenIn, plansSigned, closures] = await Promise.all([
    // People, not cases: one person taken in twice in the period counts once (cases without a person count as one each).
    db.query<{ area_id: string; target_group: string | null; people: number; cases: number }>(
      `SELECT c.area_id, c.target_group, count(DISTINCT coalesce(c.person_id, 'case:' || c.case_id))::int AS people, count(*)::int AS cases FROM cases c
        WHERE ${scoped} c.started_at >= ${from} AND c.started_at < ${to}
        GROUP BY c.area_id, c.target_group ORDER BY c.area_id, c.target_group NULLS LAST`,
      where.params,
    ),
    db.query<{ area_id: string; cases: number }>(
      `SELECT c.area_id, count(*)::int AS cases FROM cases c
        WHERE ${scoped} c.plan_signed_at >= ${from} AND c.plan_signed_at < ${to}
        GROUP BY c.area_id ORDER BY c.area_id`,
      where.params,
    ),
    db.query<{ area_id: string; status: string; outcome: string | null; cases: number }>(
      `SELECT c.area_id, c.status, c.outcome, count(*)::int AS cases FROM cases c
        WHERE ${scoped} c.status IN ('closed', 'cancelled') AND c.closed_at >= ${from} AND c.closed_at < ${to}
        GROUP BY c.area_id, c.status, c.outcome ORDER BY c.area_id, c.status, c.outcome NULLS LAST`,
      where.params,
    ),
  ]);
  return {
    takenIn: takenIn.rows.map((row) => ({ areaId: row.area_id, targetGroup: row.target_group, people: row.people, cases: row.cases })),
    plansSigned: plansSigned.rows.map((row) => ({ areaId: row.area_id, cases: row.cases })),
    closures: closures.rows.map((row) => ({ areaId: row.area_id, status: row.status, outcome: row.outcome, cases: row.cases })),
  };
}
