/**
 * Supervision dashboards: aggregate figures over the read model, each one statement, each served by
 * an index or trigger-kept rollup of migrations 1764259200000_stall-rules.sql and
 * 1764277200000_stalled-all-areas-streams.sql, always inside the reader's areas.
 *
 * Definitions:
 * - counts: open tasks (open, claimed) by area × step × status, and open cases (active, suspended)
 *   by area × open step × status (a case with two open steps counts under each). A snapshot: the
 *   period does not apply.
 * - ageing: open tasks by area and age since creation, in whole days: 0–2, 3–7, 8–30, >30.
 * - on-time rate per step: tasks completed in the period that had a due date; on time = completed
 *   at or before it (whole local days from the trigger-kept `task_completion_days` rollup).
 * - time to signed plan per area: cases whose joint plan was signed in the period; days from the
 *   case start (first contact) to `plan_signed_at` (the stored `plan_days`); median and 90th
 *   percentile (percentile_cont).
 * - open escalations: open tasks and pending referrals at escalation level ≥ 1, by area × level.
 * - weekly trend, in Europe/Rome weeks (Monday 00:00) that overlap the period, counted whole:
 *   new = cases started in the week; closed / cancelled = cases that ended so in the week;
 *   stalled = distinct cases that had a task whose deadline fell in the week and that was not
 *   completed by its deadline (still open, or completed late; cancelled tasks do not count): the
 *   cases that went overdue that week.
 */
import { DateTime } from 'luxon';
import type { Queryable } from './pool';
import { addScope, SqlConditions, type ReadScope } from './sql-conditions';

export interface DashboardFilters {
  areaId?: string;
  pathwayKey?: string;
}

export interface DashboardPeriod {
  from: Date;
  to: Date;
}

export const ageingBuckets = ['0-2', '3-7', '8-30', '>30'] as const;
export type AgeingBucket = (typeof ageingBuckets)[number];

/** The time zone of the weekly trend and of the daily rollup: every pilot area's (weeks start on Monday there). */
export const trendTimezone = 'Europe/Rome';
const rollupTimezone = trendTimezone;

/** Area and pathway conditions for rows with `alias.area_id` and, through `caseAlias`, a pathway. */
function scoped(conditions: SqlConditions, scope: ReadScope, filters: DashboardFilters, alias: string, pathway: 'own' | 'via-case' | 'via-open-case'): void {
  addScope(conditions, scope, alias, false);
  if (filters.areaId !== undefined) conditions.add(`${alias}.area_id = ${conditions.param(filters.areaId)}`);
  if (filters.pathwayKey !== undefined) {
    const key = conditions.param(filters.pathwayKey);
    if (pathway === 'own') conditions.add(`${alias}.pathway_key = ${key}`);
    // Open tasks and referrals belong to open cases: a semi-join against those few is cheaper than a lookup per row.
    else if (pathway === 'via-open-case') {
      conditions.add(`${alias}.case_id IN (SELECT pc.case_id FROM cases pc WHERE pc.pathway_key = ${key} AND pc.status IN ('active', 'suspended'))`);
    } else conditions.add(`EXISTS (SELECT 1 FROM cases pc WHERE pc.case_id = ${alias}.case_id AND pc.pathway_key = ${key})`);
  }
}

export interface CountRow {
  areaId: string;
  stepId: string;
  status: string;
  count: number;
}

/**
 * Open tasks by area × step × status, and open cases by area × open step × status. Without a pathway
 * filter both come from the trigger-kept `open_task_counts` and `open_case_step_counts` rollups (a few
 * dozen rows, whatever the number of cases); the rollups have no pathway, so a pathway filter counts rows.
 */
export async function countsByAreaStepStatus(db: Queryable, scope: ReadScope, filters: DashboardFilters): Promise<{ tasks: CountRow[]; cases: CountRow[] }> {
  if (filters.pathwayKey === undefined) {
    const conditions = new SqlConditions();
    scoped(conditions, scope, filters, 'x', 'own');
    const where = ['x.n > 0', ...conditions.clauses].join(' AND ');
    const part = (table: string) =>
      `(SELECT json_agg(json_build_object('areaId', x.area_id, 'stepId', x.step_id, 'status', x.status, 'count', x.n) ORDER BY x.area_id, x.step_id, x.status)
        FROM ${table} x WHERE ${where})`;
    const { rows } = await db.query<{ tasks: CountRow[] | null; cases: CountRow[] | null }>(
      `SELECT ${part('open_task_counts')} AS tasks, ${part('open_case_step_counts')} AS cases`,
      conditions.params,
    );
    return { tasks: rows[0].tasks ?? [], cases: rows[0].cases ?? [] };
  }
  // One parameter list for both parts; each part takes its own clauses.
  const conditions = new SqlConditions();
  scoped(conditions, scope, filters, 't', 'via-open-case');
  const taskClauses = conditions.clauses.splice(0);
  scoped(conditions, scope, filters, 'c', 'own');
  const caseClauses = conditions.clauses.splice(0);
  const taskWhere = ["t.status IN ('open', 'claimed')", ...taskClauses].join(' AND ');
  const caseWhere = ["c.status IN ('active', 'suspended')", ...caseClauses].join(' AND ');
  const { rows } = await db.query<{ tasks: CountRow[] | null; cases: CountRow[] | null }>(
    `SELECT
       (SELECT json_agg(json_build_object('areaId', area_id, 'stepId', step_id, 'status', status, 'count', n) ORDER BY area_id, step_id, status)
          FROM (SELECT t.area_id, t.step_id, t.status, count(*)::integer AS n FROM tasks t WHERE ${taskWhere} GROUP BY 1, 2, 3) x) AS tasks,
       (SELECT json_agg(json_build_object('areaId', area_id, 'stepId', step_id, 'status', status, 'count', n) ORDER BY area_id, step_id, status)
          FROM (SELECT g.area_id, s.step_id, g.status, sum(g.n)::integer AS n
                FROM (SELECT c.area_id, c.open_step_ids, c.status, count(*) AS n FROM cases c WHERE ${caseWhere} GROUP BY 1, 2, 3) g
                CROSS JOIN LATERAL unnest(g.open_step_ids) AS s(step_id) GROUP BY 1, 2, 3) y) AS cases`,
    conditions.params,
  );
  return { tasks: rows[0].tasks ?? [], cases: rows[0].cases ?? [] };
}

export interface AgeingRow {
  areaId: string;
  bucket: AgeingBucket;
  count: number;
}

/**
 * Open tasks by area and age bucket (whole days since creation, at `now`). Without a pathway filter
 * the counts come from the trigger-kept `open_task_days` rollup (open tasks per area and UTC day of
 * creation): for each bucket boundary, the days after its day from the rollup and the rest of its
 * own day from tasks; the rollup has no pathway, so a pathway filter counts rows.
 */
export async function openTaskAgeing(db: Queryable, scope: ReadScope, filters: DashboardFilters, now: Date): Promise<AgeingRow[]> {
  const rows = filters.pathwayKey === undefined ? await ageingFromRollup(db, scope, filters, now) : await ageingFromTasks(db, scope, filters, now);
  const order = (row: AgeingRow) => ageingBuckets.indexOf(row.bucket);
  return rows.sort((a, b) => (a.areaId < b.areaId ? -1 : a.areaId > b.areaId ? 1 : order(a) - order(b)));
}

async function ageingFromRollup(db: Queryable, scope: ReadScope, filters: DashboardFilters, now: Date): Promise<AgeingRow[]> {
  const conditions = new SqlConditions();
  const nowParam = `${conditions.param(now)}::timestamptz`;
  scoped(conditions, scope, filters, 'd', 'own');
  const dayClauses = conditions.clauses.splice(0).map((clause) => `AND ${clause}`).join(' ');
  scoped(conditions, scope, filters, 't', 'own');
  const taskClauses = conditions.clauses.splice(0).map((clause) => `AND ${clause}`).join(' ');
  // Open tasks created after each boundary (the same instants as the CASE of ageingFromTasks), per area.
  const { rows } = await db.query<{ areaId: string; total: string; after3: string; after8: string; after31: string }>(
    `WITH b AS (
       SELECT k, at, (at AT TIME ZONE 'UTC')::date AS day, ((at AT TIME ZONE 'UTC')::date + 1) AT TIME ZONE 'UTC' AS day_end
       FROM (VALUES (3, ${nowParam} - interval '3 days'), (8, ${nowParam} - interval '8 days'), (31, ${nowParam} - interval '31 days')) AS x(k, at)
     ),
     after AS (
       SELECT b.k, y.area_id, sum(y.n) AS n FROM b CROSS JOIN LATERAL (
         SELECT d.area_id, d.n FROM open_task_days d WHERE d.day > b.day ${dayClauses}
         UNION ALL
         SELECT t.area_id, 1 FROM tasks t
         WHERE t.status IN ('open', 'claimed') AND t.created_at > b.at AND t.created_at < b.day_end ${taskClauses}
       ) y GROUP BY 1, 2
     )
     SELECT d.area_id AS "areaId", sum(d.n) AS total,
       coalesce((SELECT a.n FROM after a WHERE a.k = 3 AND a.area_id = d.area_id), 0) AS after3,
       coalesce((SELECT a.n FROM after a WHERE a.k = 8 AND a.area_id = d.area_id), 0) AS after8,
       coalesce((SELECT a.n FROM after a WHERE a.k = 31 AND a.area_id = d.area_id), 0) AS after31
     FROM open_task_days d WHERE d.n <> 0 ${dayClauses}
     GROUP BY 1`,
    conditions.params,
  );
  return rows.flatMap((row) => {
    const [total, after3, after8, after31] = [row.total, row.after3, row.after8, row.after31].map(Number);
    const counts: Array<[AgeingBucket, number]> = [
      ['0-2', after3],
      ['3-7', after8 - after3],
      ['8-30', after31 - after8],
      ['>30', total - after31],
    ];
    return counts.filter(([, count]) => count > 0).map(([bucket, count]) => ({ areaId: row.areaId, bucket, count }));
  });
}

async function ageingFromTasks(db: Queryable, scope: ReadScope, filters: DashboardFilters, now: Date): Promise<AgeingRow[]> {
  const conditions = new SqlConditions();
  const nowParam = `${conditions.param(now)}::timestamptz`;
  scoped(conditions, scope, filters, 't', 'via-open-case');
  const { rows } = await db.query<AgeingRow>(
    `SELECT t.area_id AS "areaId",
       CASE WHEN t.created_at > ${nowParam} - interval '3 days' THEN '0-2'
            WHEN t.created_at > ${nowParam} - interval '8 days' THEN '3-7'
            WHEN t.created_at > ${nowParam} - interval '31 days' THEN '8-30'
            ELSE '>30' END AS bucket,
       count(*)::integer AS count
     FROM tasks t WHERE t.status IN ('open', 'claimed') ${conditions.clauses.map((clause) => `AND ${clause}`).join(' ')}
     GROUP BY 1, 2`,
    conditions.params,
  );
  return rows;
}

export interface OnTimeRow {
  stepId: string;
  completed: number;
  onTime: number;
  /** onTime ÷ completed; null when nothing with a due date was completed. */
  rate: number | null;
}

/** The whole local days inside [from, to) as [firstDay, endDay) dates, with the instants they start at; null when none. */
function wholeDays(period: DashboardPeriod, zone: string): { firstDay: string; endDay: string; start: Date; end: Date } | null {
  let first = DateTime.fromJSDate(period.from, { zone }).startOf('day');
  if (first.toMillis() < period.from.getTime()) first = first.plus({ days: 1 }).startOf('day');
  const end = DateTime.fromJSDate(period.to, { zone }).startOf('day');
  if (first.toMillis() >= end.toMillis()) return null;
  return { firstDay: first.toISODate()!, endDay: end.toISODate()!, start: first.toJSDate(), end: end.toJSDate() };
}

/**
 * Per step: tasks completed in the period that had a due date, and how many of them on or before
 * it. Whole local days come from the `task_completion_days` rollup, the partial days at the ends
 * from tasks; with a pathway filter (the rollup has no pathway) everything comes from tasks.
 */
export async function onTimeRateByStep(db: Queryable, scope: ReadScope, filters: DashboardFilters, period: DashboardPeriod): Promise<OnTimeRow[]> {
  const days = filters.pathwayKey === undefined ? wholeDays(period, rollupTimezone) : null;
  const conditions = new SqlConditions();
  const from = `${conditions.param(period.from)}::timestamptz`;
  const to = `${conditions.param(period.to)}::timestamptz`;
  scoped(conditions, scope, filters, 't', 'via-case');
  const taskClauses = conditions.clauses.splice(0);
  const parts: string[] = [];
  // Each raw range is its own index range scan (an OR of two ranges would visit the table).
  let rawRanges = [[from, to]];
  if (days) {
    const start = `${conditions.param(days.start)}::timestamptz`;
    const end = `${conditions.param(days.end)}::timestamptz`;
    rawRanges = [
      [from, start],
      [end, to],
    ];
    scoped(conditions, scope, filters, 'd', 'own');
    const dayClauses = conditions.clauses.splice(0);
    parts.push(`SELECT d.step_id, d.completed, d.on_time FROM task_completion_days d
      WHERE d.day >= ${conditions.param(days.firstDay)}::date AND d.day < ${conditions.param(days.endDay)}::date ${dayClauses.map((c) => `AND ${c}`).join(' ')}`);
  }
  for (const [low, high] of rawRanges) {
    parts.push(`SELECT t.step_id, 1, (t.completed_at <= t.due_at)::integer FROM tasks t
      WHERE t.status = 'completed' AND t.due_at IS NOT NULL AND t.completed_at >= ${low} AND t.completed_at < ${high}
      ${taskClauses.map((c) => `AND ${c}`).join(' ')}`);
  }
  const { rows } = await db.query<{ stepId: string; completed: number; onTime: number }>(
    `SELECT x.step_id AS "stepId", sum(x.completed)::integer AS completed, sum(x.on_time)::integer AS "onTime"
     FROM (${parts.join(' UNION ALL ')}) AS x(step_id, completed, on_time)
     GROUP BY 1 HAVING sum(x.completed) > 0 ORDER BY 1`,
    conditions.params,
  );
  return rows.map((row) => ({ ...row, rate: row.completed === 0 ? null : row.onTime / row.completed }));
}

export interface PlanTimeRow {
  areaId: string;
  plans: number;
  medianDays: number;
  p90Days: number;
}

/** Per area: days from case start (first contact) to a fully signed joint plan, for plans signed in the period. */
export async function timeToSignedPlan(db: Queryable, scope: ReadScope, filters: DashboardFilters, period: DashboardPeriod): Promise<PlanTimeRow[]> {
  const conditions = new SqlConditions();
  conditions.add(`c.plan_signed_at >= ${conditions.param(period.from)}::timestamptz`);
  conditions.add(`c.plan_signed_at < ${conditions.param(period.to)}::timestamptz`);
  scoped(conditions, scope, filters, 'c', 'own');
  const { rows } = await db.query<PlanTimeRow>(
    `SELECT c.area_id AS "areaId", count(*)::integer AS plans,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY c.plan_days) AS "medianDays",
       percentile_cont(0.9) WITHIN GROUP (ORDER BY c.plan_days) AS "p90Days"
     FROM cases c WHERE c.plan_signed_at IS NOT NULL AND ${conditions.clauses.join(' AND ')}
     GROUP BY 1 ORDER BY 1`,
    conditions.params,
  );
  return rows.map((row) => ({ ...row, medianDays: Number(row.medianDays), p90Days: Number(row.p90Days) }));
}

export interface EscalationRow {
  areaId: string;
  level: number;
  tasks: number;
  referrals: number;
}

/** Open tasks and pending referrals at escalation level ≥ 1, by area × level. */
export async function openEscalationsByLevel(db: Queryable, scope: ReadScope, filters: DashboardFilters): Promise<EscalationRow[]> {
  const conditions = new SqlConditions();
  scoped(conditions, scope, filters, 'x', 'via-open-case');
  const where = conditions.clauses.map((clause) => `AND ${clause}`).join(' ');
  const { rows } = await db.query<EscalationRow>(
    `SELECT x.area_id AS "areaId", x.level, count(*) FILTER (WHERE x.source = 'task')::integer AS tasks,
       count(*) FILTER (WHERE x.source = 'referral')::integer AS referrals
     FROM (
       SELECT 'task' AS source, t.area_id, t.case_id, t.escalation_level AS level FROM tasks t
       WHERE t.status IN ('open', 'claimed') AND t.escalation_level >= 1
       UNION ALL
       SELECT 'referral', r.area_id, r.case_id, r.escalation_level FROM referrals r
       WHERE r.status = 'pending' AND r.escalation_level >= 1
     ) x WHERE true ${where}
     GROUP BY 1, 2 ORDER BY 1, 2`,
    conditions.params,
  );
  return rows;
}

export interface WeekRow {
  /** Monday of the week (local date, Europe/Rome). */
  weekStart: string;
  new: number;
  closed: number;
  cancelled: number;
  stalled: number;
}

/** New, closed and stalled cases per Europe/Rome week overlapping the period (see the module comment). */
export async function weeklyTrend(db: Queryable, scope: ReadScope, filters: DashboardFilters, period: DashboardPeriod): Promise<WeekRow[]> {
  const conditions = new SqlConditions();
  const from = conditions.param(period.from);
  const to = conditions.param(period.to);
  const tz = conditions.param(trendTimezone);
  scoped(conditions, scope, filters, 'c', 'own');
  const caseClauses = conditions.clauses.splice(0);
  scoped(conditions, scope, filters, 't', 'via-case');
  const taskClauses = conditions.clauses.splice(0);
  const and = (clauses: string[]) => clauses.map((clause) => `AND ${clause}`).join(' ');
  const { rows } = await db.query<WeekRow>(
    `WITH weeks AS (
       SELECT w::date AS week_start, w AT TIME ZONE ${tz} AS s, (w + interval '1 week') AT TIME ZONE ${tz} AS e
       FROM generate_series(date_trunc('week', ${from}::timestamptz AT TIME ZONE ${tz}),
                            date_trunc('week', (${to}::timestamptz - interval '1 microsecond') AT TIME ZONE ${tz}), interval '1 week') AS w
     )
     SELECT to_char(weeks.week_start, 'YYYY-MM-DD') AS "weekStart",
       (SELECT count(*) FROM cases c WHERE c.started_at >= weeks.s AND c.started_at < weeks.e ${and(caseClauses)})::integer AS new,
       ended.closed, ended.cancelled,
       (SELECT count(DISTINCT t.case_id) FROM tasks t
         WHERE t.due_at >= weeks.s AND t.due_at < weeks.e AND t.due_at IS NOT NULL AND t.status IN ('open', 'claimed', 'completed')
           AND (t.completed_at IS NULL OR t.completed_at > t.due_at) ${and(taskClauses)})::integer AS stalled
     FROM weeks CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE c.status = 'closed')::integer AS closed, count(*) FILTER (WHERE c.status = 'cancelled')::integer AS cancelled
       FROM cases c WHERE c.closed_at >= weeks.s AND c.closed_at < weeks.e ${and(caseClauses)}
     ) ended
     ORDER BY weeks.week_start`,
    conditions.params,
  );
  return rows;
}
