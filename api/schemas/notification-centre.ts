/**
 * The notification centre of the signed-in user (`/me/notifications`) and their notification
 * choices (`/me/notification-preferences`).
 */
import { z } from 'zod';
import { defaultRuleReaches } from '../../domain/notification-matching';
import { subscribableKinds } from '../../infra/notifications/messages';
import { notificationLocales } from '../../infra/db/notification-preference-repository';
import { cursorSchema, isoDateTime, limitSchema, pageOf, queryBoolean } from './common';

const localizedTitle = z.object({ it: z.string(), en: z.string().optional() }).meta({ id: 'NotificationStepTitle' });

export const userNotificationSchema = z
  .object({
    notificationId: z.uuid(),
    kind: z.enum(subscribableKinds),
    event: z.string().describe('The case event: task_escalated, referral_created, task_reassigned…'),
    occurredAt: isoDateTime,
    readAt: isoDateTime.nullable(),
    rules: z.array(z.string()).describe('The default rules by which the event concerns you (see GET /me/notification-preferences).'),
    caseId: z.string(),
    caseReference: z.string().nullable(),
    areaId: z.string().nullable(),
    stepId: z.string().nullable(),
    stepTitle: localizedTitle.nullable(),
    taskId: z.string().nullable(),
    referralId: z.string().nullable(),
    service: z.string().nullable(),
    fromService: z.string().nullable().describe('The service that sent the referral, on its answers (accepted, rejected, outcome); null otherwise.'),
    role: z.string().nullable(),
    deadline: isoDateTime.nullable(),
    level: z.number().int().nullable(),
  })
  .meta({ id: 'UserNotification' });

export const userNotificationPageSchema = pageOf(userNotificationSchema)
  .extend({ unreadCount: z.number().int().min(0).describe('Unread notifications in your scope (all pages).') })
  .meta({ id: 'UserNotificationPage' });

export const userNotificationQuerySchema = z.object({
  limit: limitSchema,
  cursor: cursorSchema,
  unread: queryBoolean.optional().describe('Only the unread ones.'),
});

// A cursor is opaque but decodable: a forged one must not carry a date PostgreSQL cannot read.
export const userNotificationCursorSchema = z.object({ o: isoDateTime.refine((value) => new Date(value).getUTCFullYear() >= 1), id: z.uuid() });

export const unreadCountSchema = z.object({ unreadCount: z.number().int().min(0) }).meta({ id: 'UnreadNotifications' });

export const markReadBodySchema = z
  .union([
    z.strictObject({ notificationIds: z.array(z.uuid()).min(1).max(100).describe('These notifications (yours; others are ignored).') }),
    z.strictObject({ all: z.literal(true).describe('Every notification of yours.') }),
  ]);

export const markReadResultSchema = z
  .object({ marked: z.array(z.uuid()).describe('Those newly marked read.'), unreadCount: z.number().int().min(0) })
  .meta({ id: 'MarkNotificationsReadResult' });

export const preferencesBodySchema = z
  .strictObject({
    locale: z.enum(notificationLocales).describe('The language of your notification emails (Italian by default).'),
    mutedRules: z.array(z.string().min(1).max(100)).max(50).describe('Default rules you want no email for (the centre still shows them).'),
  });

export const preferencesSchema = z
  .object({
    locale: z.enum(notificationLocales),
    mutedRules: z.array(z.string()),
    rules: z
      .array(
        z.object({
          ruleKey: z.string(),
          role: z.string().nullable(),
          events: z.array(z.string()),
          reach: z.enum(defaultRuleReaches),
          email: z.boolean().describe('Whether the rule emails by default.'),
          appliesToYou: z.boolean().describe('Whether you hold the role the rule is for.'),
        }),
      )
      .describe('The default rules: what concerns you without anyone setting it up.'),
  })
  .meta({ id: 'NotificationPreferences' });
