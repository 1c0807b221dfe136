/**
 * Notification administration (admins, action `notifications.admin`): subscriptions as data, the
 * dead-letter list and its replay, and an on-demand run of the daily supervisor digest.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { workflowTypes } from '../../../domain/case-messages';
import { findArea, listServiceKeys } from '../../../infra/db/directory-repository';
import { listDeadLetters, replayDeadLetters } from '../../../infra/db/notification-dead-letter-repository';
import { findUserEmail } from '../../../infra/db/notification-recipient-repository';
import { createSubscription, deleteSubscription, listSubscriptions, type SubscriptionInput } from '../../../infra/db/notification-subscription-repository';
import { newWebhookSecret } from '../../../infra/notifications/signing';
import { vetWebhookHost, webhookAddressPolicy, webhookHost, WebhookAddressRefused } from '../../../infra/notifications/webhook-address';
import { actorOf } from '../../plugins/auth';
import { problem } from '../../plugins/problems';
import { bearerSecurity, decodeCursor, encodeCursor, pageQuerySchema } from '../../schemas/common';
import {
  createdSubscriptionSchema,
  createSubscriptionBodySchema,
  deadLetterCursorSchema,
  deadLetterPageSchema,
  deadLetterQuerySchema,
  digestRunSchema,
  replayBodySchema,
  replayResultSchema,
  subscriptionCursorSchema,
  subscriptionPageSchema,
  subscriptionParamsSchema,
  type CreateSubscriptionBody,
} from '../../schemas/notifications';
import { problemResponses, problemTypes, type ProblemIssue } from '../../schemas/problem';

// The resolver's answers for a name that does not exist (as opposed to one it could not ask about now).
const unresolvableCodes = new Set(['ENOTFOUND', 'ENODATA', 'EAI_FAIL', 'EAI_NONAME']);

const notificationRoutes: FastifyPluginAsyncZod = async (fastify) => {
  const webhookPolicy = webhookAddressPolicy(fastify.appConfig.notifications);

  /**
   * A webhook must reach a public address unless the settings allow more (server-side request
   * forgery); the send checks again, this is the early answer an admin can act on.
   */
  async function checkWebhookUrl(url: string): Promise<void> {
    if (webhookPolicy.allowsEverything) return;
    const issue = (message: string, code: string): ProblemIssue[] => [{ path: ['url'], message, code }];
    try {
      await vetWebhookHost(webhookHost(new URL(url)), webhookPolicy);
    } catch (error) {
      if (error instanceof WebhookAddressRefused) throw problem.unprocessable(problemTypes.invalidData, 'the webhook URL may not be reached from this server', issue(error.message, error.code));
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && unresolvableCodes.has(code)) throw problem.unprocessable(problemTypes.invalidData, 'the webhook URL names an unknown host', issue('the host name does not resolve', 'unresolvable_host'));
      throw problem.unavailable('the webhook host name could not be looked up now; retry later');
    }
  }

  /** References a subscription names must exist: unknown ones are a 422 with their paths. */
  async function checkReferences(body: CreateSubscriptionBody): Promise<void> {
    const issues: ProblemIssue[] = [];
    if (body.areaId !== undefined && !(await findArea(fastify.db, body.areaId))) issues.push({ path: ['areaId'], message: `unknown area ${body.areaId}`, code: 'unknown_area' });
    if (body.service !== undefined && !(await listServiceKeys(fastify.db)).includes(body.service)) {
      issues.push({ path: ['service'], message: `unknown service ${body.service}`, code: 'unknown_service' });
    }
    if (body.channel === 'email' && body.userId !== undefined) {
      const user = await findUserEmail(fastify.db, body.userId);
      if (!user.exists) issues.push({ path: ['userId'], message: 'unknown user', code: 'unknown_user' });
      else if (user.email === null) issues.push({ path: ['userId'], message: 'the user has no email address', code: 'no_email' });
    }
    if (issues.length > 0) throw problem.unprocessable(problemTypes.invalidData, 'the subscription names things that do not exist', issues);
  }

  fastify.get('/notifications/subscriptions', {
    config: { action: 'notifications.admin' },
    schema: {
      tags: ['notifications'],
      summary: 'Notification subscriptions (admins); secrets are never shown again',
      security: bearerSecurity,
      querystring: pageQuerySchema,
      response: { 200: subscriptionPageSchema, ...problemResponses(400, 401, 403, 503) },
    },
    handler: async (request) => {
      const { limit, cursor } = request.query;
      const position = cursor === undefined ? undefined : decodeCursor(cursor, subscriptionCursorSchema);
      if (cursor !== undefined && !position) throw problem.invalidCursor();
      const page = await listSubscriptions(fastify.db, { limit, after: position ? { createdAt: position.s, id: position.id } : undefined });
      return { items: page.items, nextCursor: page.next ? encodeCursor({ s: page.next.createdAt, id: page.next.id }) : null };
    },
  });

  fastify.post('/notifications/subscriptions', {
    config: { action: 'notifications.admin', audit: 'write' },
    schema: {
      tags: ['notifications'],
      summary: 'Subscribe a webhook, a user or a mailbox to notifications (admins)',
      description:
        'Webhooks get a signing secret, shown only in this answer. Each notification is a JSON POST with the headers ' +
        '`Reticulate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>.<raw body>">`, `Reticulate-Delivery` (stable across retries) and ' +
        '`Reticulate-Event`. Messages carry pseudonymous references and codes only.',
      security: bearerSecurity,
      body: createSubscriptionBodySchema,
      response: { 201: createdSubscriptionSchema, ...problemResponses(400, 401, 403, 415, 422, 503) },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const body = request.body;
      await checkReferences(body);
      if (body.channel === 'webhook') await checkWebhookUrl(body.url);
      const secret = body.channel === 'webhook' ? newWebhookSecret() : null;
      const input: SubscriptionInput = {
        channel: body.channel,
        url: body.channel === 'webhook' ? body.url : null,
        secret,
        userId: body.channel === 'email' ? (body.userId ?? null) : null,
        address: body.channel === 'email' ? (body.address ?? null) : null,
        areaId: body.areaId ?? null,
        service: body.service ?? null,
        role: body.role ?? null,
        kinds: body.kinds,
        onlyAssigned: body.channel === 'email' ? body.onlyAssigned : false,
      };
      const created = await createSubscription(fastify.db, input, actor.id);
      void reply.header('cache-control', 'no-store');
      return reply.code(201).header('location', `/notifications/subscriptions/${created.subscriptionId}`).send({ ...created, secret });
    },
  });

  fastify.delete('/notifications/subscriptions/:subscriptionId', {
    config: { action: 'notifications.admin', audit: 'write' },
    schema: {
      tags: ['notifications'],
      summary: 'Delete a subscription; its unsent and dead deliveries are cancelled (admins)',
      security: bearerSecurity,
      params: subscriptionParamsSchema,
      response: { 204: z.null().describe('Deleted'), ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request, reply) => {
      if (!(await deleteSubscription(fastify.db, request.params.subscriptionId, actorOf(request).id))) throw problem.notFound('no such subscription');
      return reply.code(204).send(null);
    },
  });

  fastify.get('/notifications/dead-letters', {
    config: { action: 'notifications.admin' },
    schema: {
      tags: ['notifications'],
      summary: 'Deliveries that used up their attempts, most recent first (admins)',
      security: bearerSecurity,
      querystring: deadLetterQuerySchema,
      response: { 200: deadLetterPageSchema, ...problemResponses(400, 401, 403, 503) },
    },
    handler: async (request) => {
      const { limit, cursor, subscriptionId, channel } = request.query;
      const position = cursor === undefined ? undefined : decodeCursor(cursor, deadLetterCursorSchema);
      if (cursor !== undefined && !position) throw problem.invalidCursor();
      const page = await listDeadLetters(fastify.db, { subscriptionId, channel }, { limit, after: position ? { deadAt: position.d, id: position.id } : undefined });
      return {
        items: page.items.map((item) => ({ ...item, message: item.message as unknown as Record<string, unknown> })),
        nextCursor: page.next ? encodeCursor({ d: page.next.deadAt, id: page.next.id }) : null,
      };
    },
  });

  fastify.post('/notifications/dead-letters/replay', {
    config: { action: 'notifications.admin', audit: 'write' },
    schema: {
      tags: ['notifications'],
      summary: 'Send dead deliveries again, with a fresh set of attempts (admins)',
      security: bearerSecurity,
      body: replayBodySchema,
      response: { 200: replayResultSchema, ...problemResponses(400, 401, 403, 415, 503) },
    },
    handler: async (request) => {
      const { deliveryIds, subscriptionId } = request.body;
      const actorId = actorOf(request).id;
      if (deliveryIds !== undefined) {
        const unique = [...new Set(deliveryIds)];
        const replayed = await replayDeadLetters(fastify.db, { deliveryIds: unique }, actorId);
        const done = new Set(replayed);
        return { replayed, notDead: unique.filter((id) => !done.has(id)) };
      }
      return { replayed: await replayDeadLetters(fastify.db, { subscriptionId: subscriptionId! }, actorId), notDead: [] };
    },
  });

  fastify.post('/notifications/digest/run', {
    config: { action: 'notifications.admin', audit: 'write' },
    schema: {
      tags: ['notifications'],
      summary: 'Run the supervisor digest now (admins; it also runs daily on a schedule)',
      description: 'Queues one email per supervisor with stalled cases in their areas and answers when they are queued; the dispatcher sends them.',
      security: bearerSecurity,
      response: { 200: digestRunSchema, ...problemResponses(401, 403, 503) },
    },
    handler: async () => {
      const workflowId = `supervisor-digest-manual-${randomUUID()}`;
      const result = await fastify.withTemporalDeadline(() =>
        fastify.temporal.workflow.execute<() => Promise<{ supervisors: number; queued: number; skippedNoSmtp: boolean }>>(workflowTypes.supervisorDigest, {
          taskQueue: fastify.taskQueue,
          workflowId,
          args: [],
        }),
      );
      return { workflowId, ...result };
    },
  });
};

export default notificationRoutes;
