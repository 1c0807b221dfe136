/**
 * The master key ring: AES-256 keys named by short ids, the first one active. New payloads and new
 * person keys are encrypted with the active key; older keys stay in the ring so that everything
 * encrypted before a rotation still decrypts. Keys come only from the environment or a file.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config';

/** Master key ids are short codes; person key ids start with `p-` and never collide with them. */
const keyIdPattern = /^[A-Za-z0-9_.]{1,32}$/;

export interface MasterKeyRing {
  /** Id of the key new ciphertexts use. */
  activeId: string;
  /** Every key by id, the active one included. */
  keys: ReadonlyMap<string, Buffer>;
}

/** Parses `id:base64key,id:base64key,…` (first = active); throws a message naming the bad entry, never a key. */
export function parseKeyRing(spec: string): MasterKeyRing {
  const entries = spec
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new Error('is required: a key ring "id:base64key,…" (or its file in RETICULATE_CODEC_KEYS_FILE)');
  const keys = new Map<string, Buffer>();
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    if (!keyIdPattern.test(id)) throw new Error(`entry ${index + 1}: expected id:base64key with an id of letters, digits, _ or . (at most 32)`);
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) throw new Error(`key "${id}" must be 32 bytes (AES-256) in base64, got ${key.length}`);
    if (keys.has(id)) throw new Error(`key id "${id}" appears twice`);
    keys.set(id, key);
  });
  return { activeId: entries[0].slice(0, entries[0].indexOf(':')), keys };
}

/** A fresh ring entry `id:base64key` (for first starts and rotations). */
export function newKeyRingEntry(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/**
 * The key file of the embedded mode under the data dir: created with one random key on first start
 * (readable by the owner only), reused afterwards. Returns its path.
 */
export function ensureEmbeddedKeyFile(dataDir: string): string {
  const file = path.join(dataDir, 'codec-keys');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    // Written aside, then linked into place: a process starting alongside never reads a half-written file.
    const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(draft, `${newKeyRingEntry(`k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`)}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(draft, file);
    } catch (error) {
      // Another process (API and worker start together) created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(draft);
    }
  }
  chmodSync(file, 0o600);
  // Parsed once here so a damaged file fails the start with a clear message.
  parseKeyRing(readFileSync(file, 'utf8'));
  return file;
}

/** The configured key ring, or (outside production, with none configured) the embedded key file's. */
export function loadMasterKeyRing(config: Pick<AppConfig, 'codecKeys' | 'dataDir'>): MasterKeyRing {
  return parseKeyRing(config.codecKeys ?? readFileSync(ensureEmbeddedKeyFile(config.dataDir), 'utf8'));
}
