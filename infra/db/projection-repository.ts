/**
 * Writes case projection batches into the read model. Called by the workflow's projection activity
 * (at least once, in any order) and by the API for a new case's first state (which the workflow also
 * projects), so every write is guarded: rows only move forward in version and events are inserted once.
 */
import { auditInsert, auditParams, type AuditEntry } from './audit-repository';
import { prepared, type Queryable } from './pool';
import type { CaseEvent, CaseReferral, CaseTask, ProjectionBatch } from '../../domain/case-state';
import { personKeysOf, sealDetails, sealJson } from '../codec/personal-data';

/** Placeholder of the i-th supervision parameter: they follow the 19 core parameters and any prelude's. */
type ExtraParam = (i: number) => string;

// person_id is written once, by the case start (its prelude row names the person), and never updated.
const upsertCase = (guard: string, x: ExtraParam, personId = 'NULL::text') => `
INSERT INTO cases (case_id, reference, pathway_key, pathway_version, area_id, status, outcome, started_at,
  updated_at, last_progress_at, closed_at, suspended_at, version, data, open_step_ids, next_deadline, escalation_level,
  last_contact_at, target_group, plan_signed_at, plan_sign_off, person_id)
SELECT $1::text, $2::text, $3::text, $4::integer, $5::text, $6::text, $7::text, $8::timestamptz, $9::timestamptz,
  $10::timestamptz, $11::timestamptz, $12::timestamptz, $13::integer, $14::jsonb, $15::text[], $16::timestamptz, $17::integer,
  ${x(0)}::timestamptz, ${x(1)}::text, ${x(2)}::timestamptz, ${x(3)}::jsonb, ${personId}
${guard}
ON CONFLICT (case_id) DO UPDATE SET
  reference = EXCLUDED.reference, pathway_key = EXCLUDED.pathway_key, pathway_version = EXCLUDED.pathway_version,
  area_id = EXCLUDED.area_id, status = EXCLUDED.status, outcome = EXCLUDED.outcome, started_at = EXCLUDED.started_at,
  updated_at = EXCLUDED.updated_at, last_progress_at = EXCLUDED.last_progress_at, closed_at = EXCLUDED.closed_at,
  suspended_at = EXCLUDED.suspended_at, version = EXCLUDED.version, data = EXCLUDED.data,
  open_step_ids = EXCLUDED.open_step_ids, next_deadline = EXCLUDED.next_deadline,
  escalation_level = EXCLUDED.escalation_level, last_contact_at = EXCLUDED.last_contact_at,
  target_group = EXCLUDED.target_group, plan_signed_at = EXCLUDED.plan_signed_at, plan_sign_off = EXCLUDED.plan_sign_off,
  projected_at = now()
WHERE cases.version < EXCLUDED.version`;

const upsertTasks = (guard: string) => `
INSERT INTO tasks (task_id, case_id, step_id, token_id, area_id, service, role, assignee_id, status, created_at, due_at,
  reminders, escalations, escalation_level, sign_off, completed_at, completed_by, completion_key, occurrence, version,
  deadline_clock)
SELECT t.id, t."caseId", t."stepId", t."tokenId", t."areaId", t.service, t.role, t."assigneeId", t.status, t."createdAt",
  t."dueAt", coalesce(t.reminders, '[]'::jsonb), coalesce(t.escalations, '[]'::jsonb), t."escalationLevel", t."signOff",
  t."completedAt", t."completedBy", t."completionKey", t.occurrence, t.version, t."deadlineClock"
FROM jsonb_to_recordset($18::jsonb) AS t(id text, "caseId" text, "stepId" text, "tokenId" text, "areaId" text,
  service text, role text, "assigneeId" text, status text, "createdAt" timestamptz, "dueAt" timestamptz,
  reminders jsonb, escalations jsonb, "escalationLevel" integer, "signOff" jsonb, "completedAt" timestamptz,
  "completedBy" text, "completionKey" text, occurrence integer, version integer, "deadlineClock" jsonb)
${guard}
ORDER BY t.id
ON CONFLICT (task_id) DO UPDATE SET
  case_id = EXCLUDED.case_id, step_id = EXCLUDED.step_id, token_id = EXCLUDED.token_id, area_id = EXCLUDED.area_id,
  service = EXCLUDED.service, role = EXCLUDED.role, assignee_id = EXCLUDED.assignee_id, status = EXCLUDED.status,
  created_at = EXCLUDED.created_at, due_at = EXCLUDED.due_at, reminders = EXCLUDED.reminders,
  escalations = EXCLUDED.escalations, escalation_level = EXCLUDED.escalation_level, sign_off = EXCLUDED.sign_off,
  completed_at = EXCLUDED.completed_at, completed_by = EXCLUDED.completed_by, completion_key = EXCLUDED.completion_key,
  occurrence = EXCLUDED.occurrence, version = EXCLUDED.version, deadline_clock = EXCLUDED.deadline_clock, projected_at = now()
WHERE tasks.version < EXCLUDED.version`;

const upsertReferrals = (guard: string, x: ExtraParam) => `
INSERT INTO referrals (referral_id, case_id, step_id, area_id, from_service, to_service, role, status, created_at,
  accept_due_at, reminders, escalations, escalation_level, responded_at, responded_by, reason_code, outcome, outcome_at,
  outcome_by, version)
SELECT r.id, r."caseId", r."stepId", r."areaId", r."fromService", r."toService", r.role, r.status, r."createdAt",
  r."acceptDueAt", coalesce(r.reminders, '[]'::jsonb), coalesce(r.escalations, '[]'::jsonb), r."escalationLevel",
  r."respondedAt", r."respondedBy", r."reasonCode", r.outcome, r."outcomeAt", r."outcomeBy", r.version
FROM jsonb_to_recordset(${x(4)}::jsonb) AS r(id text, "caseId" text, "stepId" text, "areaId" text, "fromService" text,
  "toService" text, role text, status text, "createdAt" timestamptz, "acceptDueAt" timestamptz, reminders jsonb,
  escalations jsonb, "escalationLevel" integer, "respondedAt" timestamptz, "respondedBy" text, "reasonCode" text,
  outcome text, "outcomeAt" timestamptz, "outcomeBy" text, version integer)
${guard}
ORDER BY r.id
ON CONFLICT (referral_id) DO UPDATE SET
  step_id = EXCLUDED.step_id, area_id = EXCLUDED.area_id, role = EXCLUDED.role, status = EXCLUDED.status, accept_due_at = EXCLUDED.accept_due_at,
  reminders = EXCLUDED.reminders, escalations = EXCLUDED.escalations, escalation_level = EXCLUDED.escalation_level,
  responded_at = EXCLUDED.responded_at, responded_by = EXCLUDED.responded_by, reason_code = EXCLUDED.reason_code,
  outcome = EXCLUDED.outcome, outcome_at = EXCLUDED.outcome_at, outcome_by = EXCLUDED.outcome_by,
  version = EXCLUDED.version, projected_at = now()
WHERE referrals.version < EXCLUDED.version`;

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
// `alongside` adds CTEs after `recorded` that may select from it (a new person's rows).
// `finishesIntent` removes the command intent named by the parameter after the supervision ones, so
// a command's result and the end of its intent commit together; `audited` also writes the request's
// audit row (infra/db/audit-repository.ts) from the parameters after those (after the intent's, when
// there is one), and after a prelude only if the prelude wrote its row.
interface ProjectionShape {
  prelude?: string;
  preludeParamCount?: number;
  alongside?: string;
  finishesIntent?: boolean;
  audited?: boolean;
}
const supervisionParamCount = 5;
const projectionStatement = ({ prelude = '', preludeParamCount = 0, alongside = '', finishesIntent = false, audited = false }: ProjectionShape = {}) => {
  const recordedRow = 'EXISTS (SELECT 1 FROM recorded)';
  const guard = prelude ? `WHERE ${recordedRow}` : '';
  const x: ExtraParam = (i) => `$${20 + preludeParamCount + i}`;
  const intentParam = supervisionParamCount;
  const firstAuditParam = finishesIntent ? intentParam + 1 : supervisionParamCount;
  return `
WITH ${prelude ? `recorded AS (${prelude} RETURNING person_id),` : ''}${alongside ? `\n${alongside},` : ''}${
    finishesIntent ? `\nfinished_intent AS (DELETE FROM case_command_intents WHERE update_id = ${x(intentParam)}),` : ''
  }${audited ? `\nrecorded_access AS (${auditInsert((i) => x(firstAuditParam + i), prelude ? recordedRow : undefined)}),` : ''}
projected_case AS (${upsertCase(guard, x, prelude ? '(SELECT person_id FROM recorded)' : undefined)} RETURNING 1),
projected_tasks AS (${upsertTasks(guard)} RETURNING 1),
projected_referrals AS (${upsertReferrals(guard, x)} RETURNING 1),
projected_events AS (${insertEvents(guard)} RETURNING 1)
SELECT ${prelude ? '(SELECT count(*) FROM recorded)' : '1'}::integer AS recorded, (SELECT count(*) FROM projected_case) AS cases`;
};
const applyBatch = projectionStatement();
const applyCommandBatch = projectionStatement({ finishesIntent: true });
const applyAuditedCommandBatch = projectionStatement({ finishesIntent: true, audited: true });

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
 * if the batch is newer; events are inserted once. Safe to repeat and to apply out of order. With
 * `endsIntent`, a command's update id, the same statement removes that command's intent, and with
 * `audit` also records the request that sent the command: the change, the end of its intent and the
 * record of who made it commit together.
 */
export async function applyProjection(db: Queryable, batch: ProjectionBatch, endsIntent?: string, audit?: AuditEntry): Promise<void> {
  const values = [...(await projectionParams(db, batch)), ...supervisionParams(batch)];
  // Prepared, so each connection parses and plans this long statement once rather than on every call.
  // A command's result also ends the command's intent (infra/db/command-intent-repository.ts) in the
  // same statement: once it commits, nothing is left to reconcile.
  if (endsIntent === undefined) await db.query(prepared(applyBatch, values));
  else if (audit === undefined) await db.query(prepared(applyCommandBatch, [...values, endsIntent]));
  else await db.query(prepared(applyAuditedCommandBatch, [...values, endsIntent, ...auditParams(audit)]));
}

/**
 * Runs `prelude` (an INSERT, into a table with a `person_id` column, whose parameters follow the
 * projection's 19) and, only if it inserted a row, projects the batch for that person and writes
 * `audit` (the request's audit row), in one statement (prepared, like the projection), with any
 * `alongside` CTEs (which may select from `recorded`). Returns whether the prelude inserted.
 */
export async function projectIfInserted(
  db: Queryable,
  prelude: { text: string; params: unknown[]; alongside?: string },
  batch: ProjectionBatch,
  personId: string | null,
  audit?: AuditEntry,
): Promise<boolean> {
  const statement = projectionStatement({ prelude: prelude.text, preludeParamCount: prelude.params.length, alongside: prelude.alongside, audited: audit !== undefined });
  const { rows } = await db.query<{ recorded: number }>(
    prepared(statement, [...(await projectionParams(db, batch, personId)), ...prelude.params, ...supervisionParams(batch), ...(audit ? auditParams(audit) : [])]),
  );
  return rows[0].recorded === 1;
}

/**
 * The projection's parameters $1..$19. The personal columns (collected data, event details) are
 * sealed with the person's data key (infra/codec/personal-data.ts); a case without a person uses the
 * master key, and nothing can be written any more for an erased person.
 */
async function projectionParams(db: Queryable, batch: ProjectionBatch, personId: string | null = null): Promise<unknown[]> {
  const { snapshot } = batch;
  const keys = personKeysOf(db);
  const key = personId === null ? await keys.keyForCase(snapshot.caseId) : await keys.keyOfPerson(personId);
  const tasks = latestById<CaseTask>(batch.tasks, (task) => task.id, (task) => task.version);
  const events = latestById<CaseEvent>(batch.events, (event) => `${event.caseId}:${String(event.seq).padStart(12, '0')}`, () => 0).map((event) => ({
    ...event,
    details: sealDetails(key, event.details),
  }));
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
    JSON.stringify(sealJson(key, snapshot.data)),
    snapshot.openStepIds,
    snapshot.nextDeadline,
    snapshot.escalationLevel,
    JSON.stringify(tasks),
    JSON.stringify(events),
  ];
}

/** The supervision parameters (`supervisionParamCount` of them), placed after the prelude's so a prelude keeps numbering its own from $20. */
function supervisionParams(batch: ProjectionBatch): unknown[] {
  const { snapshot } = batch;
  const referrals = latestById<CaseReferral>(batch.referrals ?? [], (referral) => referral.id, (referral) => referral.version);
  return [
    // Batches made before these facts existed carry none: null, as the columns start.
    snapshot.lastContactAt ?? null,
    snapshot.targetGroup ?? null,
    snapshot.planSignedAt ?? null,
    snapshot.planSignOff ? JSON.stringify(snapshot.planSignOff) : null,
    JSON.stringify(referrals),
  ];
}
