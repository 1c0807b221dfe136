/**
 * Intervention jobs (bulk reassign, bulk extend, version migration) and their items: written by the
 * API when a job is submitted, advanced item by item by the intervention activities, read back as
 * progress. Items finish once: a retried activity finds its item done and changes nothing.
 */
import type { CaseCommand, CommandRejection } from '../../domain/case-commands';
import type { Actor } from '../../domain/case-state';
import type { Role } from '../../domain/pathway-schema';
import { inTransaction, type Queryable } from './pool';
import { addScope, pageOf, SqlConditions, type ReadScope } from './sql-conditions';

export const interventionJobKinds = ['bulk_reassign', 'bulk_extend', 'migrate_cases'] as const;
export type InterventionJobKind = (typeof interventionJobKinds)[number];
export type InterventionJobStatus = 'running' | 'completed' | 'not_started';
export type InterventionItemStatus = 'pending' | 'done' | 'refused' | 'failed';

/** What an item sends: a case command, except that a migration's definition is looked up when it runs. */
export type StoredItemCommand = CaseCommand | (Omit<Extract<CaseCommand, { kind: 'migrateCase' }>, 'definition'> & { pathwayKey: string });

export interface NewInterventionItem {
  caseId: string;
  taskId: string | null;
  command: StoredItemCommand;
}

export interface InterventionItemError {
  type: CommandRejection['type'] | 'case_not_running' | 'error';
  message: string;
  issues?: CommandRejection['issues'];
}

export interface InterventionJob {
  jobId: string;
  kind: InterventionJobKind;
  status: InterventionJobStatus;
  reason: string;
  parameters: Record<string, unknown>;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
  counts: { total: number; pending: number; done: number; refused: number; failed: number };
}

export interface InterventionItem {
  index: number;
  caseId: string;
  taskId: string | null;
  status: InterventionItemStatus;
  error: InterventionItemError | null;
  finishedAt: string | null;
}

/** An item with what is needed to run it: the job's actor and kind. */
export interface RunnableItem extends InterventionItem {
  jobId: string;
  actor: Actor;
  command: StoredItemCommand;
}

/** Records a job and all its items in one transaction. */
export async function createInterventionJob(
  db: Queryable,
  job: { jobId: string; kind: InterventionJobKind; reason: string; parameters: Record<string, unknown>; actor: Actor; items: NewInterventionItem[] },
): Promise<void> {
  const actor: Actor = { id: job.actor.id, kind: job.actor.kind, roles: job.actor.roles, areas: job.actor.areas, services: job.actor.services };
  await inTransaction(db, async (client) => {
    await client.query(
      `INSERT INTO intervention_jobs (job_id, kind, reason, parameters, actor, created_by, total) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [job.jobId, job.kind, job.reason, JSON.stringify(job.parameters), JSON.stringify(actor), actor.id, job.items.length],
    );
    if (job.items.length === 0) return;
    await client.query(
      `INSERT INTO intervention_job_items (job_id, item_index, case_id, task_id, command)
       SELECT $1, i.ord - 1, i.item->>'caseId', i.item->>'taskId', i.item->'command'
       FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS i(item, ord)`,
      [job.jobId, JSON.stringify(job.items)],
    );
  });
}

interface JobRow {
  job_id: string;
  kind: InterventionJobKind;
  status: InterventionJobStatus;
  reason: string;
  parameters: Record<string, unknown>;
  created_by: string;
  created_at: Date;
  finished_at: Date | null;
  total: number;
  pending: string;
  done: string;
  refused: string;
  failed: string;
}

/** A job with its counts, if it exists and the reader may see it (its creator, or anyone when `createdBy` is null). */
export async function findInterventionJob(db: Queryable, jobId: string, createdBy: string | null): Promise<InterventionJob | null> {
  const { rows } = await db.query<JobRow>(
    `SELECT j.job_id, j.kind, j.status, j.reason, j.parameters, j.created_by, j.created_at, j.finished_at, j.total,
       count(*) FILTER (WHERE i.status = 'pending') AS pending, count(*) FILTER (WHERE i.status = 'done') AS done,
       count(*) FILTER (WHERE i.status = 'refused') AS refused, count(*) FILTER (WHERE i.status = 'failed') AS failed
     FROM intervention_jobs j LEFT JOIN intervention_job_items i ON i.job_id = j.job_id
     WHERE j.job_id = $1 AND ($2::text IS NULL OR j.created_by = $2)
     GROUP BY j.job_id`,
    [jobId, createdBy],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    jobId: row.job_id,
    kind: row.kind,
    status: row.status,
    reason: row.reason,
    parameters: row.parameters,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at ? row.finished_at.toISOString() : null,
    counts: { total: row.total, pending: Number(row.pending), done: Number(row.done), refused: Number(row.refused), failed: Number(row.failed) },
  };
}

interface ItemRow {
  item_index: number;
  case_id: string;
  task_id: string | null;
  status: InterventionItemStatus;
  error: InterventionItemError | null;
  finished_at: Date | null;
}

const toItem = (row: ItemRow): InterventionItem => ({
  index: row.item_index,
  caseId: row.case_id,
  taskId: row.task_id,
  status: row.status,
  error: row.error,
  finishedAt: row.finished_at ? row.finished_at.toISOString() : null,
});

/** One page of a job's items in order. */
export async function listInterventionItems(db: Queryable, jobId: string, page: { afterIndex: number; limit: number }): Promise<{ items: InterventionItem[]; nextAfterIndex: number | null }> {
  const { rows } = await db.query<ItemRow>(
    `SELECT item_index, case_id, task_id, status, error, finished_at FROM intervention_job_items
     WHERE job_id = $1 AND item_index > $2 ORDER BY item_index LIMIT $3`,
    [jobId, page.afterIndex, page.limit + 1],
  );
  const { items, next } = pageOf(rows, page.limit, toItem, (last) => last.index);
  return { items, nextAfterIndex: next };
}

/** The item to run, with the job's actor. */
export async function findRunnableItem(db: Queryable, jobId: string, index: number): Promise<RunnableItem | null> {
  const { rows } = await db.query<ItemRow & { actor: Actor; command: StoredItemCommand }>(
    `SELECT i.item_index, i.case_id, i.task_id, i.status, i.error, i.finished_at, i.command, j.actor
     FROM intervention_job_items i JOIN intervention_jobs j ON j.job_id = i.job_id
     WHERE i.job_id = $1 AND i.item_index = $2`,
    [jobId, index],
  );
  const row = rows[0];
  return row ? { ...toItem(row), jobId, actor: row.actor, command: row.command } : null;
}

/** Records an item's result once; a repeat leaves the first result. */
export async function finishInterventionItem(db: Queryable, jobId: string, index: number, status: Exclude<InterventionItemStatus, 'pending'>, error: InterventionItemError | null): Promise<void> {
  await db.query(
    `UPDATE intervention_job_items SET status = $3, error = $4, finished_at = now() WHERE job_id = $1 AND item_index = $2 AND status = 'pending'`,
    [jobId, index, status, error ? JSON.stringify(error) : null],
  );
}

/** Marks the job finished (every item has a result) or never started (Temporal refused the start). */
export async function finishInterventionJob(db: Queryable, jobId: string, status: 'completed' | 'not_started'): Promise<void> {
  await db.query(`UPDATE intervention_jobs SET status = $2, finished_at = now() WHERE job_id = $1 AND status = 'running'`, [jobId, status]);
}

/** Which open tasks a bulk intervention targets. */
export interface InterventionTaskFilter {
  areaId?: string;
  service?: string;
  /** A user id, or null for tasks nobody has taken. */
  assigneeId?: string | null;
  stepId?: string;
  pathwayKey?: string;
  pathwayVersion?: number;
  status?: 'open' | 'claimed';
  overdue?: boolean;
  caseId?: string;
}

/** An open task as a bulk intervention sees it: with its case's status and reference. */
export interface InterventionTask {
  taskId: string;
  caseId: string;
  caseReference: string | null;
  caseStatus: string | null;
  pathwayKey: string | null;
  pathwayVersion: number | null;
  stepId: string;
  areaId: string;
  service: string;
  role: Role;
  assigneeId: string | null;
  status: 'open' | 'claimed';
  dueAt: string | null;
}

interface InterventionTaskRow {
  task_id: string;
  case_id: string;
  reference: string | null;
  case_status: string | null;
  pathway_key: string | null;
  pathway_version: number | null;
  step_id: string;
  area_id: string;
  service: string;
  role: Role;
  assignee_id: string | null;
  status: 'open' | 'claimed';
  due_at: Date | null;
}

/** Open tasks in scope matching the filter, soonest deadline first; at most `max` + 1 rows, so the caller can tell "too many". */
export async function selectInterventionTasks(db: Queryable, scope: ReadScope, filter: InterventionTaskFilter, now: Date, max: number): Promise<InterventionTask[]> {
  const conditions = new SqlConditions();
  addScope(conditions, scope, 't', true);
  conditions.add(`t.status IN ('open', 'claimed')`);
  if (filter.status !== undefined) conditions.add(`t.status = ${conditions.param(filter.status)}`);
  if (filter.areaId !== undefined) conditions.add(`t.area_id = ${conditions.param(filter.areaId)}`);
  if (filter.service !== undefined) conditions.add(`t.service = ${conditions.param(filter.service)}`);
  if (filter.stepId !== undefined) conditions.add(`t.step_id = ${conditions.param(filter.stepId)}`);
  if (filter.caseId !== undefined) conditions.add(`t.case_id = ${conditions.param(filter.caseId)}`);
  if (filter.assigneeId === null) conditions.add('t.assignee_id IS NULL');
  else if (filter.assigneeId !== undefined) conditions.add(`t.assignee_id = ${conditions.param(filter.assigneeId)}`);
  if (filter.pathwayKey !== undefined) conditions.add(`c.pathway_key = ${conditions.param(filter.pathwayKey)}`);
  if (filter.pathwayVersion !== undefined) conditions.add(`c.pathway_version = ${conditions.param(filter.pathwayVersion)}`);
  if (filter.overdue !== undefined) {
    const overdue = `(t.due_at IS NOT NULL AND t.due_at < ${conditions.param(now)})`;
    conditions.add(filter.overdue ? overdue : `NOT ${overdue}`);
  }
  const { rows } = await db.query<InterventionTaskRow>(
    `SELECT t.task_id, t.case_id, c.reference, c.status AS case_status, c.pathway_key, c.pathway_version, t.step_id, t.area_id,
       t.service, t.role, t.assignee_id, t.status, t.due_at
     FROM tasks t LEFT JOIN cases c ON c.case_id = t.case_id ${conditions.where()}
     ORDER BY t.due_at ASC NULLS LAST, t.task_id ASC LIMIT ${conditions.param(max + 1)}`,
    conditions.params,
  );
  return rows.map((row) => ({
    taskId: row.task_id,
    caseId: row.case_id,
    caseReference: row.reference,
    caseStatus: row.case_status,
    pathwayKey: row.pathway_key,
    pathwayVersion: row.pathway_version,
    stepId: row.step_id,
    areaId: row.area_id,
    service: row.service,
    role: row.role,
    assigneeId: row.assignee_id,
    status: row.status,
    dueAt: row.due_at ? row.due_at.toISOString() : null,
  }));
}

/** A case a migration considers, as the read model has it. */
export interface MigrationCandidate {
  caseId: string;
  reference: string;
  areaId: string;
  pathwayKey: string;
  pathwayVersion: number;
  status: string;
}

/** Running (active or suspended) cases of a pathway version in scope, oldest first; at most `max` + 1. */
export async function selectMigrationCandidates(db: Queryable, scope: ReadScope, key: string, version: number, max: number): Promise<MigrationCandidate[]> {
  const conditions = new SqlConditions();
  addScope(conditions, scope, 'c', false);
  conditions.add(`c.pathway_key = ${conditions.param(key)}`);
  conditions.add(`c.pathway_version = ${conditions.param(version)}`);
  conditions.add(`c.status IN ('active', 'suspended')`);
  return selectCandidates(db, conditions, max);
}

/** The named cases in scope (others are simply absent: not found). */
export async function findMigrationCandidates(db: Queryable, scope: ReadScope, caseIds: string[]): Promise<MigrationCandidate[]> {
  const conditions = new SqlConditions();
  addScope(conditions, scope, 'c', false);
  conditions.add(`c.case_id = ANY(${conditions.param(caseIds)}::text[])`);
  return selectCandidates(db, conditions, caseIds.length);
}

async function selectCandidates(db: Queryable, conditions: SqlConditions, max: number): Promise<MigrationCandidate[]> {
  const { rows } = await db.query<{ case_id: string; reference: string; area_id: string; pathway_key: string; pathway_version: number; status: string }>(
    `SELECT c.case_id, c.reference, c.area_id, c.pathway_key, c.pathway_version, c.status FROM cases c ${conditions.where()}
     ORDER BY c.started_at ASC, c.case_id ASC LIMIT ${conditions.param(max + 1)}`,
    conditions.params,
  );
  return rows.map((row) => ({
    caseId: row.case_id,
    reference: row.reference,
    areaId: row.area_id,
    pathwayKey: row.pathway_key,
    pathwayVersion: row.pathway_version,
    status: row.status,
  }));
}
