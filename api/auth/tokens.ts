/**
 * Bearer token verification: JWTs from trusted OIDC issuers, each verified against its JWKS with
 * jose (signature with an allowed asymmetric algorithm, issuer, audience, expiry and not-before
 * with a small clock tolerance, a subject). Two kinds of issuer take the very same path: an external
 * provider (OIDC_ISSUER, keys from its discovered or configured JWKS URL) and the embedded local
 * issuer (infra/local-issuer.ts, keys from its own JWKS).
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';

// Tolerated clock difference between an issuer and this process.
const clockToleranceSeconds = 30;
// Refused before any parsing: a header this long is not a token we issue or accept.
const maxTokenLength = 8192;
// After a failed discovery, requests fail fast for this long instead of each asking the provider again.
const discoveryRetryMs = 10_000;
const fetchTimeoutMs = 5_000;

/** Why a token was refused; the message is safe to show to the caller. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

/** The issuer's keys cannot be fetched right now (provider down or answering nonsense): a 503, not the caller's fault. */
export class KeysUnavailableError extends Error {
  override name = 'KeysUnavailableError';
}

/** An issuer whose tokens the API accepts. */
export interface TrustedIssuer {
  /** Exact `iss` value. */
  issuer: string;
  audience: string;
  /** Allowed signature algorithms (asymmetric only). */
  algorithms: readonly string[];
  /** Resolves the verification key of a token's header: a local or remote JWKS. */
  keys: JWTVerifyGetKey;
  /** The claim naming the user in the users table (`sub` unless configured). */
  userClaim: string;
  /** The embedded issuer: its tokens may name service accounts (`client_id`) and must carry `iat`. */
  local: boolean;
  /** Refuse tokens issued longer ago than this, even when their `exp` says otherwise. */
  maxTokenAgeSeconds?: number;
}

/** Who a verified token names: a user id (or service account id) to resolve in the users table. */
export interface VerifiedToken {
  subject: string;
  kind: 'user' | 'service';
  issuer: string;
}

/** Verifies bearer tokens of a fixed set of trusted issuers. */
export interface TokenVerifier {
  verify(token: string, now?: Date): Promise<VerifiedToken>;
}

const isWellFormed = (text: string): boolean => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

/** An identity claim looked up in the database: printable, well-formed, short text only. */
function identityOf(value: unknown): string | undefined {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  return typeof value === 'string' && /^[^\u0000-\u001f\u007f]{1,200}$/.test(value) && isWellFormed(value) ? value : undefined;
}

// Key lookups that fail because of the token (no key with its kid) are the caller's problem; anything
// else a key source throws (network, timeout, bad JSON from the provider) is ours.
const tokenKeyRefusals = new Set(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS']);

function guarded(keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && tokenKeyRefusals.has(code)) throw error;
      if (error instanceof KeysUnavailableError) throw error;
      throw new KeysUnavailableError("the token issuer's signing keys cannot be fetched", { cause: error });
    }
  };
}

// A token verified once is trusted again, without the signature check, for at most this long and
// never past its own expiry: a client sends the same token on every request, and a signature check
// costs more than the rest of a cached request. Refused tokens are never cached.
const verifiedTokenReuseMs = 60_000;

/** A verifier for the given issuers; a token is checked only against the issuer its `iss` names. */
export function createTokenVerifier(issuers: readonly TrustedIssuer[]): TokenVerifier {
  const byIssuer = new Map(issuers.map((trusted) => [trusted.issuer, { ...trusted, keys: guarded(trusted.keys) }]));
  const verified = new LRUCache<string, { result: VerifiedToken; from: number; until: number }>({ max: 10_000 });
  return {
    async verify(token, now = new Date()) {
      const reused = verified.get(token);
      if (reused && now.getTime() >= reused.from && now.getTime() < reused.until) return reused.result;
      const result = await verifyOnce(token, now);
      verified.set(token, { result: result.token, from: now.getTime(), until: Math.min(result.expiresAtMs, now.getTime() + verifiedTokenReuseMs) });
      return result.token;
    },
  };

  async function verifyOnce(token: string, now: Date): Promise<{ token: VerifiedToken; expiresAtMs: number }> {
    if (token.length > maxTokenLength) throw new InvalidTokenError('malformed token');
    let claimedIssuer: unknown;
    try {
      // Unverified, only to pick the issuer whose keys and rules apply; jwtVerify then checks it again.
      claimedIssuer = decodeJwt(token).iss;
    } catch {
      throw new InvalidTokenError('malformed token');
    }
    const trusted = typeof claimedIssuer === 'string' ? byIssuer.get(claimedIssuer) : undefined;
    if (!trusted) throw new InvalidTokenError('unexpected token issuer');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, trusted.keys, {
        issuer: trusted.issuer,
        audience: trusted.audience,
        // Never "none", never HS*, never an algorithm chosen by the token: only the configured list.
        algorithms: [...trusted.algorithms],
        clockTolerance: clockToleranceSeconds,
        requiredClaims: trusted.local ? ['exp', 'sub', 'iat'] : ['exp', 'sub'],
        ...(trusted.maxTokenAgeSeconds ? { maxTokenAge: trusted.maxTokenAgeSeconds } : {}),
        currentDate: now,
      }));
    } catch (error) {
      if (error instanceof KeysUnavailableError) throw error;
      throw new InvalidTokenError(refusal(error));
    }
    if (identityOf(payload.sub) === undefined) throw new InvalidTokenError('token has no valid subject');
    const subject = identityOf(payload[trusted.userClaim]);
    if (subject === undefined) throw new InvalidTokenError(`token has no valid ${trusted.userClaim} claim`);
    // exp is required and checked by jwtVerify; a maximum age may end the token's use earlier.
    const ageLimit = trusted.maxTokenAgeSeconds && typeof payload.iat === 'number' ? payload.iat + trusted.maxTokenAgeSeconds : Infinity;
    const expiresAtMs = Math.min(payload.exp as number, ageLimit) * 1000;
    // Only the embedded issuer mints service-account tokens; an external provider's token always names a person.
    if (trusted.local && payload.client_id !== undefined) {
      if (payload.client_id !== subject) throw new InvalidTokenError('token claims are invalid');
      return { token: { subject, kind: 'service', issuer: trusted.issuer }, expiresAtMs };
    }
    return { token: { subject, kind: 'user', issuer: trusted.issuer }, expiresAtMs };
  }
}

const discoveryDocumentSchema = z.looseObject({ issuer: z.string(), jwks_uri: z.url({ protocol: /^https?$/ }) });

const isLoopback = (hostname: string): boolean => hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);

/**
 * Where signing keys (or the discovery document naming them) may come from: https, or plain http
 * on this machine only. Keys fetched in clear over a network could be swapped in transit, and then
 * anyone on the path could mint tokens the API accepts.
 */
export function keySourceProblem(url: string | URL): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol === 'https:') return null;
  if (parsed.protocol === 'http:' && isLoopback(parsed.hostname)) return null;
  return 'must be an https URL (plain http only on localhost)';
}

/** The JWKS URL of an OIDC provider, from its discovery document (whose `issuer` must match exactly). */
export async function discoverJwksUrl(issuer: string): Promise<URL> {
  const response = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, {
    headers: { accept: 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(fetchTimeoutMs),
  });
  if (!response.ok) throw new KeysUnavailableError(`OIDC discovery answered ${response.status}`);
  const document = discoveryDocumentSchema.safeParse(await response.json().catch(() => undefined));
  if (!document.success) throw new KeysUnavailableError('OIDC discovery document has no valid jwks_uri');
  if (document.data.issuer !== issuer) throw new KeysUnavailableError('OIDC discovery document names another issuer');
  const problem = keySourceProblem(document.data.jwks_uri);
  if (problem) throw new KeysUnavailableError(`OIDC discovery document's jwks_uri ${problem}`);
  return new URL(document.data.jwks_uri);
}

/**
 * The keys of an external provider: its JWKS fetched and cached by jose (refetched for an unknown
 * `kid`, with a cooldown), the URL configured or discovered on first use, so the API starts even
 * while the provider is unreachable.
 */
export function remoteKeySet({ issuer, jwksUrl }: { issuer: string; jwksUrl?: string }): JWTVerifyGetKey {
  // Refused at startup: a configuration that would fetch keys in clear never serves a request.
  const source = jwksUrl ?? issuer;
  const problem = keySourceProblem(source);
  if (problem) throw new Error(`${jwksUrl ? 'OIDC_JWKS_URL' : 'OIDC_ISSUER (its discovery document)'} ${problem}: got ${source}`);
  let keySet: JWTVerifyGetKey | undefined = jwksUrl ? createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: fetchTimeoutMs }) : undefined;
  let discovering: Promise<JWTVerifyGetKey> | undefined;
  let failedAt = 0;
  return async (header, token) => {
    if (!keySet) {
      if (Date.now() - failedAt < discoveryRetryMs) throw new KeysUnavailableError('OIDC discovery failed recently');
      discovering ??= discoverJwksUrl(issuer).then(
        (url) => createRemoteJWKSet(url, { timeoutDuration: fetchTimeoutMs }),
        (error: unknown) => {
          failedAt = Date.now();
          discovering = undefined;
          throw error;
        },
      );
      keySet = await discovering;
    }
    return keySet(header, token);
  };
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
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'unknown token signing key';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'iss') return 'unexpected token issuer';
      if (claim === 'aud') return 'unexpected token audience';
      if (claim === 'nbf') return 'token not yet valid';
      if (claim === 'iat') return 'token issued in the future or too long ago';
      if (claim === 'sub') return 'token has no valid subject';
      if (claim === 'exp') return 'token has no valid expiry';
      return 'token claims are invalid';
    default:
      // ERR_JWS_INVALID, ERR_JWT_INVALID, and anything else the token's bytes provoked: the token is
      // what the caller sent, so its failure is a 401, never a 500.
      return 'malformed token';
  }
}
