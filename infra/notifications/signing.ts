/**
 * Webhook signatures. Every webhook body is signed with the subscription's secret:
 *
 *   Reticulate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">
 *
 * A receiver verifies it by recomputing the HMAC over the timestamp, a dot and the raw request body
 * (the bytes received, before any JSON parsing), comparing in constant time with any `v1` value,
 * and refusing timestamps older than a few minutes (replayed requests). `verifyWebhookSignature`
 * below is exactly that check; several `v1` values may appear while a secret is being rotated.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'reticulate-signature';
/** Receivers refuse signatures older (or further in the future) than this by default. */
export const defaultToleranceSeconds = 300;

/** A new webhook secret: 32 random bytes, prefixed so it is recognisable in a secret store. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The value of the `Reticulate-Signature` header for a body sent at `timestamp` (unix seconds). */
export function signWebhookBody(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;
}

export type SignatureCheck = { valid: true; timestamp: number } | { valid: false; reason: 'malformed' | 'expired' | 'mismatch' };

/** Verifies a `Reticulate-Signature` header against the raw body, as a receiver should. */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string,
  { now = new Date(), toleranceSeconds = defaultToleranceSeconds }: { now?: Date; toleranceSeconds?: number } = {},
): SignatureCheck {
  if (!header) return { valid: false, reason: 'malformed' };
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && /^\d{1,12}$/.test(value ?? '')) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value ?? '')) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return { valid: false, reason: 'malformed' };
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return { valid: false, reason: 'expired' };
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  const matches = signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected));
  return matches ? { valid: true, timestamp } : { valid: false, reason: 'mismatch' };
}
