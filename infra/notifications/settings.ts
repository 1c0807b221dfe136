/**
 * Notification settings, parsed from the environment with the rest of the configuration
 * (infra/config.ts embeds this schema as `config.notifications`).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().min(1);

export const notificationSettingsSchema = z
  .object({
    /** Turns the dispatcher and the digest schedule of a worker off (e.g. a worker dedicated to cases only). */
    enabled: z.stringbool().default(true),
    /** `smtp://user:pass@host:port` or `smtps://…`; without it email deliveries fail and go to the dead letters. */
    smtpUrl: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
    emailFrom: z.string().trim().min(3).default('Reticulate <notifications@reticulate.invalid>'),
    /** Base of the links in messages (the web console or the API). */
    linkBaseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('http://127.0.0.1:3000'),
    maxAttempts: positiveInt.max(100).default(8),
    retryBaseMs: positiveInt.default(30_000),
    retryMaxMs: positiveInt.default(6 * 60 * 60 * 1000),
    pollIntervalMs: positiveInt.default(1_000),
    /** Time allowed to a webhook receiver or SMTP server to answer one attempt. */
    sendTimeoutMs: positiveInt.default(10_000),
    /** Cron (Europe/Rome) of the daily supervisor digest; "off" creates no schedule. */
    digestCron: z
      .string()
      .trim()
      .regex(/^off$|^\S+(\s+\S+){4}$/, 'must be a five-field cron expression (minute hour day month weekday) or "off"')
      .default('30 7 * * *'),
    /**
     * Webhooks may reach any address (loopback, private, link-local…). `notificationEnv` sets the
     * default from NODE_ENV: false in production (server-side request forgery), true elsewhere
     * (receivers on the developer's machine); settings built without the env refuse.
     */
    webhookAllowPrivate: z.stringbool({ error: 'must be true or false' }).default(false),
    /** Networks webhooks may reach although they are not public (an internal receiver), as addresses or CIDRs. */
    webhookAllowedNetworks: z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: 'must be a comma list of addresses or CIDR ranges' })).default([]),
  })
  .refine((settings) => settings.retryMaxMs >= settings.retryBaseMs, { path: ['retryMaxMs'], message: 'must be at least NOTIFICATION_RETRY_BASE_MS' });

export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;

export const notificationEnvNames = {
  'notifications.enabled': 'NOTIFICATIONS_ENABLED',
  'notifications.smtpUrl': 'SMTP_URL',
  'notifications.emailFrom': 'NOTIFICATION_EMAIL_FROM',
  'notifications.linkBaseUrl': 'NOTIFICATION_LINK_BASE_URL',
  'notifications.maxAttempts': 'NOTIFICATION_MAX_ATTEMPTS',
  'notifications.retryBaseMs': 'NOTIFICATION_RETRY_BASE_MS',
  'notifications.retryMaxMs': 'NOTIFICATION_RETRY_MAX_MS',
  'notifications.pollIntervalMs': 'NOTIFICATION_POLL_MS',
  'notifications.sendTimeoutMs': 'NOTIFICATION_SEND_TIMEOUT_MS',
  'notifications.digestCron': 'NOTIFICATION_DIGEST_CRON',
  'notifications.webhookAllowPrivate': 'NOTIFICATION_WEBHOOK_ALLOW_PRIVATE',
  'notifications.webhookAllowedNetworks': 'NOTIFICATION_WEBHOOK_ALLOWED_NETWORKS',
} as const;

/** The raw (unparsed) notification settings from the environment; unset and empty both mean the default. */
export function notificationEnv(env: NodeJS.ProcessEnv): Record<string, string | string[] | undefined> {
  const raw: Record<string, string | string[] | undefined> = {};
  for (const [key, name] of Object.entries(notificationEnvNames)) {
    const value = env[name];
    raw[key.slice('notifications.'.length)] = value === undefined || value.trim() === '' ? undefined : value;
  }
  raw.webhookAllowPrivate ??= env.NODE_ENV === 'production' ? 'false' : 'true';
  const networks = raw.webhookAllowedNetworks;
  if (typeof networks === 'string') raw.webhookAllowedNetworks = networks.split(',').map((item) => item.trim()).filter((item) => item !== '');
  // SMTP credentials may come from a file like the other secrets.
  if (raw.smtpUrl === undefined && env.SMTP_URL_FILE) raw.smtpUrl = readFileSync(env.SMTP_URL_FILE, 'utf8').trim();
  return raw;
}
