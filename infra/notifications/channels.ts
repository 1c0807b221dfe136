/**
 * The channels a delivery leaves through: a signed webhook POST, or an email over SMTP
 * (nodemailer). A failed attempt throws a `DeliveryError` whose message is safe to store and show
 * to admins: status codes and error codes only, never a response body or an address.
 */
import { createTransport } from 'nodemailer';
import type { NotificationMessage } from './messages';
import { emailSubject, emailText, webhookBody } from './messages';
import type { NotificationSettings } from './settings';
import { signWebhookBody, signatureHeader } from './signing';

/** A failed attempt; `message` is fit for the dead-letter list. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
}

/** One delivery, resolved to where it goes. */
export type OutgoingDelivery =
  | { deliveryId: string; channel: 'webhook'; url: string; secret: string; message: NotificationMessage }
  | { deliveryId: string; channel: 'email'; to: string; message: NotificationMessage };

export interface NotificationChannels {
  send(delivery: OutgoingDelivery): Promise<void>;
  close(): void;
}

function errorCode(error: unknown): string {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth += 1) {
    if (current.name === 'TimeoutError' || current.name === 'AbortError') return 'timeout';
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  }
  return 'network error';
}

/** Builds the channels from the settings; the SMTP transport is created once and reused. */
export function createNotificationChannels(settings: NotificationSettings): NotificationChannels {
  const mailer = settings.smtpUrl
    ? createTransport({
        url: settings.smtpUrl,
        connectionTimeout: settings.sendTimeoutMs,
        greetingTimeout: settings.sendTimeoutMs,
        socketTimeout: settings.sendTimeoutMs,
      })
    : null;

  async function sendWebhook(delivery: Extract<OutgoingDelivery, { channel: 'webhook' }>): Promise<void> {
    const body = webhookBody(delivery.deliveryId, delivery.message);
    const timestamp = Math.floor(Date.now() / 1000);
    let response: Response;
    try {
      response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Reticulate-Webhooks/1',
          [signatureHeader]: signWebhookBody(delivery.secret, body, timestamp),
          // Stable across retries: receivers drop a delivery they have already processed.
          'reticulate-delivery': delivery.deliveryId,
          'reticulate-event': delivery.message.kind,
        },
        body,
        // A redirect could carry the signed body somewhere the admin did not register.
        redirect: 'manual',
        signal: AbortSignal.timeout(settings.sendTimeoutMs),
      });
    } catch (error) {
      throw new DeliveryError(`webhook not reached: ${errorCode(error)}`, { cause: error });
    }
    await response.body?.cancel().catch(() => undefined);
    if (response.status < 200 || response.status >= 300) throw new DeliveryError(`webhook answered HTTP ${response.status}`);
  }

  async function sendEmail(delivery: Extract<OutgoingDelivery, { channel: 'email' }>): Promise<void> {
    if (!mailer) throw new DeliveryError('email is not configured (SMTP_URL)');
    try {
      await mailer.sendMail({
        from: settings.emailFrom,
        to: delivery.to,
        subject: emailSubject(delivery.message),
        text: emailText(delivery.message),
        // The same id on every attempt, so a mail system can drop a duplicate.
        messageId: `<${delivery.deliveryId}@reticulate.notifications>`,
        headers: { 'X-Reticulate-Delivery': delivery.deliveryId, 'X-Reticulate-Event': delivery.message.kind },
      });
    } catch (error) {
      const responseCode = (error as { responseCode?: unknown }).responseCode;
      throw new DeliveryError(typeof responseCode === 'number' ? `SMTP server answered ${responseCode}` : `SMTP server not reached: ${errorCode(error)}`, { cause: error });
    }
  }

  return {
    send: (delivery) => (delivery.channel === 'webhook' ? sendWebhook(delivery) : sendEmail(delivery)),
    close: () => mailer?.close(),
  };
}
