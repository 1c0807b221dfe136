/**
 * The channels a delivery leaves through: a signed webhook POST, or an email over SMTP
 * (nodemailer). A failed attempt throws a `DeliveryError` whose message is safe to store and show
 * to admins: status codes and error codes only, never a response body or an address.
 *
 * Webhooks go through node:http(s) rather than fetch: its `lookup` option lets the socket connect
 * to the addresses vetted just before (webhook-address.ts), so DNS rebinding cannot redirect a send.
 */
import http from 'node:http';
import https from 'node:https';
import { createTransport } from 'nodemailer';
import type { NotificationMessage } from './messages';
import { webhookBody } from './messages';
import { renderEmail, type EmailLocale, type EmailNames } from './email-rendering';
import type { NotificationSettings } from './settings';
import { signWebhookBody, signatureHeader } from './signing';
import { pinnedLookup, resolveHost, vetWebhookHost, webhookAddressPolicy, webhookHost, WebhookAddressRefused, type ResolvedAddress, type ResolveHost } from './webhook-address';

/** A failed attempt; `message` is fit for the dead-letter list. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
}

/** One delivery, resolved to where it goes. */
export type OutgoingDelivery =
  | { deliveryId: string; channel: 'webhook'; url: string; secret: string; message: NotificationMessage }
  | { deliveryId: string; channel: 'email'; to: string; locale: EmailLocale; message: NotificationMessage; names?: EmailNames };

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

/** One POST (to the vetted addresses when there are some); answers the status code once the response head arrives. */
function postWebhook(url: URL, addresses: readonly ResolvedAddress[] | null, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ...(addresses ? { lookup: pinnedLookup(addresses) } : {}),
        // A fresh connection per send: a pooled socket would outlive the check that vetted it.
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        // node:http never follows redirects: a 3xx is a failure, so the signed body goes nowhere unregistered.
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Builds the channels from the settings; the SMTP transport is created once and reused. `resolve` replaces DNS in tests. */
export function createNotificationChannels(settings: NotificationSettings, { resolve = resolveHost }: { resolve?: ResolveHost } = {}): NotificationChannels {
  const addressPolicy = webhookAddressPolicy(settings);
  const mailer = settings.smtpUrl
    ? createTransport({
        url: settings.smtpUrl,
        connectionTimeout: settings.sendTimeoutMs,
        greetingTimeout: settings.sendTimeoutMs,
        socketTimeout: settings.sendTimeoutMs,
      })
    : null;

  async function sendWebhook(delivery: Extract<OutgoingDelivery, { channel: 'webhook' }>): Promise<void> {
    const url = new URL(delivery.url);
    const body = webhookBody(delivery.deliveryId, delivery.message);
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Reticulate-Webhooks/1',
      [signatureHeader]: signWebhookBody(delivery.secret, body, timestamp),
      // Stable across retries: receivers drop a delivery they have already processed.
      'reticulate-delivery': delivery.deliveryId,
      'reticulate-event': delivery.message.kind,
    };
    let status: number;
    try {
      // Vetted again at every send: the name may resolve elsewhere than when the subscription was made.
      const addresses = addressPolicy.allowsEverything ? null : await vetWebhookHost(webhookHost(url), addressPolicy, resolve);
      status = await postWebhook(url, addresses, headers, body, settings.sendTimeoutMs);
    } catch (error) {
      if (error instanceof WebhookAddressRefused) throw new DeliveryError(`webhook refused: ${error.message}`, { cause: error });
      throw new DeliveryError(`webhook not reached: ${errorCode(error)}`, { cause: error });
    }
    if (status < 200 || status >= 300) throw new DeliveryError(`webhook answered HTTP ${status}`);
  }

  async function sendEmail(delivery: Extract<OutgoingDelivery, { channel: 'email' }>): Promise<void> {
    if (!mailer) throw new DeliveryError('email is not configured (SMTP_URL)');
    const { subject, text } = renderEmail(delivery.message, delivery.locale, delivery.names);
    try {
      await mailer.sendMail({
        from: settings.emailFrom,
        to: delivery.to,
        subject,
        text,
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
