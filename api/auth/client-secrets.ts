/**
 * Client secrets of service accounts: 256 random bits shown once, stored only as an scrypt hash
 * (`scrypt$N$r$p$salt$hash`, base64url), compared in constant time.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const cost = { N: 16_384, r: 8, p: 1 } as const;
const keyLength = 32;
const maxmem = 64 * 1024 * 1024;

function derive(secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(secret, salt, keyLength, { ...options, maxmem }, (error, key) => (error ? reject(error) : resolve(key))));
}

/** A new client secret (URL-safe text). */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a secret. */
export async function hashClientSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(secret, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

// Hashed when the client id is unknown, so an unknown id costs as much time as a wrong secret.
const decoyHash = hashClientSecret(generateClientSecret());

/** Whether the secret matches the stored hash; a missing hash still costs one scrypt. */
export async function verifyClientSecret(secret: string, stored: string | null): Promise<boolean> {
  const parts = (stored ?? (await decoyHash)).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, N, r, p, salt, hash] = parts;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(secret, Buffer.from(salt, 'base64url'), { N: Number(N), r: Number(r), p: Number(p) });
  return stored !== null && actual.length === expected.length && timingSafeEqual(actual, expected);
}
