/**
 * AES-256-GCM with a random 96-bit nonce: `nonce ‖ ciphertext ‖ tag`. The additional data binds a
 * ciphertext to its key id, so a blob cannot be passed off as encrypted under another key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const nonceBytes = 12;
const tagBytes = 16;

/** Encrypts `plaintext` with a 32-byte key. */
export function seal(key: Buffer, plaintext: Uint8Array, additionalData: string): Buffer {
  const nonce = randomBytes(nonceBytes);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** Decrypts what `seal` produced; throws if the key, the additional data or a byte is wrong. */
export function open(key: Buffer, sealed: Uint8Array, additionalData: string): Buffer {
  const bytes = Buffer.from(sealed);
  if (bytes.length < nonceBytes + tagBytes) throw new Error('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, nonceBytes));
  decipher.setAAD(Buffer.from(additionalData, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes));
  return Buffer.concat([decipher.update(bytes.subarray(nonceBytes, bytes.length - tagBytes)), decipher.final()]);
}
