/**
 * Supervision: the stalled cases in the actor's areas (every broken rule, since when, who owns the
 * next move, most urgent first) and the stalled-case rules, which coordinators set as data.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { StallRuleKind } from '../../../domain/stall-rules';
import { findUnknownReferences, listStallRules, replaceStallRules, type StallRuleScope } from '../../../infra/db/stall-rule-repository';
import { listStalledCases } from '../../../infra/db/supervision-repository';
import { readScopeOf } from '../../auth/permissions';
import { actorOf } from '../../plugins/auth';
import { problem, ProblemError } from '../../plugins/problems';
import { bearerSecurity, caseCursorSchema, decodeCursor, encodeCursor } from '../../schemas/common';
import { problemResponses, problemTypes, type ProblemIssue } from '../../schemas/problem';
import { stalledPageSchema, stalledQuerySchema, stallRuleListSchema, stallRulePrecedence, stallRulesBodySchema } from '../../schemas/supervision';

const supervisionRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/supervision/stalled', {
    config: { action: 'supervision.read' },
    schema: {
      tags: ['supervision'],
      summary: 'Stalled cases in your areas, with every rule they break (supervisors, coordinators and admins)',
      description:
        'Each case lists every stalled-case rule it breaks (see `/supervision/stall-rules`), since when, and who owns the next move. ' +
        'Sorted by urgency: the earliest `since` among the broken rules first (with a `kind` filter, among those kinds), ties by case id. ' +
        'Follow `nextCursor` until it is null.',
      security: bearerSecurity,
      querystring: stalledQuerySchema,
      response: { 200: stalledPageSchema, ...problemResponses(400, 401, 403, 503) },
    },
    handler: async (request) => {
      const { areaId, pathwayKey, kind, limit, cursor } = request.query;
      const position = cursor === undefined ? undefined : decodeCursor(cursor, caseCursorSchema);
      if (cursor !== undefined && !position) {
        throw problem.invalidCursor();
      }
      const kinds: StallRuleKind[] | undefined = kind === undefined ? undefined : Array.isArray(kind) ? kind : [kind];
      const page = await listStalledCases(fastify.db, readScopeOf(actorOf(request)), {
        areaId,
        pathwayKey,
        kinds,
        limit,
        after: position ? { since: position.s, caseId: position.id } : undefined,
        now: fastify.now(),
      });
      return { items: page.items, nextCursor: page.next ? encodeCursor({ s: page.next.since, id: page.next.caseId }) : null };
    },
  });

  fastify.get('/supervision/stall-rules', {
    config: { action: 'supervision.read' },
    schema: {
      tags: ['supervision'],
      summary: 'The stalled-case rules that apply in your areas (global rows and your areas’ rows)',
      security: bearerSecurity,
      response: { 200: stallRuleListSchema, ...problemResponses(401, 403, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const rules = await listStallRules(fastify.db, readScopeOf(actor).areas);
      return { rules, precedence: stallRulePrecedence };
    },
  });

  fastify.put('/supervision/stall-rules', {
    config: { action: 'supervision.rules', audit: 'write' },
    schema: {
      tags: ['supervision'],
      summary: 'Replace the stalled-case rules you may edit (coordinators: rows of their areas; admins: every row)',
      description:
        'The body is the complete set of rows in your editing scope: rows of your scope missing from it are removed, rows outside it are untouched. ' +
        `${stallRulePrecedence} Thresholds: overdue_task 0–365 days past due; no_progress 1–365 working days; no_contact 1–3650 days; ` +
        'escalated level 1–20; referral_not_accepted 0–365 days past the acceptance deadline; suspended_too_long 1–3650 days.',
      security: bearerSecurity,
      body: stallRulesBodySchema,
      response: { 200: stallRuleListSchema, ...problemResponses(400, 401, 403, 422, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const { rules } = request.body;
      // Coordinators edit the rows of the areas they read; admins (every area) every row.
      const scope: StallRuleScope = { areas: readScopeOf(actor).areas };
      if (scope.areas !== null) {
        const areas = scope.areas;
        const outside: ProblemIssue[] = rules.flatMap((rule, index) =>
          rule.areaId === null || !areas.includes(rule.areaId)
            ? [{ path: ['rules', index, 'areaId'], message: rule.areaId === null ? 'only admins set rules for every area' : 'not one of your areas', location: 'body' as const }]
            : [],
        );
        if (outside.length > 0) throw new ProblemError(403, problemTypes.forbidden, 'some rules lie outside the areas you may edit', outside);
      }
      const areaIds = [...new Set(rules.flatMap((rule) => (rule.areaId === null ? [] : [rule.areaId])))];
      const pathwayKeys = [...new Set(rules.flatMap((rule) => (rule.pathwayKey === null ? [] : [rule.pathwayKey])))];
      const unknown = await findUnknownReferences(fastify.db, areaIds, pathwayKeys);
      const issues: ProblemIssue[] = rules.flatMap((rule, index) => [
        ...(rule.areaId !== null && unknown.areas.includes(rule.areaId) ? [{ path: ['rules', index, 'areaId'], message: 'no such area', location: 'body' as const }] : []),
        ...(rule.pathwayKey !== null && unknown.pathways.includes(rule.pathwayKey)
          ? [{ path: ['rules', index, 'pathwayKey'], message: 'no such pathway', location: 'body' as const }]
          : []),
      ]);
      if (issues.length > 0) throw problem.unprocessable(problemTypes.invalidData, 'some rules name an unknown area or pathway', issues);
      await replaceStallRules(fastify.db, scope, rules, actor.id);
      return { rules: await listStallRules(fastify.db, scope.areas), precedence: stallRulePrecedence };
    },
  });
};

export default supervisionRoutes;
