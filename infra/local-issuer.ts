/**
 * The embedded token issuer: ES256 key pairs kept in one JSON file (mode 0600, under the data dir
 * or RETICULATE_ISSUER_KEY_FILE), created on first use. It signs demo users' tokens and service
 * accounts' client-credentials tokens, and publishes its public keys as a JWKS; the API verifies
 * its tokens through the same JWKS code as an external OIDC provider's. Rotation puts a new key
 * first and keeps the previous public keys in the JWKS, so tokens already issued stay valid until
 * they expire.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, linkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  SignJWT,
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { z } from 'zod';

export const LOCAL_ISSUER_ALGORITHM = 'ES256';
/** Demo users' tokens (`npm run token`). */
export const USER_TOKEN_TTL_SECONDS = 12 * 60 * 60;
/** Service accounts' client-credentials tokens: short, they ask again. */
export const SERVICE_TOKEN_TTL_SECONDS = 15 * 60;
/** Previous keys kept in the JWKS after a rotation; far more than a token's lifetime needs. */
const retainedPreviousKeys = 3;

const ecPublicJwk = z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string().min(1), y: z.string().min(1) });
const storedKeySchema = z.object({
  kid: z.string().min(1),
  createdAt: z.string(),
  publicJwk: ecPublicJwk,
  // Only the current key keeps its private half: a retired key can verify but never sign again.
  privateJwk: ecPublicJwk.extend({ d: z.string().min(1) }).optional(),
});
const keyFileSchema = z.object({ version: z.literal(1), keys: z.array(storedKeySchema).min(1) });
type StoredKey = z.infer<typeof storedKeySchema>;
type KeyFile = z.infer<typeof keyFileSchema>;

async function newKey(now: Date): Promise<StoredKey> {
  const { publicKey, privateKey } = await generateKeyPair(LOCAL_ISSUER_ALGORITHM, { extractable: true });
  const { kty, crv, x, y } = await exportJWK(publicKey);
  const { d } = await exportJWK(privateKey);
  const publicJwk = ecPublicJwk.parse({ kty, crv, x, y });
  return { kid: await calculateJwkThumbprint(publicJwk), createdAt: now.toISOString(), publicJwk, privateJwk: { ...publicJwk, d: String(d) } };
}

function readKeyFile(file: string): KeyFile {
  const parsed = keyFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  // The file's content is key material: name the file, never quote it.
  if (!parsed.success) throw new Error(`the issuer key file ${file} is not a valid key file`);
  if (!parsed.data.keys[0].privateJwk) throw new Error(`the issuer key file ${file} has no private key for its current key`);
  return parsed.data;
}

function writeTemp(file: string, content: KeyFile): string {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  return temp;
}

/** The key file's content, creating it with a fresh key when it does not exist (safe against concurrent first starts). */
export async function loadOrCreateKeyFile(file: string, now: Date = new Date()): Promise<KeyFile> {
  try {
    return readKeyFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const temp = writeTemp(file, { version: 1, keys: [await newKey(now)] });
  try {
    // link() fails when another process created the file first; then its key wins and ours is dropped.
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temp);
  }
  return readKeyFile(file);
}

/** Rotates the signing key: a new key signs from now on; previous public keys stay in the JWKS. Returns the new key id. */
export async function rotateIssuerKey(file: string, now: Date = new Date()): Promise<string> {
  const current = await loadOrCreateKeyFile(file, now);
  const fresh = await newKey(now);
  const previous = current.keys.slice(0, retainedPreviousKeys).map(({ privateJwk: _dropped, ...key }) => key);
  const temp = writeTemp(file, { version: 1, keys: [fresh, ...previous] });
  renameSync(temp, file);
  return fresh.kid;
}

/** What a token of the local issuer says, beyond the standard claims it always sets. */
export interface LocalTokenRequest {
  subject: string;
  ttlSeconds: number;
  /** Extra claims, e.g. `client_id` for service accounts. */
  claims?: JWTPayload;
  now?: Date;
}

/** The embedded issuer of one process: signs with the current key, verifies against every published key. */
export class LocalIssuer {
  private keys: KeyFile;
  private loadedMtimeMs: number;
  private jwksVerifier: JWTVerifyGetKey;
  private signingKey: ReturnType<typeof importJWK> | undefined;

  private constructor(
    readonly url: string,
    readonly audience: string,
    private readonly keyFile: string,
    keys: KeyFile,
  ) {
    this.keys = keys;
    this.loadedMtimeMs = statSync(keyFile).mtimeMs;
    this.jwksVerifier = createLocalJWKSet(this.jwks());
  }

  /** Opens the issuer of a key file (creating the file on first start). */
  static async open({ url, audience, keyFile }: { url: string; audience: string; keyFile: string }): Promise<LocalIssuer> {
    return new LocalIssuer(url, audience, keyFile, await loadOrCreateKeyFile(keyFile));
  }

  /** The id of the key that signs now. */
  get currentKeyId(): string {
    return this.keys.keys[0].kid;
  }

  /** The public keys, current first, as published at /.well-known/jwks.json (re-read when another process rotated them). */
  publishedJwks(): JSONWebKeySet {
    this.reloadIfChanged();
    return this.jwks();
  }

  private jwks(): JSONWebKeySet {
    return { keys: this.keys.keys.map(({ kid, publicJwk }): JWK => ({ ...publicJwk, kid, alg: LOCAL_ISSUER_ALGORITHM, use: 'sig' })) };
  }

  /**
   * The key resolver jose's jwtVerify uses for this issuer's tokens: a local JWKS, as a remote
   * provider's would be. An unknown key id re-reads the key file if it changed, in case another
   * process rotated the key.
   */
  readonly keySet: JWTVerifyGetKey = async (header, token) => {
    try {
      return await this.jwksVerifier(header, token);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ERR_JWKS_NO_MATCHING_KEY' || !this.reloadIfChanged()) throw error;
      return this.jwksVerifier(header, token);
    }
  };

  /** Picks up a rotation made by another process (npm run token -- --rotate-key): one stat, a re-read only when the file changed. */
  private reloadIfChanged(): boolean {
    const mtimeMs = statSync(this.keyFile).mtimeMs;
    if (mtimeMs === this.loadedMtimeMs) return false;
    this.keys = readKeyFile(this.keyFile);
    this.loadedMtimeMs = mtimeMs;
    this.jwksVerifier = createLocalJWKSet(this.jwks());
    this.signingKey = undefined;
    return true;
  }

  /** Signs an access token: this issuer, the API audience, issued now, expiring after `ttlSeconds`. */
  async issue({ subject, ttlSeconds, claims = {}, now = new Date() }: LocalTokenRequest): Promise<string> {
    this.reloadIfChanged();
    const issuedAt = Math.floor(now.getTime() / 1000);
    return this.sign({ ...claims, sub: subject, iss: this.url, aud: this.audience, iat: issuedAt, exp: issuedAt + ttlSeconds });
  }

  /** Signs exactly the given payload with the current key (ES256, `kid` in the header); tests use it to forge bad claims. */
  async sign(payload: JWTPayload): Promise<string> {
    const { kid, privateJwk } = this.keys.keys[0];
    if (!privateJwk) throw new Error('the current issuer key has no private half');
    this.signingKey ??= importJWK({ ...privateJwk, alg: LOCAL_ISSUER_ALGORITHM }, LOCAL_ISSUER_ALGORITHM);
    return new SignJWT(payload).setProtectedHeader({ alg: LOCAL_ISSUER_ALGORITHM, typ: 'at+jwt', kid }).sign(await this.signingKey);
  }

  /** A demo user's token (12 hours). */
  issueUserToken(userId: string, now?: Date): Promise<string> {
    return this.issue({ subject: userId, ttlSeconds: USER_TOKEN_TTL_SECONDS, now });
  }
}

/** The local issuer of a configuration (same key file and issuer URL as the API's). */
export function openLocalIssuer(config: { localIssuer: { url: string; keyFile: string }; oidc: { audience: string } }): Promise<LocalIssuer> {
  return LocalIssuer.open({ url: config.localIssuer.url, audience: config.oidc.audience, keyFile: config.localIssuer.keyFile });
}
