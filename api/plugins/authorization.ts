/**
 * The role × action matrix (domain/authorization.ts), enforced once for every protected route:
 *
 * - `requireActions`, registered in the protected scope, fails app startup when a route there
 *   declares no `config.action` (or an unknown one), so nobody can forget; and refuses an actor
 *   whose roles lack the route's action with 403 problem+json, before the body is validated (an
 *   unauthorised caller learns nothing of the schema) and before any handler runs.
 * - `authorization` (root) keeps the live route table (tests generate their matrix from it) and
 *   the field-level protection routes apply to every response carrying collected data.
 *
 * Object-level checks (the actor's areas and services; out of scope = 404) stay in the routes,
 * with the helpers of api/auth/permissions.ts.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';
import { actionMatrix, mayPerform, type Action } from '../../domain/authorization';
import type { FieldValue } from '../../domain/conditions';
import { fieldCategories, fieldReader, mayReadCategory, mergeFieldCategories, redactCaseData, redactStepValues, type SpecialCategory } from '../../domain/field-access';
import { specialCategories } from '../../domain/pathway-schema';
import type { CaseDetail, CaseEventView, CaseSummary } from '../../infra/db/case-repository';
import { findVersion, listVersions } from '../../infra/db/pathway-repository';
import { actorOf } from './auth';
import { reportAccess, type AuditKind } from './audit';
import { problem } from './problems';
import { problemResponses } from '../schemas/problem';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The action of domain/authorization.ts this route performs; required on every protected route. */
    action?: Action;
    /** Leave an audit_log row (see AuditKind). */
    audit?: AuditKind;
  }
  interface FastifyInstance {
    /** Every route of the app as registered, with its action (protected routes) and audit kind. */
    routeTable: RouteEntry[];
    fieldAccess: FieldAccess;
  }
}

export interface RouteEntry {
  method: string;
  url: string;
  protected: boolean;
  action: Action | null;
  audit: AuditKind | null;
}

/** A case detail as an actor may see it: hidden special-category fields omitted and listed. */
export type CaseDetailView = CaseDetail & { redactedFields: string[] };
export type CaseEventOut = CaseEventView & { redactedFields?: string[] };

export interface FieldAccess {
  /** The case detail the actor may see; reports the case and the returned field keys to the audit log. */
  caseDetail(request: FastifyRequest, detail: CaseDetail): Promise<CaseDetailView>;
  /** Timeline events as the actor may see them (form values and categorised notes redacted); reports to the audit log. */
  timeline(request: FastifyRequest, summary: Pick<CaseSummary, 'caseId' | 'areaId' | 'pathwayKey' | 'pathwayVersion'>, events: CaseEventView[]): Promise<CaseEventOut[]>;
}

const knownActions = new Set(Object.keys(actionMatrix));

function methodsOf(route: RouteOptions): string[] {
  return Array.isArray(route.method) ? route.method : [route.method];
}

function upsertEntry(table: RouteEntry[], method: string, url: string, changes: Partial<RouteEntry>): void {
  const existing = table.find((entry) => entry.method === method && entry.url === url);
  if (existing) Object.assign(existing, changes);
  else table.push({ method, url, protected: false, action: null, audit: null, ...changes });
}

const isSpecialCategory = (value: unknown): value is SpecialCategory => typeof value === 'string' && (specialCategories as readonly string[]).includes(value);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Root plugin: the route table and field-level protection. */
export default fp(
  async function authorization(fastify) {
    const table: RouteEntry[] = [];
    fastify.decorate('routeTable', table);
    fastify.addHook('onRoute', (route) => {
      // HEAD twins of GET routes share their config and handler: the table lists the GET once.
      for (const method of methodsOf(route)) {
        if (method !== 'HEAD') upsertEntry(table, method, route.url, { action: route.config?.action ?? null, audit: route.config?.audit ?? null });
      }
    });

    // A case's data may have been recorded under an earlier version of its pathway (migration keeps
    // the old step ids), so a field is protected if any version of the pathway marks it; published
    // versions are immutable, and the short TTL picks up versions published since.
    const categoryCache = new LRUCache<string, { categories: Map<string, SpecialCategory[]> | null }>({
      max: 500,
      ttl: 5 * 60_000,
      fetchMethod: async (key) => {
        const at = key.lastIndexOf('@');
        const pathwayKey = key.slice(0, at);
        const versions = await listVersions(fastify.db, pathwayKey);
        // The case's own version must be known; otherwise fail closed (every categorised-or-not field hidden).
        if (!versions.some((summary) => summary.version === Number(key.slice(at + 1)))) return { categories: null };
        const definitions = await Promise.all(versions.map((summary) => findVersion(fastify.db, pathwayKey, summary.version)));
        if (definitions.some((version) => version === null)) return { categories: null };
        return { categories: mergeFieldCategories(definitions.map((version) => fieldCategories(version!.definition))) };
      },
    });
    const categoriesOf = async (pathwayKey: string, version: number) => (await categoryCache.fetch(`${pathwayKey}@${version}`))?.categories ?? null;

    fastify.decorate('fieldAccess', {
      async caseDetail(request, detail) {
        const mayRead = fieldReader(actorOf(request), await categoriesOf(detail.pathwayKey, detail.pathwayVersion));
        const { data, redactedFields, returnedFields } = redactCaseData(detail.data, mayRead);
        reportAccess(request, { caseId: detail.caseId, areaId: detail.areaId, personId: detail.personId ?? null, fields: returnedFields });
        return { ...detail, data, redactedFields };
      },
      async timeline(request, summary, events) {
        const mayRead = fieldReader(actorOf(request), await categoriesOf(summary.pathwayKey, summary.pathwayVersion));
        const returned: string[] = [];
        const visible = events.map((event): CaseEventOut => {
          const hidden: string[] = [];
          let details = event.details;
          // Events that carry form values keep them under `data`, keyed by the step's field keys.
          if (event.stepId !== null && isRecord(details.data)) {
            const redacted = redactStepValues(event.stepId, details.data as Record<string, FieldValue>, mayRead);
            details = { ...details, data: redacted.values };
            hidden.push(...redacted.redactedFields);
            returned.push(...Object.keys(redacted.values).map((key) => `${event.stepId}.${key}`));
          }
          // A note may be marked with a special category: its text then reaches the same readers as such a field.
          const category = details.category;
          if (typeof details.text === 'string') {
            const readable = !isSpecialCategory(category) || mayReadCategory(actorOf(request), category);
            if (readable) returned.push(`${event.type}.text`);
            else {
              const { text: _hidden, ...rest } = details;
              details = rest;
              hidden.push(`${event.type}.${event.seq}.text`);
            }
          }
          return hidden.length > 0 ? { ...event, details, redactedFields: hidden } : { ...event, details };
        });
        reportAccess(request, { caseId: summary.caseId, areaId: summary.areaId, fields: returned });
        return visible;
      },
    } satisfies FieldAccess);
  },
  { name: 'authorization', dependencies: ['dependencies', 'auth'] },
);

/** Protected-scope plugin: every route must name its action, and every request must be allowed it. */
export const requireActions = fp(
  async function requireActions(fastify: FastifyInstance) {
    fastify.addHook('onRoute', (route) => {
      const action = route.config?.action;
      const where = `${methodsOf(route).join(',')} ${route.url}`;
      if (action === undefined) throw new Error(`protected route ${where} declares no config.action (see domain/authorization.ts)`);
      if (!knownActions.has(action)) throw new Error(`protected route ${where} names unknown action "${String(action)}" (see domain/authorization.ts)`);
      for (const method of methodsOf(route)) if (method !== 'HEAD') upsertEntry(fastify.routeTable, method, route.url, { protected: true, action });
      // Every protected route can answer 401 and 403 whatever its handler does: documented (and serialised) as problems.
      const schema = (route.schema ??= {});
      const responses = (schema.response ??= {}) as Record<string, unknown>;
      for (const [status, response] of Object.entries(problemResponses(401, 403))) if (!(status in responses)) responses[status] = response;
    });
    fastify.addHook('preValidation', async (request) => {
      const action = request.routeOptions.config?.action;
      // onRoute guarantees an action on every route of this scope; a missing one would be a bug, refused all the same.
      if (action === undefined) throw problem.forbidden('this route declares no action');
      const actor = actorOf(request);
      if (!mayPerform(actor.roles, action)) throw problem.forbidden(`your roles may not perform "${action}"`);
    });
  },
  { name: 'require-actions', dependencies: ['authorization'] },
);
