/**
 * Bearer tokens of the embedded identity provider: compact JWS (HS256) signed with the configured
 * secret, carrying only the user id. Everything about verification lives here, so swapping to an
 * external OIDC provider (JWKS) touches this module only.
 *
 * Implemented on node:crypto rather than `jose`: jose 6 is ESM-only and the jest sandbox of this
 * CommonJS codebase cannot load it. Once jest.config.js transforms it (transformIgnorePatterns:
 * ['/node_modules/(?!jose/)']), SignJWT/jwtVerify can replace the bodies below; the only change
 * for callers is that jose's functions are async.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TOKEN_ISSUER = 'reticulate-embedded';
export const TOKEN_AUDIENCE = 'reticulate-api';
export const TOKEN_TTL_SECONDS = 12 * 60 * 60;

// Tolerated clock difference between the issuer and this process.
const clockToleranceSeconds = 30;
const maxTokenLength = 4096;

/** Why a token was refused; the message is safe to show to the caller. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

const isWellFormed = (text: string): boolean => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

const encodeJson = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function signature(secret: string, signingInput: string): Buffer {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(signingInput).digest();
}

function decodeJson(segment: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) throw new InvalidTokenError('malformed token');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTokenError('malformed token');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidTokenError('malformed token');
  return value as Record<string, unknown>;
}

/** Issues a token for a user id, valid for 12 hours from `now`. */
export function issueAccessToken(secret: string, userId: string, now: Date = new Date()): string {
  const iat = Math.floor(now.getTime() / 1000);
  const header = encodeJson({ alg: 'HS256', typ: 'JWT' });
  const payload = encodeJson({ sub: userId, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, iat, exp: iat + TOKEN_TTL_SECONDS });
  const signingInput = `${header}.${payload}`;
  return `${signingInput}.${signature(secret, signingInput).toString('base64url')}`;
}

/** Verifies a token (algorithm, signature, issuer, audience, lifetime) and returns its user id. */
export function verifyAccessToken(secret: string, token: string, now: Date = new Date()): { userId: string } {
  if (token.length > maxTokenLength) throw new InvalidTokenError('malformed token');
  const parts = token.split('.');
  if (parts.length !== 3) throw new InvalidTokenError('malformed token');
  const [headerPart, payloadPart, signaturePart] = parts;
  const header = decodeJson(headerPart);
  // Only HS256: never "none", never an algorithm chosen by the token.
  if (header.alg !== 'HS256' || header.crit !== undefined) throw new InvalidTokenError('unsupported token algorithm');
  if (!/^[A-Za-z0-9_-]+$/.test(signaturePart)) throw new InvalidTokenError('malformed token');
  const given = Buffer.from(signaturePart, 'base64url');
  const expected = signature(secret, `${headerPart}.${payloadPart}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidTokenError('invalid token signature');
  const claims = decodeJson(payloadPart);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (claims.iss !== TOKEN_ISSUER) throw new InvalidTokenError('unexpected token issuer');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(TOKEN_AUDIENCE)) throw new InvalidTokenError('unexpected token audience');
  if (typeof claims.exp !== 'number' || claims.exp + clockToleranceSeconds <= nowSeconds) throw new InvalidTokenError('token expired');
  if (typeof claims.nbf === 'number' && claims.nbf - clockToleranceSeconds > nowSeconds) throw new InvalidTokenError('token not yet valid');
  if (typeof claims.iat === 'number' && claims.iat - clockToleranceSeconds > nowSeconds) throw new InvalidTokenError('token issued in the future');
  // The subject is looked up in the database: printable, well-formed text only.
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (typeof claims.sub !== 'string' || !/^[^\u0000-\u001f\u007f]{1,200}$/.test(claims.sub) || !isWellFormed(claims.sub)) {
    throw new InvalidTokenError('token has no valid subject');
  }
  return { userId: claims.sub };
}
