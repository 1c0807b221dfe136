/**
 * Writes case projection batches into the read model. Called by the workflow's projection activity
 * (at least once, in any order) and by the API for a new case's first state (which the workflow also
 * projects), so every write is guarded: rows only move forward in version and events are inserted once.
 */
import type { Queryable } from './pool';
import type { CaseEvent, CaseTask, ProjectionBatch } from '../../domain/case-state';

const upsertCase = (guard: string) => `
INSERT INTO cases (case_id, reference, pathway_key, pathway_version, area_id, status, outcome, started_at,
  updated_at, last_progress_at, closed_at, suspended_at, version, data, open_step_ids, next_deadline, escalation_level)
SELECT $1::text, $2::text, $3::text, $4::integer, $5::text, $6::text, $7::text, $8::timestamptz, $9::timestamptz,
  $10::timestamptz, $11::timestamptz, $12::timestamptz, $13::integer, $14::jsonb, $15::text[], $16::timestamptz, $17::integer
${guard}
ON CONFLICT (case_id) DO UPDATE SET
  reference = EXCLUDED.reference, pathway_key = EXCLUDED.pathway_key, pathway_version = EXCLUDED.pathway_version,
  area_id = EXCLUDED.area_id, status = EXCLUDED.status, outcome = EXCLUDED.outcome, started_at = EXCLUDED.started_at,
  updated_at = EXCLUDED.updated_at, last_progress_at = EXCLUDED.last_progress_at, closed_at = EXCLUDED.closed_at,
  suspended_at = EXCLUDED.suspended_at, version = EXCLUDED.version, data = EXCLUDED.data,
  open_step_ids = EXCLUDED.open_step_ids, next_deadline = EXCLUDED.next_deadline,
  escalation_level = EXCLUDED.escalation_level, projected_at = now()
WHERE cases.version < EXCLUDED.version`;

const upsertTasks = (guard: string) => `
INSERT INTO tasks (task_id, case_id, step_id, token_id, area_id, service, role, assignee_id, status, created_at, due_at,
  reminders, escalations, escalation_level, sign_off, completed_at, completed_by, completion_key, occurrence, version)
SELECT t.id, t."caseId", t."stepId", t."tokenId", t."areaId", t.service, t.role, t."assigneeId", t.status, t."createdAt",
  t."dueAt", coalesce(t.reminders, '[]'::jsonb), coalesce(t.escalations, '[]'::jsonb), t."escalationLevel", t."signOff",
  t."completedAt", t."completedBy", t."completionKey", t.occurrence, t.version
FROM jsonb_to_recordset($18::jsonb) AS t(id text, "caseId" text, "stepId" text, "tokenId" text, "areaId" text,
  service text, role text, "assigneeId" text, status text, "createdAt" timestamptz, "dueAt" timestamptz,
  reminders jsonb, escalations jsonb, "escalationLevel" integer, "signOff" jsonb, "completedAt" timestamptz,
  "completedBy" text, "completionKey" text, occurrence integer, version integer)
${guard}
ORDER BY t.id
ON CONFLICT (task_id) DO UPDATE SET
  case_id = EXCLUDED.case_id, step_id = EXCLUDED.step_id, token_id = EXCLUDED.token_id, area_id = EXCLUDED.area_id,
  service = EXCLUDED.service, role = EXCLUDED.role, assignee_id = EXCLUDED.assignee_id, status = EXCLUDED.status,
  created_at = EXCLUDED.created_at, due_at = EXCLUDED.due_at, reminders = EXCLUDED.reminders,
  escalations = EXCLUDED.escalations, escalation_level = EXCLUDED.escalation_level, sign_off = EXCLUDED.sign_off,
  completed_at = EXCLUDED.completed_at, completed_by = EXCLUDED.completed_by, completion_key = EXCLUDED.completion_key,
  occurrence = EXCLUDED.occurrence, version = EXCLUDED.version, projected_at = now()
WHERE tasks.version < EXCLUDED.version`;

const insertEvents = (guard: string) => `
INSERT INTO case_events (case_id, seq, type, at, actor_id, actor_kind, step_id, task_id, details)
SELECT e."caseId", e.seq, e.type, e.at, e.actor->>'id', e.actor->>'kind', e."stepId", e."taskId", coalesce(e.details, '{}'::jsonb)
FROM jsonb_to_recordset($19::jsonb) AS e("caseId" text, seq integer, type text, at timestamptz, actor jsonb,
  "stepId" text, "taskId" text, details jsonb)
${guard}
ORDER BY e.seq
ON CONFLICT (case_id, seq) DO NOTHING`;

// One statement, so one round trip and one implicit transaction: the case row, then its tasks, then
// its events (the order every writer locks rows in, so concurrent writers of one case never deadlock).
// `prelude` may put a data-modifying CTE named `recorded` first; the projection then happens only if
// that CTE wrote a row (a case start records its idempotency key and projects in one statement).
const projectionStatement = (prelude = '') => {
  const guard = prelude ? 'WHERE EXISTS (SELECT 1 FROM recorded)' : '';
  return `
WITH ${prelude ? `recorded AS (${prelude} RETURNING 1),` : ''}
projected_case AS (${upsertCase(guard)} RETURNING 1),
projected_tasks AS (${upsertTasks(guard)} RETURNING 1),
projected_events AS (${insertEvents(guard)} RETURNING 1)
SELECT ${prelude ? '(SELECT count(*) FROM recorded)' : '1'}::integer AS recorded, (SELECT count(*) FROM projected_case) AS cases`;
};
const applyBatch = projectionStatement();

/** Keeps the highest version of each id: one statement may not touch the same row twice. */
function latestById<T>(items: T[], idOf: (item: T) => string, versionOf: (item: T) => number): T[] {
  const byId = new Map<string, T>();
  for (const item of items) {
    const seen = byId.get(idOf(item));
    if (!seen || versionOf(seen) < versionOf(item)) byId.set(idOf(item), item);
  }
  // Sorted, so two concurrent writers of one case lock rows in the same order and never deadlock.
  return [...byId.values()].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
}

/**
 * Applies one projection batch in a single transaction: the case row and each task move forward only
 * if the batch is newer; events are inserted once. Safe to repeat and to apply out of order.
 */
export async function applyProjection(db: Queryable, batch: ProjectionBatch): Promise<void> {
  await db.query(applyBatch, projectionParams(batch));
}

/**
 * Runs `prelude` (an INSERT whose parameters follow the projection's 19) and, only if it inserted a
 * row, projects the batch, in one statement. Returns whether the prelude inserted.
 */
export async function projectIfInserted(db: Queryable, prelude: string, preludeParams: unknown[], batch: ProjectionBatch): Promise<boolean> {
  const { rows } = await db.query<{ recorded: number }>(projectionStatement(prelude), [...projectionParams(batch), ...preludeParams]);
  return rows[0].recorded === 1;
}

/** The projection's parameters $1..$19. */
function projectionParams(batch: ProjectionBatch): unknown[] {
  const { snapshot } = batch;
  const tasks = latestById<CaseTask>(batch.tasks, (task) => task.id, (task) => task.version);
  const events = latestById<CaseEvent>(batch.events, (event) => `${event.caseId}:${String(event.seq).padStart(12, '0')}`, () => 0);
  return [
    snapshot.caseId,
    snapshot.reference,
    snapshot.pathwayKey,
    snapshot.pathwayVersion,
    snapshot.areaId,
    snapshot.status,
    snapshot.outcome,
    snapshot.startedAt,
    snapshot.updatedAt,
    snapshot.lastProgressAt,
    snapshot.closedAt,
    snapshot.suspendedAt,
    snapshot.version,
    JSON.stringify(snapshot.data),
    snapshot.openStepIds,
    snapshot.nextDeadline,
    snapshot.escalationLevel,
    JSON.stringify(tasks),
    JSON.stringify(events),
  ];
}
