/**
 * Erasure against a lookup that runs while the erasure's transaction is still open: that lookup
 * reads the person's key (not yet destroyed for other connections) and caches it. Once the erasure
 * has committed, the process that erased the person must not decode or encrypt with that key any
 * more — not for the cache's TTL, not at all. Real PostgreSQL, no Temporal.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { parseKeyRing } from '../../infra/codec/key-ring';
import { PersonErasedError, PersonKeyStore } from '../../infra/codec/person-key-store';
import { runMigrations } from '../../infra/db/migrate';
import { anonymiseExpiredCases, erasePerson } from '../../infra/db/person-repository';
import { createPool } from '../../infra/db/pool';
import { createTestDatabase } from '../support/stack';

let database: { url: string; drop(): Promise<void> };
let pool: pg.Pool;
let keys: PersonKeyStore;

beforeAll(async () => {
  database = await createTestDatabase();
  await runMigrations(database.url);
  pool = createPool(database.url);
  keys = new PersonKeyStore(pool, parseKeyRing(`t1:${randomBytes(32).toString('base64')}`));
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

/**
 * A connection of its own for the erasure, which runs `during` (a concurrent lookup through the key
 * store's pool, i.e. another connection) just before the transaction commits: the keys are already
 * destroyed inside the transaction, not yet for anyone else.
 */
async function connectionWithLookupBeforeCommit(during: () => Promise<unknown>): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (...args: unknown[]) => {
    if (args[0] === 'COMMIT') await during();
    return query(...args);
  };
  return client;
}

describe('erasure and the key cache', () => {
  it('forgets a key that a concurrent lookup cached while the erasure was being committed', async () => {
    const personId = await keys.createPerson();
    const { keyId } = await keys.keyOfPerson(personId);
    let sawKeyBeforeCommit = false;
    const client = await connectionWithLookupBeforeCommit(async () => {
      // Another request of the same process, on another connection, still sees the committed key (and caches it).
      sawKeyBeforeCommit = (await keys.keyById(keyId)) !== null && (await keys.keyOfPerson(personId)).keyId === keyId;
    });
    try {
      const erased = await erasePerson(client, keys, personId, { actorId: 'admin', reason: 'data_subject_request', now: new Date() });
      expect(erased).toMatchObject({ personId, keysDestroyed: 1 });
    } finally {
      await client.end();
    }
    expect(sawKeyBeforeCommit).toBe(true);
    expect(await keys.keyById(keyId)).toBeNull();
    await expect(keys.keyOfPerson(personId)).rejects.toBeInstanceOf(PersonErasedError);
  });

  it('does the same for a person erased by the retention sweep', async () => {
    const personId = await keys.createPerson();
    const { keyId } = await keys.keyOfPerson(personId);
    await pool.query(
      `INSERT INTO cases (case_id, reference, pathway_key, pathway_version, area_id, status, started_at, updated_at, last_progress_at, closed_at, version, person_id)
       VALUES ('11111111-2222-4333-8444-555555555555', 'RT-TE-CACHE1', 'p', 1, 'a', 'closed', now() - interval '3 days', now(), now(), now() - interval '2 days', 1, $1)`,
      [personId],
    );
    let sawKeyBeforeCommit = false;
    const client = await connectionWithLookupBeforeCommit(async () => {
      sawKeyBeforeCommit = (await keys.keyById(keyId)) !== null && (await keys.keyOfPerson(personId)).keyId === keyId;
    });
    try {
      expect(await anonymiseExpiredCases(client, keys, { cutoff: new Date(), now: new Date(), limit: 10 })).toEqual({ cases: 1, persons: 1 });
    } finally {
      await client.end();
    }
    expect(sawKeyBeforeCommit).toBe(true);
    expect(await keys.keyById(keyId)).toBeNull();
    await expect(keys.keyOfPerson(personId)).rejects.toBeInstanceOf(PersonErasedError);
  });
});
