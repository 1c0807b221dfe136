/**
 * Cases: start (idempotent), list with filters and cursor pagination, detail with open tasks and
 * collected data, timeline, and the case-level commands (suspend, resume, cancel, close, transfer,
 * notes). Every read is filtered by the actor's scope; a case outside it is "not found".
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { CaseCommand } from '../../../domain/case-commands';
import { caseHasEnded, type ProjectionBatch } from '../../../domain/case-state';
import { effectiveRule } from '../../../domain/stall-rules';
import { caseDetailOfNewCase, findCase, findCaseDetail, listCaseEvents, listCases, type CaseDetail, type CaseSummary } from '../../../infra/db/case-repository';
import { contactPausedSince } from '../../../infra/db/contact-pause-repository';
import { listStallRules } from '../../../infra/db/stall-rule-repository';
import { findArea } from '../../../infra/db/directory-repository';
import { readScopeOf } from '../../auth/permissions';
import type { Action } from '../../../domain/authorization';
import { auditWithChange, reportAccess } from '../../plugins/audit';
import type { CaseDetailView } from '../../plugins/authorization';
import { actorOf } from '../../plugins/auth';
import { problem } from '../../plugins/problems';
import {
  addNoteBodySchema,
  recordContactBodySchema,
  cancelCaseBodySchema,
  caseDetailSchema,
  caseListQuerySchema,
  casePageSchema,
  caseParamsSchema,
  caseTimelineSchema,
  closeCaseBodySchema,
  resumeCaseBodySchema,
  startCaseBodySchema,
  startCaseHeadersSchema,
  suspendCaseBodySchema,
  timelineQuerySchema,
  transferCaseBodySchema,
} from '../../schemas/cases';
import { bearerSecurity, caseCursorSchema, decodeCursor, encodeCursor, idempotencyHeadersSchema, idempotencyKeyOf, timelineCursorSchema } from '../../schemas/common';
import { moveToStepBodySchema, reopenStepBodySchema, skipStepBodySchema } from '../../schemas/interventions';
import { problemResponses, problemTypes } from '../../schemas/problem';
import { caseClocksSchema } from '../../schemas/case-clocks';
import { startCase } from './start-case';

/** The case as the actor now sees it; after a transfer out of their scope, the projected snapshot alone. */
function detailOrSnapshot(detail: CaseDetail | null, batch: ProjectionBatch): CaseDetail {
  if (detail) return detail;
  const { data: _outOfScope, ...summary } = batch.snapshot;
  return { ...summary, data: {}, openTasks: [] };
}

const caseRoutes: FastifyPluginAsyncZod = async (fastify) => {
  /** Looks the case up in scope, checks the actor may act, runs the command, answers with the case. */
  async function runCaseCommand(request: FastifyRequest, caseId: string, commandOf: (current: CaseSummary) => CaseCommand | Promise<CaseCommand>): Promise<CaseDetailView> {
    const actor = actorOf(request);
    const scope = readScopeOf(actor);
    const current = await findCase(fastify.db, scope, caseId);
    if (!current) throw problem.notFound(`no case ${caseId}`);
    // The role was checked from the route's config.action; what was written goes to the audit log (keys only).
    const body = request.body;
    reportAccess(request, { caseId, areaId: current.areaId, fields: body && typeof body === 'object' ? Object.keys(body).map((key) => `command.${key}`) : [] });
    // An ended case is refused from the read model without asking Temporal, except for a keyed
    // repeat: the first attempt may have been the command that ended it, or have applied just
    // before, and its repeat must answer as it did (Temporal keeps the outcome of the Update id).
    const idempotencyKey = idempotencyKeyOf(request);
    const ended = caseHasEnded(current.status);
    if (ended && idempotencyKey === undefined) throw problem.conflict(`the case is ${current.status}`, problemTypes.caseNotActive);
    const batch = await fastify.caseCommands.execute(caseId, actor, await commandOf(current), { log: request.log, idempotencyKey, caseEnded: ended });
    return fastify.fieldAccess.caseDetail(request, detailOrSnapshot(await findCaseDetail(fastify.db, scope, caseId, fastify.now()), batch));
  }

  const commandResponses = { 200: caseDetailSchema, ...problemResponses(400, 401, 403, 404, 409, 422, 503) };
  const commandRoute = <B extends z.ZodType>(
    path: string,
    summary: string,
    body: B,
    toCommand: (body: z.output<B>, current: CaseSummary) => CaseCommand | Promise<CaseCommand>,
    action: Action = 'cases.command',
  ) => {
    fastify.post(`/cases/:caseId/${path}`, {
      config: { action, audit: 'write' },
      schema: { tags: ['cases'], summary, security: bearerSecurity, params: caseParamsSchema, headers: idempotencyHeadersSchema, body, response: commandResponses },
      handler: async (request) => runCaseCommand(request, request.params.caseId, (current) => toCommand(request.body as z.output<B>, current)),
    });
  };

  fastify.post('/cases', {
    config: { action: 'cases.start', audit: 'write' },
    schema: {
      tags: ['cases'],
      summary: 'Start a case on a published pathway (idempotent with the Idempotency-Key header)',
      description: 'The same key with the same body returns the same case (200); with another body, 422 `idempotency_key_reused`.',
      security: bearerSecurity,
      headers: startCaseHeadersSchema,
      body: startCaseBodySchema,
      response: { 200: caseDetailSchema, 201: caseDetailSchema, ...problemResponses(400, 401, 403, 409, 422, 503) },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const scope = readScopeOf(actor);
      const written = Object.keys(request.body.data).map((key) => `case.${key}`);
      // A new case's answer follows from its first projection, so the audit row (what was written and
      // what the answer returns) is complete before the start is recorded, and commits with it.
      let newCaseAnswer: CaseDetailView | undefined;
      const auditOfNewCase = async (projection: ProjectionBatch, newCasePersonId: string | undefined) => {
        const detail = caseDetailOfNewCase(projection, scope, fastify.now(), newCasePersonId);
        if (!detail) return undefined;
        const reportedBefore = request.auditTrail;
        reportAccess(request, { fields: written });
        const answer = await fastify.fieldAccess.caseDetail(request, detail);
        const audit = auditWithChange(request, 201);
        const reported = request.auditTrail;
        // Until the start is recorded, the report stays as it was: a start that is not (its key was
        // taken meanwhile) answers with, and reports, the case recorded under that key.
        request.auditTrail = reportedBefore;
        if (!audit) return undefined;
        return {
          entry: audit.entry,
          committed: () => {
            newCaseAnswer = answer;
            request.auditTrail = reported;
            audit.written();
          },
        };
      };
      const { caseId, created, firstProjection, personId } = await startCase(
        {
          db: fastify.db,
          now: fastify.now,
          startWorkflow: (input) => fastify.caseWorkflows.startSoon(input),
          ensureWorkflowStarted: (caseId) => fastify.caseWorkflows.ensureStarted(caseId, { project: true }),
          auditOfNewCase,
        },
        actor,
        request.body,
        request.headers['idempotency-key'],
      );
      let answer = newCaseAnswer;
      if (!answer) {
        const detail = firstProjection ? caseDetailOfNewCase(firstProjection, scope, fastify.now(), personId) : await findCaseDetail(fastify.db, scope, caseId, fastify.now());
        if (!detail) throw problem.notFound(`no case ${caseId}`);
        reportAccess(request, { fields: written });
        answer = await fastify.fieldAccess.caseDetail(request, detail);
      }
      return reply
        .code(created ? 201 : 200)
        .header('location', `/cases/${caseId}`)
        .send(answer);
    },
  });

  fastify.get('/cases', {
    config: { action: 'cases.read' },
    schema: {
      tags: ['cases'],
      summary: 'Cases in your scope, newest first, with filters and cursor pagination',
      security: bearerSecurity,
      querystring: caseListQuerySchema,
      response: { 200: casePageSchema, ...problemResponses(400, 401, 503) },
    },
    handler: async (request) => {
      const { limit, cursor, ...filters } = request.query;
      const position = cursor === undefined ? undefined : decodeCursor(cursor, caseCursorSchema);
      if (cursor !== undefined && !position) throw problem.invalidCursor();
      const page = await listCases(
        fastify.db,
        readScopeOf(actorOf(request)),
        filters,
        { limit, after: position ? { startedAt: position.s, caseId: position.id } : undefined },
        fastify.now(),
      );
      return { items: page.items, nextCursor: page.next ? encodeCursor({ s: page.next.startedAt, id: page.next.caseId }) : null };
    },
  });

  fastify.get('/cases/:caseId', {
    config: { action: 'cases.read', audit: 'read' },
    schema: {
      tags: ['cases'],
      summary: 'A case with its open tasks and collected data',
      security: bearerSecurity,
      params: caseParamsSchema,
      response: { 200: caseDetailSchema, ...problemResponses(400, 401, 404, 503) },
    },
    handler: async (request) => {
      const detail = await findCaseDetail(fastify.db, readScopeOf(actorOf(request)), request.params.caseId, fastify.now());
      if (!detail) throw problem.notFound(`no case ${request.params.caseId}`);
      return fastify.fieldAccess.caseDetail(request, detail);
    },
  });

  fastify.get('/cases/:caseId/timeline', {
    config: { action: 'cases.read', audit: 'read' },
    schema: {
      tags: ['cases'],
      summary: 'Events of a case, oldest first, each with its actor and time',
      security: bearerSecurity,
      params: caseParamsSchema,
      querystring: timelineQuerySchema,
      response: { 200: caseTimelineSchema, ...problemResponses(400, 401, 404, 503) },
    },
    handler: async (request) => {
      const { caseId } = request.params;
      const { limit, cursor } = request.query;
      const summary = await findCase(fastify.db, readScopeOf(actorOf(request)), caseId);
      if (!summary) throw problem.notFound(`no case ${caseId}`);
      const position = cursor === undefined ? { seq: 0 } : decodeCursor(cursor, timelineCursorSchema);
      if (!position) throw problem.invalidCursor();
      const page = await listCaseEvents(fastify.db, caseId, { limit, afterSeq: position.seq });
      const items = await fastify.fieldAccess.timeline(request, summary, page.items);
      return { items, nextCursor: page.nextAfterSeq === null ? null : encodeCursor({ seq: page.nextAfterSeq }) };
    },
  });

  fastify.get('/cases/:caseId/clocks', {
    config: { action: 'cases.read' },
    schema: {
      tags: ['cases'],
      summary: "Whether the case's internal clocks are paused because the person cannot be reached, and after how many failed attempts they pause",
      security: bearerSecurity,
      params: caseParamsSchema,
      response: { 200: caseClocksSchema, ...problemResponses(400, 401, 404, 503) },
    },
    handler: async (request) => {
      const { caseId } = request.params;
      const current = await findCase(fastify.db, readScopeOf(actorOf(request)), caseId);
      if (!current) throw problem.notFound(`no case ${caseId}`);
      const rule = effectiveRule(await listStallRules(fastify.db, [current.areaId]), current.pathwayKey, current.areaId, 'contact_failures');
      const pausedSince = await contactPausedSince(fastify.db, caseId);
      return { internalClocksPaused: pausedSince !== null, pausedSince, pauseAfterFailedAttempts: rule?.threshold ?? null };
    },
  });

  commandRoute('suspend', 'Suspend a case (its clocks pause)', suspendCaseBodySchema, (body) => ({ kind: 'suspendCase', ...body }));
  commandRoute('resume', 'Resume a suspended case', resumeCaseBodySchema, (body) => ({ kind: 'resumeCase', ...body }));
  commandRoute('cancel', 'Cancel a case (supervisors)', cancelCaseBodySchema, (body) => ({ kind: 'cancelCase', ...body }));
  commandRoute('close', "Close a case with one of the pathway's outcomes (supervisors)", closeCaseBodySchema, (body) => ({ kind: 'closeCase', ...body }));
  commandRoute(
    'transfer',
    "Ask to transfer a case to another area (supervisors): the case stays here until a manager of that area accepts (see /cases/{caseId}/transfers)",
    transferCaseBodySchema,
    async (body) => {
      const area = await findArea(fastify.db, body.areaId);
      if (!area) throw problem.unprocessable(problemTypes.invalidData, 'unknown area', [{ path: ['areaId'], message: `no area "${body.areaId}"`, location: 'body' }]);
      return { kind: 'requestTransfer', areaId: area.id, reason: body.reason };
    },
  );
  commandRoute('notes', 'Add a note to the case timeline', addNoteBodySchema, (body) => ({ kind: 'addNote', ...body }));
  // Supervisor interventions (each with a reason, on the timeline with the actor); the workflow re-checks area and role.
  commandRoute(
    'interventions/skip-step',
    'Skip an open step: its task (or unanswered referral) is cancelled and the case moves on as if completed with no data, or to `next` (supervisors)',
    skipStepBodySchema,
    (body) => ({ kind: 'skipStep', ...body }),
    'interventions.run',
  );
  commandRoute(
    'interventions/reopen-step',
    'Reopen a completed step: its task is raised again with a fresh deadline, to correct its data (supervisors)',
    reopenStepBodySchema,
    (body) => ({ kind: 'reopenStep', ...body }),
    'interventions.run',
  );
  commandRoute(
    'interventions/move-to-step',
    "Withdraw the case's open tasks and continue from a step of its pathway version (supervisors)",
    moveToStepBodySchema,
    (body) => ({ kind: 'moveToStep', ...body }),
    'interventions.run',
  );
  commandRoute(
    'contacts',
    'Record a contact with the person, or a failed attempt (a successful one sets lastContactAt)',
    recordContactBodySchema,
    async (body, current) => {
      if (Date.parse(body.at) > fastify.now().getTime()) {
        throw problem.unprocessable(problemTypes.invalidData, 'a contact cannot be recorded in the future', [
          { path: ['at'], message: 'must not be later than now', location: 'body' },
        ]);
      }
      // The workflow cannot read the rules: the API resolves the case's contact_failures rule and sends its N (null: off).
      const rule = effectiveRule(await listStallRules(fastify.db, [current.areaId]), current.pathwayKey, current.areaId, 'contact_failures');
      return { kind: 'recordContact', ...body, pauseAfterFailedAttempts: rule?.threshold ?? null };
    },
    'cases.contact',
  );
};

export default caseRoutes;
