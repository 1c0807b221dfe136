/**
 * The key store while PostgreSQL cannot be reached: a key read before is used again (the SDK stops
 * the whole worker when it cannot encode an activity's completion, as the chaos test saw), a key
 * never read fails with the connection error (which the API answers 503), and once PostgreSQL
 * answers again a destroyed key is refused as before. Also: a cached key holds only its own 32 bytes.
 */
import type { Payload } from '@temporalio/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { isUnavailableError } from '../../api/plugins/problems';
import { parseKeyRing } from '../../infra/codec/key-ring';
import { EncryptionCodec, keyIdOf } from '../../infra/codec/payload-codec';
import { PersonErasedError, PersonKeyStore } from '../../infra/codec/person-key-store';
import type { Queryable } from '../../infra/db/pool';

const ring = parseKeyRing(`m1:${randomBytes(32).toString('base64')}`);
const json = (value: unknown): Payload => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A database that knows one case, its person and key, and can go down or lose the key. */
function fakeDatabase(caseId: string) {
  const person = new PersonKeyStore({} as Queryable, ring).newPerson();
  const state = { down: false, destroyed: false };
  const db = {
    async query(statement: string | { text: string; values: unknown[] }, values?: unknown[]) {
      // Text and values, or a prepared statement's config (infra/db/pool.ts, prepared).
      const [sql, params] = typeof statement === 'string' ? [statement, values ?? []] : [statement.text, statement.values];
      if (state.down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      if (sql.includes('FROM cases')) return { rows: params[0] === caseId ? [{ person_id: person.personId }] : [] };
      if (state.destroyed) return { rows: [] };
      const key = { key_id: person.keyId, wrapping_key_id: person.wrappingKeyId, wrapped_key: person.wrappedKey };
      return { rows: sql.includes('WHERE person_id') || params[0] === person.keyId ? [key] : [] };
    },
  };
  return { db: db as unknown as Queryable, state, person };
}

describe('the key store while PostgreSQL is down', () => {
  it('keeps using a key read before, fails a key never read with a retryable error, and refuses a destroyed key once back', async () => {
    const caseId = randomUUID();
    const { db, state, person } = fakeDatabase(caseId);
    const store = new PersonKeyStore(db, ring, { cacheTtlMs: 5 });
    const codec = new EncryptionCodec(store);
    const context = { type: 'workflow' as const, namespace: 'default', workflowId: `case-${caseId}` };

    const [sealed] = await codec.encode([json({ note: 'prima' })], context);
    expect(keyIdOf(sealed)).toBe(person.keyId);
    expect(await codec.decode([sealed], context)).toEqual([json({ note: 'prima' })]);
    await sleep(20); // every cached entry is now stale

    state.down = true;
    const [again] = await codec.encode([json({ note: 'durante' })], context);
    expect(keyIdOf(again)).toBe(person.keyId);
    expect(await codec.decode([again])).toEqual([json({ note: 'durante' })]);

    // A case whose keys were never read cannot be encrypted for: retry later (503), not "erased".
    const unknown = await store.keyForCase(randomUUID()).catch((error: unknown) => error);
    expect(unknown).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isUnavailableError(unknown)).toBe(true);

    // Back up, with the key destroyed meanwhile (an erasure): the fresh read wins over the stale key.
    state.down = false;
    state.destroyed = true;
    await sleep(20);
    await expect(store.keyForCase(caseId)).rejects.toBeInstanceOf(PersonErasedError);
  });
});

describe("the key store's memory", () => {
  it('keeps each cached key in memory of its own, not a slice that pins a shared 8 KB slab', async () => {
    const caseId = randomUUID();
    const { db, person } = fakeDatabase(caseId);
    const store = new PersonKeyStore(db, ring);
    const { keyId, key } = await store.keyForCase(caseId);
    expect(keyId).toBe(person.keyId);
    expect(key).toHaveLength(32);
    // A pooled Buffer's ArrayBuffer is the whole slab (8192 bytes); a key of its own has 32.
    expect(key.buffer.byteLength).toBe(32);
  });
});
