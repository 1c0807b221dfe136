/**
 * The signed-in user's notification centre: the case events that concern them (by the default
 * rules, written by the dispatcher), narrowed to their current read scope (domain/access.ts), with
 * the unread count for the console's bell; and their notification choices (email language, default
 * rules muted for email).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readScopeOf } from '../../../domain/access';
import { countUnread, listUserNotifications, markRead, type UserNotification } from '../../../infra/db/notification-centre-repository';
import { findPreferences, loadDefaultRules, savePreferences } from '../../../infra/db/notification-preference-repository';
import { actorOf } from '../../plugins/auth';
import { problem } from '../../plugins/problems';
import { bearerSecurity, decodeCursor, encodeCursor } from '../../schemas/common';
import {
  markReadBodySchema,
  markReadResultSchema,
  preferencesBodySchema,
  preferencesSchema,
  unreadCountSchema,
  userNotificationCursorSchema,
  userNotificationPageSchema,
  userNotificationQuerySchema,
} from '../../schemas/notification-centre';
import { problemResponses, problemTypes, type ProblemIssue } from '../../schemas/problem';

function toItem({ notificationId, kind, event, occurredAt, readAt, ruleKeys, message }: UserNotification) {
  return {
    notificationId,
    kind,
    event,
    occurredAt,
    readAt,
    rules: ruleKeys,
    caseId: message.caseId,
    caseReference: message.caseReference,
    areaId: message.areaId,
    stepId: message.stepId,
    stepTitle: message.stepTitle ?? null,
    taskId: message.taskId,
    referralId: message.referralId,
    service: message.service,
    fromService: message.fromService ?? null,
    role: message.role,
    deadline: message.deadline,
    level: message.level,
  };
}

const meNotificationRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/me/notifications', {
    config: { action: 'me.read' },
    schema: {
      tags: ['me'],
      summary: 'My notification centre: escalations, referrals and reassignments that concern me, newest first',
      security: bearerSecurity,
      querystring: userNotificationQuerySchema,
      response: { 200: userNotificationPageSchema, ...problemResponses(400, 401, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const { limit, cursor, unread } = request.query;
      const position = cursor === undefined ? undefined : decodeCursor(cursor, userNotificationCursorSchema);
      if (cursor !== undefined && !position) throw problem.invalidCursor();
      const scope = readScopeOf(actor);
      const page = await listUserNotifications(fastify.db, actor.id, scope, {
        limit,
        unreadOnly: unread ?? false,
        after: position ? { occurredAt: position.o, id: position.id } : undefined,
      });
      return {
        items: page.items.map(toItem),
        nextCursor: page.next ? encodeCursor({ o: page.next.occurredAt, id: page.next.id }) : null,
        unreadCount: await countUnread(fastify.db, actor.id, scope),
      };
    },
  });

  fastify.get('/me/notifications/unread-count', {
    config: { action: 'me.read' },
    schema: {
      tags: ['me'],
      summary: 'How many of my notifications are unread (the console polls it for its bell)',
      security: bearerSecurity,
      response: { 200: unreadCountSchema, ...problemResponses(401, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      return { unreadCount: await countUnread(fastify.db, actor.id, readScopeOf(actor)) };
    },
  });

  fastify.post('/me/notifications/read', {
    config: { action: 'me.read' },
    schema: {
      tags: ['me'],
      summary: 'Mark some of my notifications, or all of them, read',
      security: bearerSecurity,
      body: markReadBodySchema,
      response: { 200: markReadResultSchema, ...problemResponses(400, 401, 415, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const body = request.body;
      const marked = await markRead(fastify.db, actor.id, 'all' in body ? { all: true } : { notificationIds: [...new Set(body.notificationIds)] });
      return { marked, unreadCount: await countUnread(fastify.db, actor.id, readScopeOf(actor)) };
    },
  });

  async function preferencesOf(userId: string, roles: readonly string[]) {
    const [preferences, rules] = await Promise.all([findPreferences(fastify.db, userId), loadDefaultRules(fastify.db)]);
    return { ...preferences, rules: rules.map((rule) => ({ ...rule, events: [...rule.events], appliesToYou: rule.role === null || roles.includes(rule.role) })) };
  }

  fastify.get('/me/notification-preferences', {
    config: { action: 'me.read' },
    schema: {
      tags: ['me'],
      summary: 'My notification choices, and the default rules they apply to',
      security: bearerSecurity,
      response: { 200: preferencesSchema, ...problemResponses(401, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      return preferencesOf(actor.id, actor.roles);
    },
  });

  fastify.put('/me/notification-preferences', {
    config: { action: 'me.read', audit: 'write' },
    schema: {
      tags: ['me'],
      summary: 'Choose the language of my notification emails and the default rules I want no email for',
      security: bearerSecurity,
      body: preferencesBodySchema,
      response: { 200: preferencesSchema, ...problemResponses(400, 401, 415, 422, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const known = new Set((await loadDefaultRules(fastify.db)).map((rule) => rule.ruleKey));
      const issues: ProblemIssue[] = request.body.mutedRules.flatMap((ruleKey, index) =>
        known.has(ruleKey) ? [] : [{ path: ['mutedRules', index], message: `no default rule "${ruleKey}"`, code: 'unknown_rule' }],
      );
      if (issues.length > 0) throw problem.unprocessable(problemTypes.invalidData, 'mutedRules names rules that do not exist', issues);
      await savePreferences(fastify.db, actor.id, request.body);
      return preferencesOf(actor.id, actor.roles);
    },
  });
};

export default meNotificationRoutes;
