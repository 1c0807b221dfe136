/**
 * Closed-loop referrals between services. A referral step of a case raises a referral to another
 * service; that service finds it in its referral inbox (`GET /referrals`, incoming by default for
 * its operators, soonest acceptance deadline first), accepts or rejects it with one of the step's
 * reason codes, and later reports one of the step's outcomes, which the pathway's rules read as
 * `<stepId>.status`, `.reason` and `.outcome`. The referring service sees the same loop as
 * outgoing. A referral outside the actor's areas (and, for operators, services) is "not found".
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { extendReferralDeadlineSchema, type ReferralCommand } from '../../../domain/case-commands';
import { findReferral, selectReferralViews, type ReferralDetail } from '../../../infra/db/referral-repository';
import { readScopeOf } from '../../auth/permissions';
import { reportAccess } from '../../plugins/audit';
import { actorOf } from '../../plugins/auth';
import { problem } from '../../plugins/problems';
import { bearerSecurity, decodeCursor, encodeCursor, idempotencyHeadersSchema, idempotencyKeyOf, taskCursorSchema } from '../../schemas/common';
import { problemResponses, problemTypes } from '../../schemas/problem';
import {
  acceptReferralBodySchema,
  extendReferralBodySchema,
  referralDetailSchema,
  referralInboxQuerySchema,
  referralOutcomeBodySchema,
  referralPageSchema,
  referralParamsSchema,
  rejectReferralBodySchema,
} from '../../schemas/referrals';

const referralRoutes: FastifyPluginAsyncZod = async (fastify) => {
  async function visibleReferral(request: FastifyRequest, referralId: string): Promise<ReferralDetail> {
    const referral = await findReferral(fastify.db, readScopeOf(actorOf(request)), referralId, fastify.now());
    if (!referral) throw problem.notFound(`no referral ${referralId}`);
    reportAccess(request, { caseId: referral.caseId, areaId: referral.areaId });
    return referral;
  }

  /** Scope check, state check from the read model, then the case workflow (which re-checks who may answer); answers with the referral as now projected. */
  async function runReferralCommand(request: FastifyRequest, referralId: string, commandOf: (referral: ReferralDetail) => ReferralCommand) {
    const actor = actorOf(request);
    const referral = await visibleReferral(request, referralId);
    const command = commandOf(referral);
    // Answered loops are settled in the read model already: no need to wake the workflow to refuse,
    // except for a keyed command, which may be the repeat of the answer: the workflow answers it as it first did.
    const idempotencyKey = idempotencyKeyOf(request);
    if (referral.status !== 'pending' && referral.status !== 'accepted' && idempotencyKey === undefined) throw problem.conflict(`the referral is ${referral.status}`);
    const batch = await fastify.caseCommands.execute(referral.caseId, actor, command, { log: request.log, idempotencyKey, auditedRequest: request });
    const updated = await findReferral(fastify.db, readScopeOf(actor), referralId, fastify.now());
    if (updated) return updated;
    // Still in the batch even if, say, a transfer took it out of scope meanwhile.
    const projected = batch.referrals?.find((r) => r.id === referralId);
    if (!projected) throw problem.notFound(`no referral ${referralId}`);
    return { ...referral, status: projected.status, version: projected.version };
  }

  const commandResponses = { 200: referralDetailSchema, ...problemResponses(400, 401, 403, 404, 409, 422, 503) };

  fastify.get('/referrals', {
    config: { action: 'referrals.read' },
    schema: {
      tags: ['referrals'],
      summary: 'Referral inbox: referrals your services receive (and send) in your areas, soonest acceptance deadline first',
      security: bearerSecurity,
      querystring: referralInboxQuerySchema,
      response: { 200: referralPageSchema, ...problemResponses(400, 401, 403, 503) },
    },
    handler: async (request) => {
      const { limit, cursor, status, ...filters } = request.query;
      const position = cursor === undefined ? undefined : decodeCursor(cursor, taskCursorSchema);
      if (cursor !== undefined && !position) {
        throw problem.invalidCursor();
      }
      const page = await selectReferralViews(
        fastify.db,
        readScopeOf(actorOf(request)),
        { ...filters, statuses: status ?? ['pending', 'accepted'] },
        { limit, after: position ? { dueAt: position.d, referralId: position.id } : undefined },
        fastify.now(),
      );
      return { items: page.items, nextCursor: page.next ? encodeCursor({ d: page.next.dueAt, id: page.next.referralId }) : null };
    },
  });

  fastify.get('/referrals/:referralId', {
    config: { action: 'referrals.read' },
    schema: {
      tags: ['referrals'],
      summary: 'A referral with the rejection reasons and outcomes its step allows',
      security: bearerSecurity,
      params: referralParamsSchema,
      response: { 200: referralDetailSchema, ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request) => visibleReferral(request, request.params.referralId),
  });

  fastify.post('/referrals/:referralId/accept', {
    config: { action: 'referrals.respond', audit: 'write' },
    schema: {
      tags: ['referrals'],
      summary: 'Accept the referral (the receiving service), optionally with the first appointment; the case then waits for its outcome',
      description: 'A first appointment in the past answers 422 with the path `firstAppointmentAt`.',
      security: bearerSecurity,
      params: referralParamsSchema,
      headers: idempotencyHeadersSchema,
      body: acceptReferralBodySchema,
      response: commandResponses,
    },
    handler: async (request) =>
      runReferralCommand(request, request.params.referralId, (referral) => {
        const answer = request.body ?? {};
        if (answer.firstAppointmentAt !== undefined && Date.parse(answer.firstAppointmentAt) < fastify.now().getTime()) {
          throw problem.unprocessable(problemTypes.invalidData, 'the first appointment cannot be in the past', [
            { path: ['firstAppointmentAt'], message: 'must not be earlier than now', location: 'body' },
          ]);
        }
        return { kind: 'acceptReferral', referralId: referral.referralId, ...answer };
      }),
  });

  fastify.post('/referrals/:referralId/reject', {
    config: { action: 'referrals.respond', audit: 'write' },
    schema: {
      tags: ['referrals'],
      summary: "Reject the referral with one of its step's reason codes (the receiving service)",
      description: 'An unknown reason code answers 422 with the path `reasonCode`. The case continues at the step\'s `onRejected`, else its `next`.',
      security: bearerSecurity,
      params: referralParamsSchema,
      headers: idempotencyHeadersSchema,
      body: rejectReferralBodySchema,
      response: commandResponses,
    },
    handler: async (request) =>
      runReferralCommand(request, request.params.referralId, (referral) => ({ kind: 'rejectReferral', referralId: referral.referralId, ...request.body })),
  });

  fastify.post('/referrals/:referralId/outcome', {
    config: { action: 'referrals.respond', audit: 'write' },
    schema: {
      tags: ['referrals'],
      summary: "Report the outcome of an accepted referral with one of its step's outcome codes",
      description: 'Before acceptance: 409. An unknown outcome answers 422 with the path `outcome`. The case then moves on.',
      security: bearerSecurity,
      params: referralParamsSchema,
      headers: idempotencyHeadersSchema,
      body: referralOutcomeBodySchema,
      response: commandResponses,
    },
    handler: async (request) =>
      runReferralCommand(request, request.params.referralId, (referral) => ({ kind: 'recordReferralOutcome', referralId: referral.referralId, ...request.body })),
  });

  fastify.post('/referrals/:referralId/extend', {
    config: { action: 'referrals.respond', audit: 'write' },
    schema: {
      tags: ['referrals'],
      summary: 'Move the acceptance deadline: a new date (newDueAt) or a duration (by), with a reason (supervisors)',
      description: 'Reminders are recomputed and the escalation ladder restarts from the new deadline.',
      security: bearerSecurity,
      params: referralParamsSchema,
      headers: idempotencyHeadersSchema,
      body: extendReferralBodySchema,
      response: commandResponses,
    },
    handler: async (request) =>
      runReferralCommand(request, request.params.referralId, (referral) => {
        const parsed = extendReferralDeadlineSchema.safeParse({ kind: 'extendReferralDeadline', referralId: referral.referralId, ...request.body });
        if (!parsed.success) {
          throw problem.invalidBody('give exactly one of "newDueAt" or "by"', parsed.error.issues);
        }
        return parsed.data;
      }),
  });
};

export default referralRoutes;
