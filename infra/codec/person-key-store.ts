/**
 * Per-person data keys. Each person (a pseudonymous id) has an AES-256 data key, stored wrapped with
 * the master key ring; everything personal about them, in Temporal payloads and in the read model,
 * is encrypted with it. Erasure destroys the wrapped key, after which no copy of their data decrypts.
 * Lookups (case → person → key, key id → key) are cached briefly: the codec runs on every payload.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { isDatabaseUnavailable, prepared, type Queryable } from '../db/pool';
import { open, seal } from './aes-gcm';
import type { MasterKeyRing } from './key-ring';

/** A key and the id ciphertexts name it by. */
export interface DataKey {
  keyId: string;
  key: Buffer;
}

/** Person key ids carry this prefix; master key ids cannot contain a hyphen, so they never collide. */
export const PERSON_KEY_PREFIX = 'p-';

/** Thrown when something must be encrypted for a person whose key was destroyed. */
export class PersonErasedError extends Error {
  constructor(readonly personId: string) {
    super(`person ${personId} was erased: no data may be written for them`);
    this.name = 'PersonErasedError';
  }
}

export interface PersonKeyStoreOptions {
  /**
   * How long a looked-up key is trusted without asking the database again. It bounds how long another
   * process (a worker, another API instance) can still use a key after an erasure; default 5 s (one
   * lookup per active person every few seconds is cheap; an erased key must stop working quickly).
   */
  cacheTtlMs?: number;
  cacheSize?: number;
}

type Cached<T> = { value: T };

/** The rows of a person and their first data key (the key wrapped with a master key). */
export interface NewPerson {
  personId: string;
  keyId: string;
  wrappingKeyId: string;
  wrappedKey: Buffer;
}

const wrapAad = (keyId: string) => `person-key:${keyId}`;

/**
 * A cache lookup that, while PostgreSQL cannot be reached, answers with the value read before (even
 * past its TTL) instead of failing: the SDK stops the whole worker when it cannot encode an
 * activity's completion (seen in the chaos test), and no erasure can commit meanwhile. With nothing
 * read before, or any other error, the lookup fails as it would have.
 */
function staleWhileUnavailable<T>(load: (key: string) => Promise<T>): (key: string, stale: Cached<T> | undefined) => Promise<Cached<T>> {
  return async (key, stale) => {
    try {
      return { value: await load(key) };
    } catch (error) {
      if (stale !== undefined && isDatabaseUnavailable(error)) return stale;
      throw error;
    }
  };
}

export class PersonKeyStore {
  private readonly personOfCaseCache: LRUCache<string, Cached<string | null>>;
  private readonly keyOfPersonCache: LRUCache<string, Cached<DataKey | null>>;
  private readonly keyByIdCache: LRUCache<string, Cached<Buffer | null>>;

  constructor(
    private readonly db: Queryable,
    readonly ring: MasterKeyRing,
    options: PersonKeyStoreOptions = {},
  ) {
    const common = { max: options.cacheSize ?? 10_000, ttl: options.cacheTtlMs ?? 5_000 };
    // Which person a case is about never changes: only the keys need to be re-read often.
    this.personOfCaseCache = new LRUCache({ ...common, ttl: 60_000, fetchMethod: staleWhileUnavailable((caseId) => this.loadPersonOfCase(caseId)) });
    this.keyOfPersonCache = new LRUCache({
      ...common,
      fetchMethod: staleWhileUnavailable((personId) => this.loadKeyOfPerson(personId)),
    });
    this.keyByIdCache = new LRUCache({ ...common, fetchMethod: staleWhileUnavailable((keyId) => this.loadKeyById(keyId)) });
  }

  /** The active master key, for data that belongs to no person. */
  masterKey(): DataKey {
    return { keyId: this.ring.activeId, key: this.ring.keys.get(this.ring.activeId) as Buffer };
  }

  /** Creates a person with a fresh data key (wrapped with the active master key); returns the person id. */
  async createPerson(db: Queryable = this.db): Promise<string> {
    const person = this.newPerson();
    await db.query(
      `WITH person AS (INSERT INTO persons (person_id) VALUES ($1) RETURNING person_id)
       INSERT INTO person_keys (key_id, person_id, wrapping_key_id, wrapped_key) SELECT $2, person_id, $3, $4 FROM person`,
      [person.personId, person.keyId, person.wrappingKeyId, person.wrappedKey],
    );
    return person.personId;
  }

  /**
   * A new person and data key, not yet stored: the caller inserts the rows (persons, then
   * person_keys) in its own statement, so a person exists only together with what made it.
   * The key is usable at once for sealing that statement's data.
   */
  newPerson(): NewPerson {
    const personId = randomUUID();
    const keyId = `${PERSON_KEY_PREFIX}${randomUUID()}`;
    const key = randomBytes(32);
    const master = this.masterKey();
    this.keyOfPersonCache.set(personId, { value: { keyId, key } });
    this.keyByIdCache.set(keyId, { value: key });
    return { personId, keyId, wrappingKeyId: master.keyId, wrappedKey: seal(master.key, key, wrapAad(keyId)) };
  }

  /** Whether the person exists and whether they were erased; null for an unknown id. */
  async findPerson(personId: string, db: Queryable = this.db): Promise<{ personId: string; erasedAt: string | null } | null> {
    const { rows } = await db.query<{ person_id: string; erased_at: Date | null }>('SELECT person_id, erased_at FROM persons WHERE person_id = $1', [personId]);
    return rows[0] ? { personId: rows[0].person_id, erasedAt: rows[0].erased_at?.toISOString() ?? null } : null;
  }

  /** The person a case is about; null for a case without one (started before persons existed). */
  async personOfCase(caseId: string): Promise<string | null> {
    return ((await this.personOfCaseCache.fetch(caseId)) as Cached<string | null>).value;
  }

  /** Remembers whose case a just-recorded case is, so its first commands need no lookup. */
  rememberCase(caseId: string, personId: string | null): void {
    this.personOfCaseCache.set(caseId, { value: personId });
  }

  /** The person's current data key; throws PersonErasedError when it was destroyed. */
  async keyOfPerson(personId: string): Promise<DataKey> {
    const key = ((await this.keyOfPersonCache.fetch(personId)) as Cached<DataKey | null>).value;
    if (!key) throw new PersonErasedError(personId);
    return key;
  }

  /** The key for a case's data: its person's key, or the master key for a case without a person. */
  async keyForCase(caseId: string): Promise<DataKey> {
    const personId = await this.personOfCase(caseId);
    return personId === null ? this.masterKey() : this.keyOfPerson(personId);
  }

  /** The key a ciphertext names: a master key or a person key; null when destroyed or unknown. */
  async keyById(keyId: string): Promise<Buffer | null> {
    if (!keyId.startsWith(PERSON_KEY_PREFIX)) return this.ring.keys.get(keyId) ?? null;
    return ((await this.keyByIdCache.fetch(keyId)) as Cached<Buffer | null>).value;
  }

  /**
   * Destroys every data key of the person (in the caller's transaction) and forgets them here;
   * returns the ids of the destroyed keys. Until the transaction commits, a concurrent lookup still
   * reads the keys and may cache them again: the caller calls `forget` once more after the commit.
   * Other processes forget them within the cache TTL.
   */
  async destroyKeysOf(db: Queryable, personId: string): Promise<string[]> {
    const { rows } = await db.query<{ key_id: string }>(
      `UPDATE person_keys SET wrapped_key = NULL, wrapping_key_id = NULL, destroyed_at = now()
       WHERE person_id = $1 AND destroyed_at IS NULL RETURNING key_id`,
      [personId],
    );
    const keyIds = rows.map((row) => row.key_id);
    this.forget(personId, keyIds);
    return keyIds;
  }

  /** Drops a person's keys from the caches (after an erasure, also when the transaction rolled back: they reload). */
  forget(personId: string, keyIds: string[] = []): void {
    this.keyOfPersonCache.delete(personId);
    for (const keyId of keyIds) this.keyByIdCache.delete(keyId);
  }

  private async loadPersonOfCase(caseId: string): Promise<string | null> {
    // The start record is written with the case's first projection; either row names the person.
    const { rows } = await this.db.query<{ person_id: string }>(
      prepared(
        `SELECT person_id FROM cases WHERE case_id = $1 AND person_id IS NOT NULL
       UNION ALL SELECT person_id FROM case_start_requests WHERE case_id = $1 AND person_id IS NOT NULL LIMIT 1`,
        [caseId],
      ),
    );
    return rows[0]?.person_id ?? null;
  }

  private async loadKeyOfPerson(personId: string): Promise<DataKey | null> {
    const { rows } = await this.db.query<{ key_id: string; wrapping_key_id: string; wrapped_key: Buffer }>(
      prepared(
        `SELECT key_id, wrapping_key_id, wrapped_key FROM person_keys
       WHERE person_id = $1 AND destroyed_at IS NULL ORDER BY created_at DESC LIMIT 1`,
        [personId],
      ),
    );
    const row = rows[0];
    return row ? { keyId: row.key_id, key: this.unwrap(row.key_id, row.wrapping_key_id, row.wrapped_key) } : null;
  }

  private async loadKeyById(keyId: string): Promise<Buffer | null> {
    const { rows } = await this.db.query<{ wrapping_key_id: string | null; wrapped_key: Buffer | null }>(
      prepared('SELECT wrapping_key_id, wrapped_key FROM person_keys WHERE key_id = $1', [keyId]),
    );
    const row = rows[0];
    if (!row || row.wrapped_key === null || row.wrapping_key_id === null) return null;
    return this.unwrap(keyId, row.wrapping_key_id, row.wrapped_key);
  }

  private unwrap(keyId: string, wrappingKeyId: string, wrapped: Buffer): Buffer {
    const master = this.ring.keys.get(wrappingKeyId);
    // A key wrapped under a master key that left the ring is unusable: rotation must keep old keys.
    if (!master) throw new Error(`person key ${keyId} is wrapped with master key "${wrappingKeyId}", which is not in the key ring`);
    return unpooled(open(master, wrapped, wrapAad(keyId)));
  }
}

/**
 * A copy of `bytes` in memory of its own. Small Buffers (such as `Buffer.concat`'s result) are slices
 * of a shared 8 KB slab, and a slice kept alive keeps its whole slab alive: the caches here hold a
 * 32-byte key per case, which pinned about 7 KB each (+20 MB of array buffers in a worker after 4,000
 * cases in the soak, and up to 140 MB at the caches' 10,000 entries apiece).
 */
function unpooled(bytes: Buffer): Buffer {
  const own = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(own);
  return own;
}
