/**
 * Notification administration: subscriptions (who is told what, through which channel), the
 * dead-letter list and its replay, and an on-demand run of the supervisor digest.
 */
import { z } from 'zod';
import { roleSchema, serviceKeySchema } from '../../domain/pathway-schema';
import { notificationKinds, subscribableKinds } from '../../infra/notifications/messages';
import { areaIdSchema, cursorSchema, isoDateTime, limitSchema, opaqueId, pageOf } from './common';

export const notificationChannelSchema = z.enum(['webhook', 'email']);

const kindsSchema = z
  .array(z.enum(subscribableKinds))
  .min(1)
  .max(subscribableKinds.length)
  .refine((kinds) => new Set(kinds).size === kinds.length, 'list each kind once')
  .describe('Which notifications: task_assigned (created for a service, reassigned), task_reminder, task_escalated, referral (every referral event), case_transfer (a transfer asked into the area).');

const filters = {
  areaId: areaIdSchema.optional().describe('Only events of this area (default: every area).'),
  service: serviceKeySchema.optional().describe('Only tasks or referrals of this service (default: every service).'),
  role: roleSchema.optional().describe('Only tasks aimed at this role; for escalations, the role the level reaches.'),
  kinds: kindsSchema,
};

const webhookSubscriptionSchema = z.strictObject({
  channel: z.literal('webhook'),
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(2000)
    .describe('Receives a signed JSON POST per notification (see the `Reticulate-Signature` header).'),
  ...filters,
});

const emailSubscriptionSchema = z
  .strictObject({
    channel: z.literal('email'),
    userId: opaqueId.optional().describe("A user: mail goes to the user's address, for events inside the user's scope."),
    address: z.email().max(254).optional().describe('A fixed mailbox (e.g. a team address).'),
    onlyAssigned: z.boolean().default(false).describe('With `userId`: only tasks held by that user.'),
    ...filters,
  })
  .superRefine((body, ctx) => {
    if ((body.userId === undefined) === (body.address === undefined)) {
      ctx.addIssue({ code: 'custom', path: [body.userId === undefined ? 'userId' : 'address'], message: 'give exactly one of userId and address' });
    }
    if (body.onlyAssigned && body.userId === undefined) ctx.addIssue({ code: 'custom', path: ['onlyAssigned'], message: 'needs userId' });
  });

export const createSubscriptionBodySchema = z
  .discriminatedUnion('channel', [webhookSubscriptionSchema, emailSubscriptionSchema])
  .meta({ id: 'NewNotificationSubscription' });
export type CreateSubscriptionBody = z.infer<typeof createSubscriptionBodySchema>;

export const subscriptionSchema = z
  .object({
    subscriptionId: z.uuid(),
    channel: notificationChannelSchema,
    url: z.string().nullable(),
    userId: z.string().nullable(),
    address: z.string().nullable(),
    areaId: z.string().nullable(),
    service: z.string().nullable(),
    role: z.string().nullable(),
    kinds: z.array(z.enum(subscribableKinds)),
    onlyAssigned: z.boolean(),
    createdAt: isoDateTime,
    createdBy: z.string(),
  })
  .meta({ id: 'NotificationSubscription' });

export const createdSubscriptionSchema = subscriptionSchema
  .extend({
    secret: z
      .string()
      .nullable()
      .describe('Webhooks: the signing secret, shown only in this answer. Verify `Reticulate-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.'),
  })
  .meta({ id: 'CreatedNotificationSubscription' });

export const subscriptionPageSchema = pageOf(subscriptionSchema);
export const subscriptionParamsSchema = z.object({ subscriptionId: z.uuid() });
export const subscriptionCursorSchema = z.object({ s: isoDateTime, id: z.uuid() });

export const deadLetterQuerySchema = z.object({
  subscriptionId: z.uuid().optional(),
  channel: notificationChannelSchema.optional(),
  limit: limitSchema,
  cursor: cursorSchema,
});
export const deadLetterCursorSchema = z.object({ d: isoDateTime, id: z.uuid() });

export const deadLetterSchema = z
  .object({
    deliveryId: z.uuid(),
    subscriptionId: z.uuid().nullable(),
    channel: notificationChannelSchema,
    kind: z.enum(notificationKinds),
    caseId: z.string().nullable(),
    eventSeq: z.number().int().nullable(),
    recipientUserId: z.string().nullable(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: isoDateTime,
    deadAt: isoDateTime,
    replayCount: z.number().int(),
    message: z.record(z.string(), z.unknown()).describe('The message as it would be sent: pseudonymous references and codes only.'),
  })
  .meta({ id: 'NotificationDeadLetter' });
export const deadLetterPageSchema = pageOf(deadLetterSchema);

export const replayBodySchema = z
  .strictObject({
    deliveryIds: z.array(z.uuid()).min(1).max(500).optional().describe('Replay these dead deliveries.'),
    subscriptionId: z.uuid().optional().describe('Replay every dead delivery of this subscription.'),
  })
  .superRefine((body, ctx) => {
    if ((body.deliveryIds === undefined) === (body.subscriptionId === undefined)) {
      ctx.addIssue({ code: 'custom', path: [body.deliveryIds === undefined ? 'deliveryIds' : 'subscriptionId'], message: 'give exactly one of deliveryIds and subscriptionId' });
    }
  })
  .meta({ id: 'NotificationReplay' });

export const replayResultSchema = z
  .object({
    replayed: z.array(z.uuid()).describe('Back in the queue with a fresh set of attempts.'),
    notDead: z.array(z.uuid()).describe('Listed ids that are not (or no longer) dead letters: left alone.'),
  })
  .meta({ id: 'NotificationReplayResult' });

export const digestRunSchema = z
  .object({
    workflowId: z.string(),
    supervisors: z.number().int().describe('Supervisors with stalled cases, one digest each.'),
    queued: z.number().int().describe('Digest emails queued by this run.'),
    skippedNoSmtp: z.boolean().describe('True when no SMTP server is configured: nothing was queued.'),
  })
  .meta({ id: 'NotificationDigestRun' });
