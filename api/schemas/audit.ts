/**
 * Audit events: who read or wrote which case's data, when, through which route, with which field
 * keys (never values), and the answer's status.
 */
import { z } from 'zod';
import { actionMatrix } from '../../domain/authorization';
import type { AuditEventView } from '../../infra/db/audit-repository';
import { cursorSchema, isoDateTime, limitSchema, opaqueId, pageOf } from './common';

const actions = Object.keys(actionMatrix) as [keyof typeof actionMatrix, ...Array<keyof typeof actionMatrix>];

export const auditEventSchema = z
  .object({
    id: z.string(),
    at: isoDateTime,
    actor: z.object({ id: z.string(), kind: z.string() }),
    action: z.string().describe('The action of the role × action matrix the request performed.'),
    method: z.string(),
    route: z.string().describe('The route pattern, e.g. /cases/:caseId (no ids, no query).'),
    caseId: z.string().nullable(),
    areaId: z.string().nullable(),
    personId: z.string().nullable(),
    fields: z.array(z.string()).describe('Field keys returned or written (`<stepId>.<fieldKey>`), never their values.'),
    outcome: z.number().int().describe('HTTP status of the answer.'),
    requestId: z.string(),
  })
  .meta({ id: 'AuditEvent' }) satisfies z.ZodType<AuditEventView>;

export const auditPageSchema = pageOf(auditEventSchema);

export const auditQuerySchema = z
  .object({
    caseId: opaqueId.optional(),
    personId: opaqueId.optional().describe("Every access to this person's cases (a data subject's access request)."),
    actorId: opaqueId.optional(),
    action: z.enum(actions).optional(),
    from: isoDateTime.optional().describe('Events at or after this time.'),
    to: isoDateTime.optional().describe('Events before this time.'),
    limit: limitSchema,
    cursor: cursorSchema,
  })
  .refine((query) => query.from === undefined || query.to === undefined || Date.parse(query.from) <= Date.parse(query.to), {
    path: ['to'],
    message: '`to` must not be before `from`',
  });

export const auditCursorSchema = z.object({ before: z.string().regex(/^[1-9][0-9]{0,18}$/) });
