/**
 * Stalled cases: every active (or suspended) case in scope that breaks at least one stalled-case
 * rule, with every rule it breaks, since when, and who owns the next move, most urgent first.
 *
 * Urgency: the earliest `since` among the rules the case breaks (the case left longest in a
 * condition a rule is about comes first), ties by case id. `since` is when the measured condition
 * began: the due date of the earliest overdue task, the last progress, the last successful contact
 * (or the case start), the first escalation of a task now at level ≥ k, the referral's acceptance
 * deadline, the suspension.
 *
 * At scale the list is read as one stream per rule kind and (area, pathway), each in the order of
 * its own `since` from an index and cut at the page size; the page is the best of their union. A
 * case ahead in a stream is ahead overall (its urgency is at most its since in that stream), so
 * nothing is missed, and a page costs about (kinds × groups × page size) index reads whatever the
 * number of cases. When the groups cover every area and pathway (an unfiltered list over all areas)
 * each kind is one stream over all of them, from all-areas indexes: (kinds × page size) reads.
 */
import { calendarFor, type BusinessCalendar, type HolidayRule } from '../../domain/calendar';
import { clockRuleKinds, countWorkingDays, effectiveRule, stallCutoff, stallRuleKinds, type StallRule, type StallRuleKind } from '../../domain/stall-rules';
import { caseColumns, toCaseSummary, type CaseRow, type CaseSummary } from './case-repository';
import type pg from 'pg';
import { isPool, prepared, type Queryable } from './pool';
import type { ReadScope } from './sql-conditions';

/** Who must make the next move: a task's assignee (or its service and role), or a referral's receiving service. */
export type NextMoveOwner =
  | { kind: 'task'; taskId: string; stepId: string; service: string; role: string; assigneeId: string | null; dueAt: string | null }
  | { kind: 'referral'; referralId: string; stepId: string; service: string; role: string; assigneeId: null; dueAt: string | null };

interface ReasonBase {
  since: string;
  threshold: number;
  owners: NextMoveOwner[];
}

/** One broken rule of a stalled case. */
export type StalledReasonView =
  | (ReasonBase & { type: 'overdue_task'; taskIds: string[] })
  | (ReasonBase & { type: 'no_progress'; workingDays: number })
  | (ReasonBase & { type: 'no_contact'; days: number; lastContactAt: string | null })
  | (ReasonBase & { type: 'escalated'; level: number })
  | (ReasonBase & { type: 'referral_not_accepted'; referralIds: string[] })
  | (ReasonBase & { type: 'suspended_too_long'; days: number })
  | (ReasonBase & { type: 'isee_expiring'; expiresOn: string });

export interface StalledCaseView {
  case: CaseSummary;
  /** The urgency of the case: the earliest `since` among its broken rules (among the chosen kinds when filtered). */
  since: string;
  reasons: StalledReasonView[];
}

/** Keyset position in the stalled list: (urgency, case id). */
export interface StalledPosition {
  since: string;
  caseId: string;
}

export interface StalledCaseOptions {
  areaId?: string;
  pathwayKey?: string;
  /** Only cases breaking one of these kinds (all kinds when absent); every broken rule is still listed. */
  kinds?: readonly StallRuleKind[];
  limit: number;
  after?: StalledPosition;
  now: Date;
}

interface AreaCalendar {
  id: string;
  timezone: string;
  localHolidays: HolidayRule[];
}

/** Effective thresholds of one (area, pathway) pair, with the cutoffs they mean now. */
interface RuleGroup {
  a: string;
  p: string;
  od: string | null;
  np: string | null;
  nc: string | null;
  el: number | null;
  rf: string | null;
  su: string | null;
  /** isee_expiring: the cutoff ahead (now + N days) and N itself, to date when the renewal window opened. */
  ie: string | null;
  iw: number | null;
  thresholds: Partial<Record<StallRuleKind, number>>;
  calendar: BusinessCalendar;
}

const groupColumn: Record<Exclude<StallRuleKind, 'contact_failures'>, 'od' | 'np' | 'nc' | 'el' | 'rf' | 'su' | 'ie'> = {
  overdue_task: 'od',
  no_progress: 'np',
  no_contact: 'nc',
  escalated: 'el',
  referral_not_accepted: 'rf',
  suspended_too_long: 'su',
  isee_expiring: 'ie',
};

/**
 * When the case's ISEE stops being valid: the end (Europe/Rome) of the latest expiry date among the
 * ISEE certificates of the case or of its person (a renewed one clears the rule); null without one.
 */
const iseeExpirySql = `(SELECT (max(d.expires_on) + 1)::timestamp AT TIME ZONE 'Europe/Rome' FROM documents d
      WHERE d.kind = 'isee' AND d.erased_at IS NULL AND d.expires_on IS NOT NULL
        AND (d.case_id = c.case_id OR (d.case_id IS NULL AND d.person_id = c.person_id)))`;
const iseeSinceSql = `(${iseeExpirySql} - make_interval(days => g.iw))`;

/** SQL of each kind's "since" for case `c` under group `g` (null when the case does not break it). */
const sinceSql: Record<StallRuleKind, string> = {
  overdue_task: `CASE WHEN c.status = 'active' AND c.next_deadline < g.od THEN c.next_deadline END`,
  no_progress: `CASE WHEN c.status = 'active' AND c.last_progress_at < g.np THEN c.last_progress_at END`,
  no_contact: `CASE WHEN c.status = 'active' AND coalesce(c.last_contact_at, c.started_at) < g.nc THEN coalesce(c.last_contact_at, c.started_at) END`,
  escalated: `CASE WHEN c.status = 'active' AND c.escalation_level >= g.el THEN coalesce((SELECT min(t.escalated_at) FROM tasks t
      WHERE t.case_id = c.case_id AND t.status IN ('open', 'claimed') AND t.escalation_level >= g.el), c.updated_at) END`,
  referral_not_accepted: `CASE WHEN c.status = 'active' THEN (SELECT min(r.accept_due_at) FROM referrals r
      WHERE r.case_id = c.case_id AND r.status = 'pending' AND r.accept_due_at < g.rf) END`,
  suspended_too_long: `CASE WHEN c.status = 'suspended' AND c.suspended_at < g.su THEN c.suspended_at END`,
  // Since when the renewal window is open: N days before the expiry.
  isee_expiring: `CASE WHEN c.status = 'active' AND ${iseeExpirySql} < g.ie THEN ${iseeSinceSql} END`,
  // It pauses clocks instead of flagging the case (domain/contact-pause.ts): never a reason here.
  contact_failures: 'NULL::timestamptz',
};

/**
 * One stream per kind: the cases of group `g` breaking it with their since, in that order, cut at
 * the page size. Escalated tasks and pending referrals count once per case (its earliest one).
 */
function streamSql(kind: StallRuleKind, afterFilter: string, limit: string, everyArea = false): string {
  const base = `c.area_id = g.a AND c.pathway_key = g.p`;
  // After a cursor the index scan starts at its urgency: a row whose since is earlier has an earlier urgency, so it was on an earlier page.
  const from = (since: string) => (afterFilter ? `AND ${since} >= $2::timestamptz` : '');
  switch (kind) {
    case 'overdue_task':
      return `SELECT c.case_id, c.next_deadline AS since FROM cases c WHERE ${base} AND c.status = 'active' AND c.next_deadline < g.od ${from('c.next_deadline')} ${afterFilter}
        ORDER BY c.next_deadline, c.case_id LIMIT ${limit}`;
    case 'no_progress':
      return `SELECT c.case_id, c.last_progress_at AS since FROM cases c WHERE ${base} AND c.status = 'active' AND c.last_progress_at < g.np ${from('c.last_progress_at')} ${afterFilter}
        ORDER BY c.last_progress_at, c.case_id LIMIT ${limit}`;
    case 'no_contact':
      return `SELECT c.case_id, coalesce(c.last_contact_at, c.started_at) AS since FROM cases c
        WHERE ${base} AND c.status = 'active' AND coalesce(c.last_contact_at, c.started_at) < g.nc ${from('coalesce(c.last_contact_at, c.started_at)')} ${afterFilter}
        ORDER BY coalesce(c.last_contact_at, c.started_at), c.case_id LIMIT ${limit}`;
    case 'suspended_too_long':
      return `SELECT c.case_id, c.suspended_at AS since FROM cases c WHERE ${base} AND c.status = 'suspended' AND c.suspended_at < g.su ${from('c.suspended_at')} ${afterFilter}
        ORDER BY c.suspended_at, c.case_id LIMIT ${limit}`;
    case 'contact_failures':
      return `SELECT NULL::text AS case_id, NULL::timestamptz AS since WHERE false`;
    case 'isee_expiring':
      // Every active case of the group with its ISEE looked up (documents_isee_idx): cases hold few documents.
      return `SELECT case_id, since FROM (SELECT c.case_id, ${sinceSql.isee_expiring} AS since FROM cases c WHERE ${base} AND c.status = 'active' ${afterFilter}) s
        WHERE since IS NOT NULL ${afterFilter ? 'AND since >= $2::timestamptz' : ''} ORDER BY since, case_id LIMIT ${limit}`;
    case 'escalated':
      // Read per area (ga): every escalated task of the area in the order of its first escalation (`escalated_at`, a
      // generated column; the partial index, hence `escalation_level >= 1` spelled out), its case and group joined laterally so the scan stops at the limit
      // (LIMIT 1 keeps the planner from flattening that lookup into a join over every case).
      // The "first such task of its case" check sits inside that lookup too: as a join of its own the generic plan
      // hashed it, which reads every escalated task of the area before the limit applies.
      return `SELECT t.case_id, t.escalated_at AS since FROM tasks t
        CROSS JOIN LATERAL (SELECT 1 FROM cases c CROSS JOIN LATERAL (SELECT * FROM g WHERE g.a = c.area_id AND g.p = c.pathway_key LIMIT 1) g
          WHERE c.case_id = t.case_id AND c.status = 'active' AND t.escalation_level >= g.el
            AND NOT EXISTS (SELECT 1 FROM tasks t2 WHERE t2.case_id = t.case_id AND t2.task_id <> t.task_id AND t2.status IN ('open', 'claimed')
              AND t2.escalation_level >= 1 AND t2.escalation_level >= g.el
              AND (t2.escalated_at, t2.task_id) < (t.escalated_at, t.task_id))
            ${afterFilter} LIMIT 1) q
        WHERE ${everyArea ? '' : 't.area_id = ga.a AND'} t.status IN ('open', 'claimed') AND t.escalation_level >= 1 ${from('t.escalated_at')}
        ORDER BY t.escalated_at, t.case_id LIMIT ${limit}`;
    case 'referral_not_accepted':
      // As for escalated tasks, the "first pending referral of its case" check runs inside the per-row lookup.
      return `SELECT r.case_id, r.accept_due_at AS since FROM referrals r
        CROSS JOIN LATERAL (SELECT 1 FROM cases c CROSS JOIN LATERAL (SELECT * FROM g WHERE g.a = c.area_id AND g.p = c.pathway_key LIMIT 1) g
          WHERE c.case_id = r.case_id AND c.status = 'active' AND r.accept_due_at < g.rf
            AND NOT EXISTS (SELECT 1 FROM referrals r2 WHERE r2.case_id = r.case_id AND r2.referral_id <> r.referral_id AND r2.status = 'pending'
              AND (r2.accept_due_at, r2.referral_id) < (r.accept_due_at, r.referral_id))
            ${afterFilter} LIMIT 1) q
        WHERE ${everyArea ? '' : 'r.area_id = ga.a AND'} r.status = 'pending' AND r.accept_due_at IS NOT NULL ${from('r.accept_due_at')}
        ORDER BY r.accept_due_at, r.case_id LIMIT ${limit}`;
  }
}

/** Since, status and cutoff of the kinds read from case columns. */
const caseColumnKinds: Partial<Record<StallRuleKind, { since: string; status: string; cutoff: string }>> = {
  overdue_task: { since: 'c.next_deadline', status: 'active', cutoff: 'g.od' },
  no_progress: { since: 'c.last_progress_at', status: 'active', cutoff: 'g.np' },
  no_contact: { since: 'coalesce(c.last_contact_at, c.started_at)', status: 'active', cutoff: 'g.nc' },
  suspended_too_long: { since: 'c.suspended_at', status: 'suspended', cutoff: 'g.su' },
};

/**
 * One stream of a case-column kind over every group at once (the groups cover every area and
 * pathway): the all-areas index in the order of the since, each row checked against its group by a
 * lookup that stops at one row. Everything but the index's own conditions sits in that lookup, so
 * the plan walks the index in order and stops at the limit (with the checks outside, the planner
 * misjudges how many rows pass and sorts every active case instead).
 */
function globalStreamSql(kind: StallRuleKind, afterFilter: string, limit: string): string | null {
  const column = caseColumnKinds[kind];
  if (!column) return null;
  const from = afterFilter ? `AND ${column.since} >= $2::timestamptz` : '';
  return `SELECT c.case_id, ${column.since} AS since FROM cases c
      CROSS JOIN LATERAL (SELECT 1 FROM (SELECT * FROM g WHERE g.a = c.area_id AND g.p = c.pathway_key LIMIT 1) g
        WHERE ${column.since} < ${column.cutoff} ${afterFilter} LIMIT 1) q
      WHERE c.status = '${column.status}' ${from}
      ORDER BY ${column.since}, c.case_id LIMIT ${limit}`;
}

/** Kinds read per area rather than per (area, pathway): their rows carry no pathway. */
const perArea = new Set<StallRuleKind>(['escalated', 'referral_not_accepted']);

/** Rules, calendars of the areas in scope and known pathway keys, in one round trip. */
async function loadRuleContext(db: Queryable, scope: ReadScope): Promise<{ rules: StallRule[]; areas: AreaCalendar[]; pathways: string[] }> {
  const { rows } = await db.query<{ rules: StallRule[]; areas: AreaCalendar[]; pathways: string[] }>(
    `SELECT
       (SELECT coalesce(json_agg(json_build_object('pathwayKey', pathway_key, 'areaId', area_id, 'kind', kind,
          'threshold', threshold, 'enabled', enabled)), '[]'::json) FROM stall_rules) AS rules,
       (SELECT coalesce(json_agg(json_build_object('id', id, 'timezone', timezone, 'localHolidays', local_holidays) ORDER BY id), '[]'::json)
          FROM areas WHERE $1::text[] IS NULL OR id = ANY($1::text[])) AS areas,
       (SELECT coalesce(array_agg(DISTINCT key ORDER BY key), '{}') FROM pathway_versions) AS pathways`,
    [scope.areas],
  );
  return rows[0];
}

function ruleGroups(
  context: { rules: StallRule[]; areas: AreaCalendar[]; pathways: string[] },
  options: StalledCaseOptions,
  kinds: readonly StallRuleKind[],
): RuleGroup[] {
  const groups: RuleGroup[] = [];
  for (const area of context.areas) {
    if (options.areaId !== undefined && area.id !== options.areaId) continue;
    const calendar = calendarFor(area.localHolidays, area.timezone);
    for (const pathwayKey of context.pathways) {
      if (options.pathwayKey !== undefined && pathwayKey !== options.pathwayKey) continue;
      const group: RuleGroup = { a: area.id, p: pathwayKey, od: null, np: null, nc: null, el: null, rf: null, su: null, ie: null, iw: null, thresholds: {}, calendar };
      for (const kind of stallRuleKinds) {
        const rule = effectiveRule(context.rules, pathwayKey, area.id, kind);
        if (!rule || kind === 'contact_failures') continue;
        group.thresholds[kind] = rule.threshold;
        if (kind === 'escalated') group.el = rule.threshold;
        else group[groupColumn[kind] as 'od'] = stallCutoff(kind, rule.threshold, options.now, calendar)!.toISOString();
        if (kind === 'isee_expiring') group.iw = rule.threshold;
      }
      if (kinds.some((kind) => group.thresholds[kind] !== undefined)) groups.push(group);
    }
  }
  return groups;
}

interface StalledRow extends CaseRow {
  urgency: Date;
  urgency_key: string;
  since: Record<StallRuleKind, string | null>;
  open_tasks: Array<{ taskId: string; stepId: string; service: string; role: string; assigneeId: string | null; dueAt: string | null; escalationLevel: number }> | null;
  pending_referrals: Array<{ referralId: string; stepId: string; toService: string; role: string; acceptDueAt: string | null }> | null;
}

const iso = (value: string | null): string | null => (value === null ? null : new Date(value).toISOString());
const dayMs = 86_400_000;

/**
 * Runs `work` with the plan cache told to reuse the generic plan of a named statement. Left to
 * itself PostgreSQL re-plans the stalled-case statement on every call (its generic plan's estimate
 * is a little above the custom ones'), and planning it costs about as much as running it. Session
 * setting, reset before the connection goes back: other statements keep their custom plans.
 */
async function withGenericPlan<T>(db: Queryable, work: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  const pooled = isPool(db) ? await db.connect() : undefined;
  const client = pooled ?? (db as pg.ClientBase);
  let broken: Error | undefined;
  try {
    await client.query(`SET plan_cache_mode = force_generic_plan`);
    return await work(client);
  } finally {
    await client.query(`RESET plan_cache_mode`).catch((error: Error) => {
      broken = error;
    });
    // A connection that cannot reset the setting must not serve anyone else.
    pooled?.release(broken);
  }
}

/**
 * One page of stalled cases in scope, most urgent first (see the module comment); `next` positions
 * the following page. Rules come from `stall_rules` (most specific row per kind wins).
 */
export async function listStalledCases(
  db: Queryable,
  scope: ReadScope,
  options: StalledCaseOptions,
): Promise<{ items: StalledCaseView[]; next: StalledPosition | null }> {
  const kinds = (options.kinds && options.kinds.length > 0 ? options.kinds : stallRuleKinds).filter((kind) => !clockRuleKinds.includes(kind));
  if (kinds.length === 0) return { items: [], next: null };
  const context = await loadRuleContext(db, scope);
  const groups = ruleGroups(context, options, kinds);
  if (groups.length === 0) return { items: [], next: null };

  const params: unknown[] = [JSON.stringify(groups.map(({ thresholds: _t, calendar: _c, ...sql }) => sql))];
  // A literal, not a parameter: the statement is prepared once per shape, and a generic plan that does not know the
  // limit picks joins for thousands of rows.
  const pageRows = String(Math.trunc(options.limit) + 1);
  const keySql = `LEAST(${kinds.map((kind) => sinceSql[kind]).join(', ')})`;
  let afterFilter = '';
  if (options.after) {
    params.push(options.after.since, options.after.caseId);
    // (urgency, id) > cursor ⇔ (since, id) > cursor for every broken rule: one condition per kind, which
    // PostgreSQL checks cheapest first, so a case shown on an earlier page is dropped before any subquery runs.
    afterFilter = kinds.map((kind) => `AND ((${sinceSql[kind]}) IS NULL OR ((${sinceSql[kind]}), c.case_id) > ($2::timestamptz, $3::text))`).join(' ');
  }
  // The groups cover every area and pathway (an unfiltered list over all areas): one stream per case-column kind.
  const everyGroup = scope.areas === null && options.areaId === undefined && options.pathwayKey === undefined;
  // Per kind: the best of every group's stream, cut again at the page size.
  const streams = kinds.map((kind) => {
    if (everyGroup) {
      // Escalated tasks and pending referrals: one stream over every area (the group lookup inside checks the rest).
      const global = perArea.has(kind) ? streamSql(kind, afterFilter, pageRows, true) : globalStreamSql(kind, afterFilter, pageRows);
      if (global) return `(SELECT case_id FROM (${global}) k)`;
    }
    return `(SELECT case_id FROM (SELECT s.case_id, s.since FROM ${perArea.has(kind) ? '(SELECT DISTINCT a FROM g) ga' : 'g'}
      CROSS JOIN LATERAL (${streamSql(kind, afterFilter, pageRows)}) s) k ORDER BY since, case_id LIMIT ${pageRows})`;
  });
  const text = `WITH g AS MATERIALIZED (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS g(a text, p text, od timestamptz, np timestamptz, nc timestamptz, el integer, rf timestamptz, su timestamptz, ie timestamptz, iw integer)
     ),
     candidates AS MATERIALIZED (SELECT DISTINCT case_id FROM (${streams.join('\n UNION ALL ')}) x),
     page AS MATERIALIZED (
       SELECT c.case_id, ${keySql} AS urgency, json_build_object(${stallRuleKinds.map((kind) => `'${kind}', ${sinceSql[kind]}`).join(', ')}) AS since
       FROM candidates JOIN cases c USING (case_id) JOIN g ON g.a = c.area_id AND g.p = c.pathway_key
       WHERE ${keySql} IS NOT NULL ${afterFilter}
       ORDER BY urgency, c.case_id LIMIT ${pageRows}
     )
     SELECT ${caseColumns}, page.urgency, page.since,
       -- The cursor keeps microseconds: a Date would round them off and repeat a row on the next page.
       to_char(page.urgency AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS urgency_key,
       (SELECT json_agg(json_build_object('taskId', t.task_id, 'stepId', t.step_id, 'service', t.service, 'role', t.role,
          'assigneeId', t.assignee_id, 'dueAt', t.due_at, 'escalationLevel', t.escalation_level) ORDER BY t.due_at NULLS LAST, t.task_id)
        FROM tasks t WHERE t.case_id = c.case_id AND t.status IN ('open', 'claimed')) AS open_tasks,
       (SELECT json_agg(json_build_object('referralId', r.referral_id, 'stepId', r.step_id, 'toService', r.to_service, 'role', r.role,
          'acceptDueAt', r.accept_due_at) ORDER BY r.accept_due_at NULLS LAST, r.referral_id)
        FROM referrals r WHERE r.case_id = c.case_id AND r.status = 'pending') AS pending_referrals
     FROM page JOIN cases c USING (case_id)
     ORDER BY page.urgency, c.case_id`;
  // Planning this statement costs more than running it (several ms): a prepared statement is planned once per connection
  // for each shape (kinds chosen, first or later page), of which there are few.
  const rows = await withGenericPlan(db, (client) => client.query<StalledRow>(prepared(text, params)).then((result) => result.rows));

  const groupOf = new Map(groups.map((group) => [`${group.a}\u0000${group.p}`, group]));
  // A page may hold fewer items than the limit (a case whose only "overdue" deadline was a referral's, with that rule off); the cursor still moves on.
  const items = rows
    .slice(0, options.limit)
    .map((row) => stalledCaseOf(row, groupOf.get(`${row.area_id}\u0000${row.pathway_key}`)!, options.now))
    .filter((item) => item.reasons.length > 0);
  const last = rows[options.limit - 1];
  return { items, next: rows.length > options.limit && last ? { since: last.urgency_key, caseId: last.case_id } : null };
}

function stalledCaseOf(row: StalledRow, group: RuleGroup, now: Date): StalledCaseView {
  const tasks: NextMoveOwner[] = (row.open_tasks ?? []).map((task) => ({
    kind: 'task',
    taskId: task.taskId,
    stepId: task.stepId,
    service: task.service,
    role: task.role,
    assigneeId: task.assigneeId,
    dueAt: iso(task.dueAt),
  }));
  const referrals: NextMoveOwner[] = (row.pending_referrals ?? []).map((referral) => ({
    kind: 'referral',
    referralId: referral.referralId,
    stepId: referral.stepId,
    service: referral.toService,
    role: referral.role,
    assigneeId: null,
    dueAt: iso(referral.acceptDueAt),
  }));
  const everyone = [...tasks, ...referrals];
  const reasons: StalledReasonView[] = [];
  for (const kind of stallRuleKinds) {
    const raw = row.since[kind];
    const threshold = group.thresholds[kind];
    if (raw === null || raw === undefined || threshold === undefined) continue;
    const since = new Date(raw).toISOString();
    const days = Math.floor((now.getTime() - Date.parse(since)) / dayMs);
    switch (kind) {
      case 'overdue_task': {
        const overdue = (row.open_tasks ?? []).filter((task) => task.dueAt !== null && Date.parse(task.dueAt) < Date.parse(group.od!));
        const ids = new Set(overdue.map((task) => task.taskId));
        // The case's next deadline also counts pending referrals: a late referral alone is the referral rule's, not this one's.
        if (ids.size === 0) break;
        reasons.push({ type: kind, since, threshold, taskIds: [...ids], owners: tasks.filter((owner) => owner.kind === 'task' && ids.has(owner.taskId)) });
        break;
      }
      case 'no_progress':
        reasons.push({ type: kind, since, threshold, workingDays: countWorkingDays(new Date(since), now, group.calendar), owners: everyone });
        break;
      case 'no_contact':
        reasons.push({ type: kind, since, threshold, days, lastContactAt: row.last_contact_at ? row.last_contact_at.toISOString() : null, owners: everyone });
        break;
      case 'escalated': {
        const ids = new Set((row.open_tasks ?? []).filter((task) => task.escalationLevel >= threshold).map((task) => task.taskId));
        reasons.push({ type: kind, since, threshold, level: row.escalation_level, owners: tasks.filter((owner) => owner.kind === 'task' && ids.has(owner.taskId)) });
        break;
      }
      case 'referral_not_accepted': {
        const late = (row.pending_referrals ?? []).filter((referral) => referral.acceptDueAt !== null && Date.parse(referral.acceptDueAt) < Date.parse(group.rf!));
        const ids = new Set(late.map((referral) => referral.referralId));
        reasons.push({ type: kind, since, threshold, referralIds: [...ids], owners: referrals.filter((owner) => owner.kind === 'referral' && ids.has(owner.referralId)) });
        break;
      }
      case 'suspended_too_long':
        reasons.push({ type: kind, since, threshold, days, owners: everyone });
        break;
      case 'isee_expiring': {
        // The last valid day: the day before the instant the certificate stops being valid (since + N days).
        const lastValid = new Date(Date.parse(since) + threshold * dayMs - 1);
        const expiresOn = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit' }).format(lastValid);
        reasons.push({ type: kind, since, threshold, expiresOn, owners: everyone });
        break;
      }
    }
  }
  return { case: toCaseSummary(row), since: row.urgency.toISOString(), reasons };
}
