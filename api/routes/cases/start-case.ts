/**
 * Starting a case, idempotently. The first request with a key records (actor, key, body hash, case
 * id, reference, start time, workflow input); that record is the outbox from which the workflow is
 * started right after, or later by any API instance's sweep or by the first command on the case
 * (see plugins/case-workflows.ts). The case's first projection, computed by the same pure engine
 * the workflow runs, is written before the answer, so a 201 means the case is durably recorded and
 * visible at once, and a crash at any point never leaves a recorded case without its workflow.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createCase } from '../../../domain/case-engine';
import type { CaseWorkflowInput } from '../../../domain/case-messages';
import type { FieldValue, ProjectionBatch } from '../../../domain/case-state';
import { validateFormData } from '../../../domain/form-validation';
import type { PathwayDefinition } from '../../../domain/pathway-schema';
import { personKeysOf } from '../../../infra/codec/personal-data';
import type { AuditEntry } from '../../../infra/db/audit-repository';
import { findArea, type AreaRecord } from '../../../infra/db/directory-repository';
import { listCasesOfPerson } from '../../../infra/db/person-repository';
import { findCaseStartRequest, recordCaseStart, storedWorkflowInput, type CaseStartRequest } from '../../../infra/db/idempotency-repository';
import { findCurrentVersion, findVersion, pathwayExists, type PathwayVersionRecord } from '../../../infra/db/pathway-repository';
import type { AuthenticatedActor } from '../../auth/actor-cache';
import { mayStartCase, seesArea } from '../../auth/permissions';
import { problem } from '../../plugins/problems';
import type { StartCaseBody } from '../../schemas/cases';
import { problemTypes } from '../../schemas/problem';

export interface StartCaseDeps {
  db: pg.Pool;
  now: () => Date;
  /** Starts the case's workflow after the answer (plugins/case-workflows.ts). */
  startWorkflow: (input: CaseWorkflowInput) => void;
  /** Finishes a recorded start: projection (if missing) and workflow (if not started). */
  ensureWorkflowStarted: (caseId: string) => Promise<boolean>;
  /**
   * The request's audit row for a new case, asked for with its first projection just before the start
   * is recorded, and written in the same statement (`committed` is called once it is); undefined
   * leaves the row to the audit hook.
   */
  auditOfNewCase?: (firstProjection: ProjectionBatch, personId: string | undefined) => Promise<{ entry: AuditEntry; committed: () => void } | undefined>;
}

/** JSON with object keys sorted, so equal bodies hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function requestHash(body: StartCaseBody): string {
  // personId only when given, so that bodies without one hash as they always did.
  const normalised = { pathwayKey: body.pathwayKey, version: body.version ?? null, areaId: body.areaId, data: body.data, ...(body.personId ? { personId: body.personId } : {}) };
  return createHash('sha256').update(canonicalJson(normalised)).digest('hex');
}

// Crockford base32 without I, L, O, U: readable over the phone, no accidental words.
const referenceAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A pseudonymous case reference such as RT-LI-7K3Q9X: area code plus random characters, nothing about the person. */
export function newCaseReference(areaCode: string): string {
  let suffix = '';
  for (let i = 0; i < 6; i += 1) suffix += referenceAlphabet[randomInt(referenceAlphabet.length)];
  return `RT-${areaCode}-${suffix}`;
}

async function resolveArea(db: pg.Pool, areaId: string): Promise<AreaRecord> {
  const area = await findArea(db, areaId);
  if (!area) throw problem.unprocessable(problemTypes.invalidData, 'unknown area', [{ path: ['areaId'], message: `no area "${areaId}"`, location: 'body' }]);
  return area;
}

async function resolvePathway(db: pg.Pool, body: StartCaseBody): Promise<PathwayVersionRecord> {
  if (body.version !== undefined) {
    const version = await findVersion(db, body.pathwayKey, body.version);
    if (!version) {
      const path = (await pathwayExists(db, body.pathwayKey)) ? 'version' : 'pathwayKey';
      throw problem.unprocessable(problemTypes.invalidData, 'unknown pathway version', [
        { path: [path], message: `no published version ${body.version} of "${body.pathwayKey}"`, location: 'body' },
      ]);
    }
    if (version.status === 'retired') throw problem.conflict(`version ${body.version} of "${body.pathwayKey}" is retired: no new cases start on it`, problemTypes.pathwayRetired);
    return version;
  }
  const current = await findCurrentVersion(db, body.pathwayKey);
  if (current) return current;
  if (await pathwayExists(db, body.pathwayKey)) {
    throw problem.conflict(`pathway "${body.pathwayKey}" has no published version open to new cases`, problemTypes.pathwayRetired);
  }
  throw problem.unprocessable(problemTypes.invalidData, 'unknown pathway', [{ path: ['pathwayKey'], message: `no pathway "${body.pathwayKey}"`, location: 'body' }]);
}

function validateCaseData(definition: PathwayDefinition, data: Record<string, unknown>): Record<string, FieldValue> {
  const result = validateFormData(definition.caseFields, data);
  if (!result.ok) {
    throw problem.unprocessable(
      problemTypes.invalidData,
      "the case data does not match the pathway's case fields",
      result.issues.map((issue) => ({ path: ['data', ...issue.path], message: issue.message, location: 'body' as const })),
    );
  }
  return result.data;
}

/**
 * The person the case is about: an existing one the actor knows (one of their cases is in the actor's
 * areas; any other id answers like an unknown one), never an erased one.
 */
async function resolveExistingPerson(db: pg.Pool, actor: AuthenticatedActor, personId: string): Promise<string> {
  const invalid = (message: string) => problem.unprocessable(problemTypes.invalidData, 'unknown person', [{ path: ['personId'], message, location: 'body' }]);
  const person = await personKeysOf(db).findPerson(personId);
  const cases = person ? await listCasesOfPerson(db, personId) : [];
  if (!person || !cases.some((item) => seesArea(actor, item.areaId))) throw invalid(`no person "${personId}" with a case in your areas`);
  if (person.erasedAt !== null) throw invalid('this person was erased: start a case for a new person');
  return personId;
}

/** The workflow input of a case; the API projects `createCase(input)` and the workflow computes the same. */
function workflowInputOf(request: CaseStartRequest, actor: AuthenticatedActor, pathway: PathwayVersionRecord, area: AreaRecord, caseData: Record<string, FieldValue>): CaseWorkflowInput {
  return {
    caseId: request.caseId,
    reference: request.reference,
    areaId: request.areaId,
    startedAt: request.startedAt,
    startedBy: { id: actor.id, kind: actor.kind },
    caseData,
    pathway: { key: pathway.key, version: pathway.version, definition: pathway.definition },
    localHolidays: area.localHolidays,
    timezone: area.timezone,
  };
}

/** Starts a case for the actor; `created` is false when the key was already used with the same body. */
export async function startCase(
  deps: StartCaseDeps,
  actor: AuthenticatedActor,
  body: StartCaseBody,
  idempotencyKey: string,
): Promise<{ caseId: string; created: boolean; firstProjection?: ProjectionBatch; personId?: string }> {
  const hash = requestHash(body);
  let resolved: { area: AreaRecord; pathway: PathwayVersionRecord; caseData: Record<string, FieldValue> };
  try {
    const area = await resolveArea(deps.db, body.areaId);
    if (!mayStartCase(actor, area.id)) throw problem.forbidden(`you cannot start cases in area "${area.id}"`);
    const pathway = await resolvePathway(deps.db, body);
    resolved = { area, pathway, caseData: validateCaseData(pathway.definition, body.data) };
    if (body.personId !== undefined) await resolveExistingPerson(deps.db, actor, body.personId);
  } catch (error) {
    // A retry of a start that went through must still get its case, even if the pathway was retired since.
    const earlier = await findCaseStartRequest(deps.db, actor.id, idempotencyKey);
    if (!earlier) throw error;
    return repeatedStart(deps, earlier, hash);
  }
  const { area, pathway, caseData } = resolved;
  // A case about a new person: their rows are written by the start's own statement, only if it records the case.
  const newPerson = body.personId === undefined ? personKeysOf(deps.db).newPerson() : undefined;
  const personId = newPerson?.personId ?? body.personId;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const candidate: CaseStartRequest = {
      actorId: actor.id,
      idempotencyKey,
      requestHash: hash,
      caseId: randomUUID(),
      reference: newCaseReference(area.code),
      pathwayKey: pathway.key,
      pathwayVersion: pathway.version,
      areaId: area.id,
      startedAt: deps.now().toISOString(),
      workflowInput: null,
      workflowStartedAt: null,
      personId,
    };
    const input = workflowInputOf(candidate, actor, pathway, area, caseData);
    candidate.workflowInput = storedWorkflowInput(input);
    const firstProjection = createCase(input).batch;
    const audit = await deps.auditOfNewCase?.(firstProjection, personId);
    // The record, the first projection and the audit row in one statement: the common path costs one round trip and one commit.
    if (await recordCaseStart(deps.db, candidate, firstProjection, newPerson, audit?.entry)) {
      audit?.committed();
      deps.startWorkflow(input);
      return { caseId: candidate.caseId, created: true, firstProjection, personId };
    }
    // Either a concurrent request took the key (use its record) or the reference collided (try another).
    const earlier = await findCaseStartRequest(deps.db, actor.id, idempotencyKey);
    if (earlier) return repeatedStart(deps, earlier, hash);
  }
  throw new Error('could not allocate a unique case reference');
}

/** The answer to a key used before: the same case for the same body, 422 for another body. */
async function repeatedStart(deps: StartCaseDeps, recorded: CaseStartRequest, hash: string): Promise<{ caseId: string; created: false }> {
  if (recorded.requestHash !== hash) {
    throw problem.unprocessable(problemTypes.idempotencyKeyReused, 'this Idempotency-Key was already used with a different body', [
      { path: ['idempotency-key'], message: 'use a new key for a different request', location: 'headers' },
    ]);
  }
  // Make sure the case is projected and its workflow runs before answering (both are no-ops when
  // already done; the projection only ever moves the read model forward).
  await deps.ensureWorkflowStarted(recorded.caseId);
  return { caseId: recorded.caseId, created: false };
}
