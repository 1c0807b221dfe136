/**
 * Bearer tokens of the embedded identity provider: JWTs (HS256) signed with the configured secret,
 * carrying only the user id. Everything about verification lives here, so swapping to an external
 * OIDC provider (jose's createRemoteJWKSet) touches this module only.
 */
import { SignJWT, jwtVerify } from 'jose';
import { createSecretKey, type KeyObject } from 'node:crypto';

export const TOKEN_ISSUER = 'reticulate-embedded';
export const TOKEN_AUDIENCE = 'reticulate-api';
export const TOKEN_TTL_SECONDS = 12 * 60 * 60;

// Tolerated clock difference between the issuer and this process.
const clockToleranceSeconds = 30;
// Refused before any parsing or HMAC: a header this long is not one of ours.
const maxTokenLength = 4096;

/** Why a token was refused; the message is safe to show to the caller. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

// Built once per secret, not on every request: a KeyObject also verifies faster than raw bytes.
const signingKeys = new Map<string, KeyObject>();
function signingKey(secret: string): KeyObject {
  let key = signingKeys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    signingKeys.set(secret, key);
  }
  return key;
}

const isWellFormed = (text: string): boolean => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

/** Issues a token for a user id, valid for 12 hours from `now`. */
export async function issueAccessToken(secret: string, userId: string, now: Date = new Date()): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + TOKEN_TTL_SECONDS)
    .sign(signingKey(secret));
}

/** Verifies a token (algorithm, signature, issuer, audience, lifetime) and returns its user id. */
export async function verifyAccessToken(secret: string, token: string, now: Date = new Date()): Promise<{ userId: string }> {
  if (token.length > maxTokenLength) throw new InvalidTokenError('malformed token');
  let subject: unknown;
  try {
    const { payload } = await jwtVerify(token, signingKey(secret), {
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      // Only HS256: never "none", never an algorithm chosen by the token.
      algorithms: ['HS256'],
      clockTolerance: clockToleranceSeconds,
      // A token must expire, and no later than we would have let it: a leaked secret cannot mint forever-tokens.
      requiredClaims: ['exp'],
      maxTokenAge: TOKEN_TTL_SECONDS,
      currentDate: now,
    });
    subject = payload.sub;
  } catch (error) {
    throw new InvalidTokenError(refusal(error));
  }
  // The subject is looked up in the database: printable, well-formed text only.
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (typeof subject !== 'string' || !/^[^\u0000-\u001f\u007f]{1,200}$/.test(subject) || !isWellFormed(subject)) {
    throw new InvalidTokenError('token has no valid subject');
  }
  return { userId: subject };
}

/**
 * A message for the caller that names the failed check without echoing jose's text (which can
 * quote claim values). Matched on jose's `code`/`claim` strings rather than its error classes.
 */
function refusal(error: unknown): string {
  const { code, claim } = (error ?? {}) as { code?: unknown; claim?: unknown };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'token expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'invalid token signature';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'unsupported token algorithm';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'iss') return 'unexpected token issuer';
      if (claim === 'aud') return 'unexpected token audience';
      if (claim === 'nbf') return 'token not yet valid';
      if (claim === 'iat') return 'token issued in the future';
      return 'token claims are invalid';
    default:
      // ERR_JWS_INVALID, ERR_JWT_INVALID, and anything else the token's bytes provoked: the token is
      // what the caller sent, so its failure is a 401, never a 500.
      return 'malformed token';
  }
}
