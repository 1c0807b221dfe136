/**
 * Audit of access, driven by route config: a route with `config: { action, audit: 'read' }` (a read
 * of a case's personal data) or `audit: 'write'` (any change) leaves one audit_log row per request,
 * refusals included. The route tells which case and which field keys it returned or wrote with
 * `reportAccess(request, …)`; without a report the case id comes from the `caseId` path parameter.
 *
 * The row is written in onSend, before the answer leaves: if it cannot be written, a read answers
 * 503 instead of the data (no access without a record). A write has already happened by then, so
 * its answer stands and the failure is logged (the case's workflow history also names the actor).
 * A case command whose route has reported everything before the command runs, and a case start,
 * write their row in the statement that records the change instead (`auditWithChange`): the change
 * and the record of who made it commit together, and the hook writes no second row.
 */
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { insertAuditEntry, type AuditEntry } from '../../infra/db/audit-repository';
import { opaqueId, unstorableText } from '../schemas/common';
import { problemContentType, problemTypes, titleOf } from '../schemas/problem';

/**
 * 'read' for reads of a case's personal data, 'write' for changes, 'read-if-reported' for lists that
 * carry personal data only sometimes (an inbox row's person alias): a row only when the route reported fields.
 */
export type AuditKind = 'read' | 'write' | 'read-if-reported';

/** What a route tells the audit log about a request: the case it touched and the field keys it returned or wrote. */
export interface AccessReport {
  caseId?: string | null;
  /** The case's area, so that the entry is visible to the auditors of that area. */
  areaId?: string | null;
  personId?: string | null;
  /** Field keys (`<stepId>.<fieldKey>`), never values. */
  fields?: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Collected by `reportAccess` during the request; written by the audit hook. */
    auditTrail: AccessReport | null;
    /** The row was written with the request's change (`auditWithChange`): the hook writes none. */
    auditWritten: boolean;
  }
}

/** Reports (or adds to) what the request touched, for the audit log; fields accumulate, ids are overwritten when given. */
export function reportAccess(request: FastifyRequest, report: AccessReport): void {
  const current = request.auditTrail ?? {};
  const fields = [...new Set([...(current.fields ?? []), ...(report.fields ?? [])])];
  request.auditTrail = {
    caseId: report.caseId !== undefined ? report.caseId : current.caseId,
    areaId: report.areaId !== undefined ? report.areaId : current.areaId,
    personId: report.personId !== undefined ? report.personId : current.personId,
    fields,
  };
}

/**
 * The audit row of a write request to commit with its change, for a route whose report is complete
 * before the change is made: outcome 200 (201 for a creation), since the row is only written with a
 * change that applied (a refusal or a failure is written by the hook, with its status). Call
 * `written` once it committed. Undefined when the route is not audited as a write.
 */
export function auditWithChange(request: FastifyRequest, outcome: 200 | 201 = 200): { entry: AuditEntry; written: () => void } | undefined {
  const { audit, action } = request.routeOptions.config ?? {};
  if (audit !== 'write' || !action) return undefined;
  const entry = entryOf(request, outcome, action);
  if (!entry) return undefined;
  return {
    entry,
    written: () => {
      request.auditWritten = true;
    },
  };
}

/** A path parameter fit to store as an id: what a caller sent is only kept when it could be a real id. */
function storableParam(params: unknown, name: string): string | null {
  const value = (params as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string' || unstorableText.test(value)) return null;
  return opaqueId.safeParse(value).success ? value : null;
}

/** The audit row of a finished request. */
function entryOf(request: FastifyRequest, outcome: number, action: string): AuditEntry | null {
  const actor = request.actor;
  if (!actor) return null;
  const trail = request.auditTrail ?? {};
  return {
    actorId: actor.id,
    actorKind: actor.kind,
    action,
    method: request.method,
    route: request.routeOptions.url ?? 'unknown',
    caseId: trail.caseId !== undefined ? trail.caseId : storableParam(request.params, 'caseId'),
    areaId: trail.areaId ?? null,
    personId: trail.personId !== undefined ? trail.personId : storableParam(request.params, 'personId'),
    fields: [...new Set(trail.fields ?? [])].sort(),
    outcome,
    requestId: String(request.id),
  };
}

export default fp(
  async function auditTrail(fastify) {
    fastify.decorateRequest('auditTrail', null);
    fastify.decorateRequest('auditWritten', false);
    fastify.addHook('onSend', async (request, reply, payload) => {
      const { audit, action } = request.routeOptions.config ?? {};
      if (!audit || !action || request.auditWritten) return payload;
      if (audit === 'read-if-reported' && !request.auditTrail?.fields?.length) return payload;
      const entry = entryOf(request, reply.statusCode, action);
      // No actor: authentication failed, nothing was read or written, and there is nobody to name.
      if (!entry) return payload;
      try {
        await insertAuditEntry(fastify.db, entry);
        return payload;
      } catch (error) {
        request.log.error({ err: { message: (error as Error).message, code: (error as { code?: unknown }).code } }, 'audit log write failed');
        if (audit === 'write' || reply.statusCode >= 400) return payload;
        // A streamed answer (an export) is dropped unread, so whatever feeds it is released.
        if (payload instanceof Readable) payload.destroy();
        void reply.code(503).type(problemContentType).header('retry-after', '5');
        return JSON.stringify({
          type: problemTypes.serviceUnavailable,
          title: titleOf(503),
          status: 503,
          detail: 'the access could not be recorded; retry later',
          instance: request.url.split('?')[0],
        });
      }
    });
  },
  { name: 'audit-trail', dependencies: ['dependencies'] },
);
