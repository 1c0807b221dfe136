/**
 * The read side of cases: lists, details and timelines, always filtered by
 * the reader's scope so that an object outside it looks exactly like one that does not exist.
 */
import type { CaseData, CaseSnapshot, CaseStatus, PlanSignOff, ProjectionBatch, TaskStatus } from '../../domain/case-state';
import { openJson, personKeysOf } from '../codec/personal-data';
import type { Queryable } from './pool';
import { addScope, pageOf, SqlConditions, type ReadScope } from './sql-conditions';
import { byDueDate, selectTaskViews, taskViewOf, type TaskView } from './task-repository';

/** A case as lists show it: the read-model row without the collected data. */
export type CaseSummary = Omit<CaseSnapshot, 'data'>;

export interface CaseDetail extends CaseSummary {
  data: CaseData;
  openTasks: TaskView[];
  /** The pseudonymous person the case is about (null for cases from before persons existed). */
  personId?: string | null;
}

export interface CaseEventView {
  seq: number;
  type: string;
  at: string;
  actor: { id: string; kind: string };
  stepId: string | null;
  taskId: string | null;
  details: Record<string, unknown>;
}

export interface CaseListFilters {
  areaId?: string;
  pathwayKey?: string;
  status?: CaseStatus;
  stepId?: string;
  escalated?: boolean;
  overdue?: boolean;
}

/** Keyset position in the case list, ordered by start time (newest first) then id. */
export interface CaseListPosition {
  startedAt: string;
  caseId: string;
}

export interface CaseRow {
  case_id: string;
  reference: string;
  pathway_key: string;
  pathway_version: number;
  area_id: string;
  status: CaseStatus;
  outcome: string | null;
  started_at: Date;
  updated_at: Date;
  last_progress_at: Date;
  closed_at: Date | null;
  suspended_at: Date | null;
  open_step_ids: string[];
  next_deadline: Date | null;
  escalation_level: number;
  version: number;
  last_contact_at: Date | null;
  target_group: string | null;
  plan_signed_at: Date | null;
  plan_sign_off: PlanSignOff | null;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export const caseColumns = `c.case_id, c.reference, c.pathway_key, c.pathway_version, c.area_id, c.status, c.outcome,
  c.started_at, c.updated_at, c.last_progress_at, c.closed_at, c.suspended_at, c.open_step_ids, c.next_deadline,
  c.escalation_level, c.version, c.last_contact_at, c.target_group, c.plan_signed_at, c.plan_sign_off`;

/** Maps a case row (selected with `caseColumns`) to its summary. */
export function toCaseSummary(row: CaseRow): CaseSummary {
  return {
    caseId: row.case_id,
    reference: row.reference,
    pathwayKey: row.pathway_key,
    pathwayVersion: row.pathway_version,
    areaId: row.area_id,
    status: row.status,
    outcome: row.outcome,
    startedAt: row.started_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    lastProgressAt: row.last_progress_at.toISOString(),
    closedAt: iso(row.closed_at),
    suspendedAt: iso(row.suspended_at),
    openStepIds: row.open_step_ids,
    nextDeadline: iso(row.next_deadline),
    escalationLevel: row.escalation_level,
    version: row.version,
    lastContactAt: iso(row.last_contact_at),
    targetGroup: row.target_group,
    planSignedAt: iso(row.plan_signed_at),
    planSignOff: row.plan_sign_off,
  };
}

const openStatuses: TaskStatus[] = ['open', 'claimed'];

/** One page of cases in scope matching the filters, newest first; `next` positions the following page. */
export async function listCases(
  db: Queryable,
  scope: ReadScope,
  filters: CaseListFilters,
  page: { limit: number; after?: CaseListPosition },
  now: Date,
): Promise<{ items: CaseSummary[]; next: CaseListPosition | null }> {
  const conditions = new SqlConditions();
  addScope(conditions, scope, 'c', false);
  if (filters.areaId !== undefined) conditions.add(`c.area_id = ${conditions.param(filters.areaId)}`);
  if (filters.pathwayKey !== undefined) conditions.add(`c.pathway_key = ${conditions.param(filters.pathwayKey)}`);
  if (filters.status !== undefined) conditions.add(`c.status = ${conditions.param(filters.status)}`);
  if (filters.stepId !== undefined) conditions.add(`${conditions.param(filters.stepId)} = ANY(c.open_step_ids)`);
  if (filters.escalated !== undefined) conditions.add(filters.escalated ? 'c.escalation_level >= 1' : 'c.escalation_level = 0');
  if (filters.overdue !== undefined) {
    const overdueTask = `EXISTS (SELECT 1 FROM tasks t WHERE t.case_id = c.case_id AND t.status = ANY(${conditions.param(openStatuses)}::text[])
      AND t.due_at < ${conditions.param(now)})`;
    conditions.add(filters.overdue ? overdueTask : `NOT ${overdueTask}`);
  }
  if (page.after) {
    conditions.add(`(c.started_at, c.case_id) < (${conditions.param(page.after.startedAt)}::timestamptz, ${conditions.param(page.after.caseId)})`);
  }
  const { rows } = await db.query<CaseRow>(
    `SELECT ${caseColumns} FROM cases c ${conditions.where()}
     ORDER BY c.started_at DESC, c.case_id DESC LIMIT ${conditions.param(page.limit + 1)}`,
    conditions.params,
  );
  return pageOf(rows, page.limit, toCaseSummary, (last) => ({ startedAt: last.startedAt, caseId: last.caseId }));
}

/** The case summary if it exists and is in scope; null otherwise. */
export async function findCase(db: Queryable, scope: ReadScope, caseId: string): Promise<CaseSummary | null> {
  const conditions = new SqlConditions();
  conditions.add(`c.case_id = ${conditions.param(caseId)}`);
  addScope(conditions, scope, 'c', false);
  const { rows } = await db.query<CaseRow>(`SELECT ${caseColumns} FROM cases c ${conditions.where()}`, conditions.params);
  return rows[0] ? toCaseSummary(rows[0]) : null;
}

/**
 * The detail of a case just started, from its first projection batch rather than a read of what
 * was just written: the same shape and the same scope rules as `findCaseDetail`.
 */
export function caseDetailOfNewCase(batch: ProjectionBatch, scope: ReadScope, now: Date, personId: string | null = null): CaseDetail | null {
  const { snapshot } = batch;
  if (scope.areas !== null && !scope.areas.includes(snapshot.areaId)) return null;
  const { data, ...summary } = snapshot;
  const openTasks = batch.tasks
    .filter((task) => (task.status === 'open' || task.status === 'claimed') && (scope.services === null || scope.services.includes(task.service)))
    .map((task) => taskViewOf(task, snapshot, now))
    .sort(byDueDate);
  return { ...summary, data, openTasks, personId };
}

/** The case with its collected data and the open tasks the reader may see; null if absent or out of scope. */
export async function findCaseDetail(db: Queryable, scope: ReadScope, caseId: string, now: Date): Promise<CaseDetail | null> {
  const conditions = new SqlConditions();
  conditions.add(`c.case_id = ${conditions.param(caseId)}`);
  addScope(conditions, scope, 'c', false);
  // Both reads at once: the tasks query applies the same scope, so it returns nothing for a case out of scope.
  const [{ rows }, openTasks] = await Promise.all([
    db.query<CaseRow & { data: CaseData; person_id: string | null }>(`SELECT ${caseColumns}, c.data, c.person_id FROM cases c ${conditions.where()}`, conditions.params),
    selectTaskViews(db, scope, { caseId, statuses: openStatuses }, { limit: 500 }, now),
  ]);
  const row = rows[0];
  if (!row) return null;
  // Sealed with the person's key; an erased person's case reads as holding no data.
  const data = (await openJson(personKeysOf(db), row.data)) ?? {};
  return { ...toCaseSummary(row), data, openTasks: openTasks.items, personId: row.person_id };
}

/** Events of a case after a sequence number, oldest first. The caller has checked the case is in scope. */
export async function listCaseEvents(
  db: Queryable,
  caseId: string,
  page: { limit: number; afterSeq: number },
): Promise<{ items: CaseEventView[]; nextAfterSeq: number | null }> {
  const { rows } = await db.query<{
    seq: number;
    type: string;
    at: Date;
    actor_id: string;
    actor_kind: string;
    step_id: string | null;
    task_id: string | null;
    details: Record<string, unknown>;
  }>(
    `SELECT seq, type, at, actor_id, actor_kind, step_id, task_id, details FROM case_events
     WHERE case_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [caseId, page.afterSeq, page.limit + 1],
  );
  const { items, next } = pageOf(
    rows,
    page.limit,
    (row) => ({
      seq: row.seq,
      type: row.type,
      at: row.at.toISOString(),
      actor: { id: row.actor_id, kind: row.actor_kind },
      stepId: row.step_id,
      taskId: row.task_id,
      details: row.details,
    }),
    (last) => last.seq,
  );
  const keys = personKeysOf(db);
  for (const item of items) item.details = (await openJson(keys, item.details)) ?? {};
  return { items, nextAfterSeq: next };
}
