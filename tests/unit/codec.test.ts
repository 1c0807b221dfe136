/**
 * The encryption pieces on their own: key ring parsing, the payload codec's format and failure
 * modes, and read-model sealing. The real-stack behaviour is in tests/integration/erasure.test.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureEmbeddedKeyFile, loadMasterKeyRing, parseKeyRing } from '../../infra/codec/key-ring';
import { caseIdOfWorkflowId, EncryptionCodec, ENCRYPTED_ENCODING, keyIdOf } from '../../infra/codec/payload-codec';
import { PersonKeyStore } from '../../infra/codec/person-key-store';
import { isSealed, openJson, sealDetails, sealJson } from '../../infra/codec/personal-data';
import type { Queryable } from '../../infra/db/pool';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
// No person is known: every lookup misses, so case payloads fall back to the master key.
const noDatabase = { query: async () => ({ rows: [] }) } as unknown as Queryable;
const storeWith = (spec: string) => new PersonKeyStore(noDatabase, parseKeyRing(spec));
const json = (value: unknown): Payload => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) });

describe('key ring', () => {
  it('takes the first key as active and keeps the rest for decoding', () => {
    const ring = parseKeyRing(`new:${k2}, old:${k1}`);
    expect(ring.activeId).toBe('new');
    expect([...ring.keys.keys()]).toEqual(['new', 'old']);
  });

  it('names the bad entry without ever echoing a key', () => {
    const short = Buffer.from('short').toString('base64');
    expect(() => parseKeyRing('')).toThrow(/is required/);
    expect(() => parseKeyRing(`a:${short}`)).toThrow(/"a" must be 32 bytes/);
    expect(() => parseKeyRing(`a:${k1},a:${k2}`)).toThrow(/appears twice/);
    expect(() => parseKeyRing(`p-1:${k1}`)).toThrow(/entry 1/);
    expect(() => parseKeyRing(k1)).toThrow(/entry 1/);
    for (const spec of [`a:${short}`, `a:${k1},a:${k2}`]) {
      let message: string | undefined;
      try {
        parseKeyRing(spec);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toBeDefined();
      expect(message).not.toContain(k1.slice(0, 12));
      expect(message).not.toContain(short);
    }
  });
});

describe('embedded key file', () => {
  it('is created once, readable by its owner only, and reused by every later start', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'reticulate-keys-'));
    try {
      const file = ensureEmbeddedKeyFile(dataDir);
      const first = readFileSync(file, 'utf8');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(ensureEmbeddedKeyFile(dataDir)).toBe(file);
      expect(readFileSync(file, 'utf8')).toBe(first);
      expect(loadMasterKeyRing({ dataDir, codecKeys: undefined }).activeId).toBe(parseKeyRing(first).activeId);
      // Configured keys win over the file.
      expect(loadMasterKeyRing({ dataDir, codecKeys: `env:${k1}` }).activeId).toBe('env');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('payload codec', () => {
  it('encrypts metadata and data under the active key and decodes after a rotation', async () => {
    const before = new EncryptionCodec(storeWith(`old:${k1}`));
    const [sealed] = await before.encode([json({ name: 'Mario Rossi' })]);
    expect(Buffer.from(sealed.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
    expect(keyIdOf(sealed)).toBe('old');
    expect(Buffer.from(sealed.data ?? []).toString('latin1')).not.toContain('Mario');
    expect(Object.keys(sealed.metadata ?? {}).sort()).toEqual(['encoding', 'encryption-key-id']);

    const rotated = new EncryptionCodec(storeWith(`new:${k2},old:${k1}`));
    expect(keyIdOf((await rotated.encode([json(1)]))[0])).toBe('new');
    const [decoded] = await rotated.decode([sealed]);
    expect(JSON.parse(Buffer.from(decoded.data ?? []).toString())).toEqual({ name: 'Mario Rossi' });
    expect(Buffer.from(decoded.metadata?.encoding ?? []).toString()).toBe('json/plain');
  });

  it('refuses tampered ciphertext and reports a missing key as undecodable', async () => {
    const codec = new EncryptionCodec(storeWith(`a:${k1}`));
    const [sealed] = await codec.encode([json('x')]);
    const tampered = { ...sealed, data: Buffer.from(sealed.data ?? []).map((byte, index) => (index === 20 ? byte ^ 1 : byte)) };
    await expect(codec.decode([tampered])).rejects.toThrow();
    // Same bytes, other key id: the key id is authenticated too.
    const relabelled = { ...sealed, metadata: { ...sealed.metadata, 'encryption-key-id': Buffer.from('b') } };
    await expect(new EncryptionCodec(storeWith(`b:${k1}`)).decode([relabelled])).rejects.toThrow();
    expect(await new EncryptionCodec(storeWith(`b:${k2}`)).tryDecode(sealed)).toBe('undecodable');
    await expect(new EncryptionCodec(storeWith(`b:${k2}`)).decode([sealed])).rejects.toThrow(/destroyed or not in the key ring/);
    // Clear payloads (e.g. from before encryption) pass through.
    expect(await codec.decode([json('clear')])).toEqual([json('clear')]);
  });

  it('recognises case workflows by id only', () => {
    expect(caseIdOfWorkflowId('case-0b5c2a8e-6a3f-4a4e-9a41-0d7f3c1b2a10')).toBe('0b5c2a8e-6a3f-4a4e-9a41-0d7f3c1b2a10');
    expect(caseIdOfWorkflowId('reticulate-retention-q')).toBeNull();
    expect(caseIdOfWorkflowId(undefined)).toBeNull();
  });
});

describe('read-model sealing', () => {
  it('seals values, keeps only top-level ids of event details in clear, and opens them whole', async () => {
    const keys = storeWith(`a:${k1}`);
    const details = { referralId: 'case-1.ref-2', text: 'vive alla stazione', reason: 'Mario' };
    const sealed = sealDetails(keys.masterKey(), details);
    expect(isSealed(sealed)).toBe(true);
    expect(sealed.referralId).toBe('case-1.ref-2');
    expect(JSON.stringify(sealed)).not.toContain('stazione');
    expect(await openJson(keys, sealed)).toEqual(details);
    expect(await openJson(keys, sealJson(keys.masterKey(), { a: 1 }))).toEqual({ a: 1 });
    expect(await openJson(storeWith(`b:${k2}`), sealed)).toBeUndefined();
    expect(await openJson(keys, { plain: true })).toEqual({ plain: true });
  });
});
