/**
 * The read side of tasks: the inbox (by area, service, assignee, status, deadline) and single tasks
 * with the form of their step, filtered by the reader's scope (areas and services).
 */
import type { Role, TaskStep } from '../../domain/pathway-schema';
import type { CaseSnapshot, CaseTask, DeadlineClock, TaskEscalation, TaskReminder, TaskSignature, TaskStatus } from '../../domain/case-state';
import type { PathwayDefinition } from '../../domain/pathway-schema';
import { shortAliasesOf } from './person-registry-repository';
import { addDeadlineKeyset, addScope, pageOf, SqlConditions, type ReadScope } from './sql-conditions';
import { intentInsert } from './command-intent-repository';
import { prepared, type Queryable } from './pool';

/** A task as inboxes show it: the workflow's task plus its case's reference and pathway, and whether it is overdue. */
export interface TaskView
  extends Pick<
    CaseTask,
    | 'caseId'
    | 'stepId'
    | 'areaId'
    | 'service'
    | 'role'
    | 'assigneeId'
    | 'status'
    | 'createdAt'
    | 'dueAt'
    | 'escalationLevel'
    | 'reminders'
    | 'escalations'
    | 'completedAt'
    | 'completedBy'
    | 'occurrence'
    | 'version'
  > {
  taskId: string;
  caseReference: string | null;
  pathwayKey: string | null;
  pathwayVersion: number | null;
  overdue: boolean;
  /** A joint task's signatures, and the services that have still to sign. */
  signOff: SignOffView | null;
  /** The short alias of the case's person (person registry), so identical rows can be told apart; read lists only. */
  personAlias?: string | null;
  /** The kind of the deadline's clock (statutory with its legal basis, or internal); null without a deadline. */
  deadlineClock: DeadlineClock | null;
}

/** The sign-off of a joint task as views show it: who must sign, who signed (and when), who is missing. */
export interface SignOffView {
  services: string[];
  signed: TaskSignature[];
  missing: string[];
}

/** A deadline's clock as views show it: a deadline whose step states no kind is internal (suspension moves it), as deadlines always were. */
export function deadlineClockView(dueAt: unknown, clock: DeadlineClock | null | undefined): DeadlineClock | null {
  if (dueAt === null) return null;
  return clock ?? { kind: 'internal', legalBasis: null };
}

/** Adds the services still missing to a joint task's sign-off. */
export function signOffView(signOff: CaseTask['signOff']): SignOffView | null {
  if (!signOff) return null;
  const signed = new Set(signOff.signed.map((s) => s.service));
  return { services: signOff.services, signed: signOff.signed, missing: signOff.services.filter((service) => !signed.has(service)) };
}

/** A task with what a UI needs to render its step: title, description and form, from the pinned version. */
export interface TaskDetail extends TaskView {
  step: Pick<TaskStep, 'title' | 'description' | 'form'> | null;
  /** Only used server-side to recognise a repeated completion; never serialised. */
  completionKey: string | null;
}

/** Whose tasks: mine, nobody's, or a named user's. */
export type AssigneeFilter = { kind: 'user'; id: string } | { kind: 'unassigned' } | { kind: 'userOrUnassigned'; id: string };

export interface TaskListFilters {
  areaId?: string;
  service?: string;
  assignee?: AssigneeFilter;
  statuses?: TaskStatus[];
  overdue?: boolean;
  stepId?: string;
  caseId?: string;
}

/** Keyset position in the inbox, ordered by due date (undated last) then id. */
export interface TaskListPosition {
  dueAt: string | null;
  taskId: string;
}

interface TaskRow {
  task_id: string;
  case_id: string;
  reference: string | null;
  pathway_key: string | null;
  pathway_version: number | null;
  step_id: string;
  area_id: string;
  service: string;
  role: Role;
  assignee_id: string | null;
  status: TaskStatus;
  created_at: Date;
  due_at: Date | null;
  escalation_level: number;
  reminders: TaskReminder[];
  escalations: TaskEscalation[];
  sign_off: { services: string[]; signed: TaskSignature[] } | null;
  completed_at: Date | null;
  completed_by: string | null;
  completion_key: string | null;
  occurrence: number | null;
  version: number;
  deadline_clock: DeadlineClock | null;
  person_id: string | null;
}

const taskColumns = `t.task_id, t.case_id, c.reference, c.pathway_key, c.pathway_version, t.step_id, t.area_id, t.service,
  t.role, t.assignee_id, t.status, t.created_at, t.due_at, t.escalation_level, t.reminders, t.escalations, t.sign_off,
  t.completed_at, t.completed_by, t.completion_key, t.occurrence, t.version, t.deadline_clock, c.person_id`;

/** Adds each task's person alias (opened under the person's key; null when none was recorded or the person was erased). */
async function withPersonAliases<T extends TaskView>(db: Queryable, rows: Array<{ person_id: string | null }>, views: T[]): Promise<T[]> {
  const aliases = await shortAliasesOf(db, rows.flatMap((row) => (row.person_id ? [row.person_id] : [])));
  return views.map((view, index) => {
    const personId = rows[index].person_id;
    return { ...view, personAlias: personId ? (aliases.get(personId) ?? null) : null };
  });
}

function toTaskView(row: TaskRow, now: Date): TaskView {
  const live = row.status === 'open' || row.status === 'claimed';
  return {
    taskId: row.task_id,
    caseId: row.case_id,
    caseReference: row.reference,
    pathwayKey: row.pathway_key,
    pathwayVersion: row.pathway_version,
    stepId: row.step_id,
    areaId: row.area_id,
    service: row.service,
    role: row.role,
    assigneeId: row.assignee_id,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    dueAt: row.due_at ? row.due_at.toISOString() : null,
    overdue: live && row.due_at !== null && row.due_at.getTime() < now.getTime(),
    escalationLevel: row.escalation_level,
    reminders: row.reminders,
    escalations: row.escalations,
    signOff: signOffView(row.sign_off),
    deadlineClock: deadlineClockView(row.due_at, row.deadline_clock),
    completedAt: row.completed_at ? row.completed_at.toISOString() : null,
    completedBy: row.completed_by,
    occurrence: row.occurrence,
    version: row.version,
  };
}

/** A task of the workflow as inboxes show it, with its case's reference and pathway. */
export function taskViewOf(task: CaseTask, of: Pick<CaseSnapshot, 'reference' | 'pathwayKey' | 'pathwayVersion'>, now: Date): TaskView {
  const live = task.status === 'open' || task.status === 'claimed';
  return {
    taskId: task.id,
    caseId: task.caseId,
    caseReference: of.reference,
    pathwayKey: of.pathwayKey,
    pathwayVersion: of.pathwayVersion,
    stepId: task.stepId,
    areaId: task.areaId,
    service: task.service,
    role: task.role,
    assigneeId: task.assigneeId,
    status: task.status,
    createdAt: task.createdAt,
    dueAt: task.dueAt,
    overdue: live && task.dueAt !== null && Date.parse(task.dueAt) < now.getTime(),
    escalationLevel: task.escalationLevel,
    reminders: task.reminders,
    escalations: task.escalations,
    signOff: signOffView(task.signOff),
    deadlineClock: deadlineClockView(task.dueAt, task.deadlineClock),
    completedAt: task.completedAt,
    completedBy: task.completedBy,
    occurrence: task.occurrence,
    version: task.version,
  };
}

/** Inbox order: soonest deadline first, undated last, then by id (as the inbox query sorts). */
export function byDueDate(a: TaskView, b: TaskView): number {
  if (a.dueAt !== b.dueAt) {
    if (a.dueAt === null) return 1;
    if (b.dueAt === null) return -1;
    return Date.parse(a.dueAt) - Date.parse(b.dueAt);
  }
  return a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0;
}

/** One page of tasks in scope matching the filters, soonest deadline first. */
export async function selectTaskViews(
  db: Queryable,
  scope: ReadScope,
  filters: TaskListFilters,
  page: { limit: number; after?: TaskListPosition },
  now: Date,
  options: { personAliases?: boolean } = {},
): Promise<{ items: TaskView[]; next: TaskListPosition | null }> {
  const conditions = new SqlConditions();
  addScope(conditions, scope, 't', true);
  if (filters.caseId !== undefined) conditions.add(`t.case_id = ${conditions.param(filters.caseId)}`);
  if (filters.areaId !== undefined) conditions.add(`t.area_id = ${conditions.param(filters.areaId)}`);
  if (filters.service !== undefined) conditions.add(`t.service = ${conditions.param(filters.service)}`);
  if (filters.stepId !== undefined) conditions.add(`t.step_id = ${conditions.param(filters.stepId)}`);
  if (filters.statuses !== undefined) conditions.add(`t.status = ANY(${conditions.param(filters.statuses)}::text[])`);
  if (filters.assignee?.kind === 'unassigned') conditions.add('t.assignee_id IS NULL');
  if (filters.assignee?.kind === 'user') conditions.add(`t.assignee_id = ${conditions.param(filters.assignee.id)}`);
  if (filters.assignee?.kind === 'userOrUnassigned') conditions.add(`(t.assignee_id IS NULL OR t.assignee_id = ${conditions.param(filters.assignee.id)})`);
  if (filters.overdue !== undefined) {
    const overdue = `(t.status IN ('open', 'claimed') AND t.due_at < ${conditions.param(now)})`;
    conditions.add(filters.overdue ? overdue : `NOT ${overdue}`);
  }
  if (page.after) addDeadlineKeyset(conditions, { due: 't.due_at', id: 't.task_id' }, { dueAt: page.after.dueAt, id: page.after.taskId });
  const { rows } = await db.query<TaskRow>(
    prepared(
      `SELECT ${taskColumns} FROM tasks t LEFT JOIN cases c ON c.case_id = t.case_id ${conditions.where()}
     ORDER BY t.due_at ASC NULLS LAST, t.task_id ASC LIMIT ${conditions.param(page.limit + 1)}`,
      conditions.params,
    ),
  );
  const result = pageOf(rows, page.limit, (row) => toTaskView(row, now), (last) => ({ dueAt: last.dueAt, taskId: last.taskId }));
  // Aliases are personal data (opened under each person's key): only for readers who may see people.
  return { items: options.personAliases ? await withPersonAliases(db, rows, result.items) : result.items, next: result.next };
}

type FoundTaskRow = TaskRow & { step: PathwayDefinition['steps'][string] | null; case_version: number | null };

/**
 * Reads one task in scope with its step (only the task's own step, not the whole definition: a task
 * page and every command parse a few hundred bytes instead of the pathway document), and with
 * `intent` records a command's intent in the same statement (see findTaskRecordingIntent).
 */
async function readTask(db: Queryable, scope: ReadScope, taskId: string, intent?: { updateId: string; caseId: string }): Promise<FoundTaskRow | undefined> {
  const conditions = new SqlConditions();
  conditions.add(`t.task_id = ${conditions.param(taskId)}`);
  addScope(conditions, scope, 't', true);
  const found = `SELECT ${taskColumns}, v.definition -> 'steps' -> t.step_id AS step, c.version AS case_version FROM tasks t
     LEFT JOIN cases c ON c.case_id = t.case_id
     LEFT JOIN pathway_versions v ON v.key = c.pathway_key AND v.version = c.pathway_version
     ${conditions.where()}`;
  const text = intent
    ? `WITH found AS (${found}),
       recorded AS (${intentInsert(conditions.param(intent.updateId), `SELECT case_id FROM found WHERE case_id = ${conditions.param(intent.caseId)}`)})
       SELECT * FROM found`
    : found;
  const { rows } = await db.query<FoundTaskRow>(prepared(text, conditions.params));
  return rows[0];
}

function taskDetailOf(row: FoundTaskRow, now: Date): TaskDetail {
  const { step } = row;
  // No person alias here (read lists only): every task command reads its task through this.
  return {
    ...toTaskView(row, now),
    step: step && step.kind === 'task' ? { title: step.title, description: step.description, form: step.form } : null,
    completionKey: row.completion_key,
  };
}

/** The task with its step's form if it exists and is in scope; null otherwise. */
export async function findTask(db: Queryable, scope: ReadScope, taskId: string, now: Date): Promise<TaskDetail | null> {
  const row = await readTask(db, scope, taskId);
  return row ? taskDetailOf(row, now) : null;
}

/**
 * findTask for a command on the task: in the same statement (one round trip less per command) it
 * records the command's intent (infra/db/command-intent-repository.ts) when the task is in scope and
 * belongs to `intent.caseId`. `confirmedSeq` (the case's read-model version, as recordCommandIntent
 * returns it) is set when the intent was recorded; the caller must forget the intent if it then
 * refuses the command without sending it.
 */
export async function findTaskRecordingIntent(
  db: Queryable,
  scope: ReadScope,
  taskId: string,
  now: Date,
  intent: { updateId: string; caseId: string },
): Promise<{ task: TaskDetail; confirmedSeq: number | undefined } | null> {
  const row = await readTask(db, scope, taskId, intent);
  if (!row) return null;
  return { task: taskDetailOf(row, now), confirmedSeq: row.case_id === intent.caseId ? (row.case_version ?? 0) : undefined };
}
