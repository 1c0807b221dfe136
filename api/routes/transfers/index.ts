/**
 * Transfer requests between areas (the request itself is `POST /cases/:caseId/transfer`): the
 * receiving area's managers list what waits for them and accept (the case moves, its open tasks go
 * to their queues) or refuse with a reason; the sending area sees each request and its answer on the
 * case, and may withdraw an unanswered one. A manager of neither area gets "not found".
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { mayAnswerTransfer, seesArea, supervisionScopeOf } from '../../../domain/access';
import type { CaseCommand } from '../../../domain/case-commands';
import { findCase } from '../../../infra/db/case-repository';
import { findArea } from '../../../infra/db/directory-repository';
import { findTransfer, listCaseTransfers, listPendingTransfers, type TransferView } from '../../../infra/db/transfer-repository';
import { readScopeOf } from '../../auth/permissions';
import { reportAccess } from '../../plugins/audit';
import { actorOf } from '../../plugins/auth';
import { problem } from '../../plugins/problems';
import { caseParamsSchema } from '../../schemas/cases';
import { bearerSecurity, idempotencyHeadersSchema, idempotencyKeyOf } from '../../schemas/common';
import { problemResponses } from '../../schemas/problem';
import { refuseTransferBodySchema, transferListQuerySchema, transferListSchema, transferParamsSchema, transferViewSchema, withdrawTransferBodySchema } from '../../schemas/transfers';

const transferRoutes: FastifyPluginAsyncZod = async (fastify) => {
  /** The request, if the actor sees its case or manages its receiving area; otherwise "not found". */
  async function visibleTransfer(request: FastifyRequest, caseId: string, transferId: string): Promise<TransferView> {
    const actor = actorOf(request);
    const transfer = await findTransfer(fastify.db, caseId, transferId);
    if (!transfer || !(seesArea(actor, transfer.caseAreaId) || mayAnswerTransfer(actor, transfer.toAreaId))) throw problem.notFound(`no transfer ${transferId} of case ${caseId}`);
    reportAccess(request, { caseId, areaId: transfer.caseAreaId, fields: ['transfer.reason'] });
    return transfer;
  }

  /** Runs an answer through the case workflow (which re-checks who may give it); answers with the request as now projected. */
  async function answer(request: FastifyRequest, params: { caseId: string; transferId: string }, commandOf: (transfer: TransferView) => Promise<CaseCommand> | CaseCommand) {
    const transfer = await visibleTransfer(request, params.caseId, params.transferId);
    const idempotencyKey = idempotencyKeyOf(request);
    // An answered request is settled in the read model: no need to wake the workflow, unless a keyed repeat asks for the first answer.
    if (transfer.status !== 'pending' && idempotencyKey === undefined) throw problem.conflict(`the transfer is already ${transfer.status}`);
    await fastify.caseCommands.execute(params.caseId, actorOf(request), await commandOf(transfer), { log: request.log, idempotencyKey, auditedRequest: request });
    return (await findTransfer(fastify.db, params.caseId, params.transferId))!;
  }

  const answerResponses = { 200: transferViewSchema, ...problemResponses(400, 401, 403, 404, 409, 422, 503) };

  fastify.get('/transfers', {
    config: { action: 'transfers.read', audit: 'read' },
    schema: {
      tags: ['transfers'],
      summary: 'Pending transfer requests into the areas you manage (or out of them), oldest first',
      security: bearerSecurity,
      querystring: transferListQuerySchema,
      response: { 200: transferListSchema, ...problemResponses(400, 401, 403, 503) },
    },
    handler: async (request) => {
      const { direction, limit } = request.query;
      const items = await listPendingTransfers(fastify.db, direction, supervisionScopeOf(actorOf(request)).areas, limit);
      if (items.length > 0) reportAccess(request, { fields: ['transfer.reason'] });
      return { items };
    },
  });

  fastify.get('/cases/:caseId/transfers', {
    config: { action: 'cases.read', audit: 'read' },
    schema: {
      tags: ['transfers'],
      summary: "A case's transfer requests, newest first: the pending one, and each answer with its reason",
      security: bearerSecurity,
      params: caseParamsSchema,
      response: { 200: transferListSchema, ...problemResponses(400, 401, 404, 503) },
    },
    handler: async (request) => {
      const { caseId } = request.params;
      const current = await findCase(fastify.db, readScopeOf(actorOf(request)), caseId);
      if (!current) throw problem.notFound(`no case ${caseId}`);
      reportAccess(request, { caseId, areaId: current.areaId, fields: ['transfer.reason'] });
      return { items: await listCaseTransfers(fastify.db, caseId) };
    },
  });

  fastify.post('/cases/:caseId/transfers/:transferId/accept', {
    config: { action: 'transfers.answer', audit: 'write' },
    schema: {
      tags: ['transfers'],
      summary: "Accept a transfer into your area: the case moves here and its open tasks go to your area's queues (managers of the receiving area)",
      security: bearerSecurity,
      params: transferParamsSchema,
      headers: idempotencyHeadersSchema,
      response: answerResponses,
    },
    handler: async (request) =>
      answer(request, request.params, async (transfer) => {
        const area = await findArea(fastify.db, transfer.toAreaId);
        // The area was checked when the request was made; one removed since cannot take the case.
        if (!area) throw problem.conflict(`the area "${transfer.toAreaId}" no longer exists`);
        return { kind: 'acceptTransfer', transferId: transfer.transferId, localHolidays: area.localHolidays };
      }),
  });

  fastify.post('/cases/:caseId/transfers/:transferId/refuse', {
    config: { action: 'transfers.answer', audit: 'write' },
    schema: {
      tags: ['transfers'],
      summary: 'Refuse a transfer into your area, with a reason the sending area reads; the case stays where it is',
      security: bearerSecurity,
      params: transferParamsSchema,
      headers: idempotencyHeadersSchema,
      body: refuseTransferBodySchema,
      response: answerResponses,
    },
    handler: async (request) => answer(request, request.params, (transfer) => ({ kind: 'refuseTransfer', transferId: transfer.transferId, reason: request.body.reason })),
  });

  fastify.post('/cases/:caseId/transfers/:transferId/withdraw', {
    config: { action: 'transfers.answer', audit: 'write' },
    schema: {
      tags: ['transfers'],
      summary: 'Withdraw an unanswered transfer request (managers of the sending area)',
      security: bearerSecurity,
      params: transferParamsSchema,
      headers: idempotencyHeadersSchema,
      body: withdrawTransferBodySchema,
      response: answerResponses,
    },
    handler: async (request) =>
      answer(request, request.params, (transfer) => ({ kind: 'withdrawTransfer', transferId: transfer.transferId, ...(request.body.reason ? { reason: request.body.reason } : {}) })),
  });
};

export default transferRoutes;
