/**
 * Personal columns of the read model (a case's collected data, its events' details, the stored
 * workflow input) are written as sealed JSON: `{"$sealed": {"keyId", "data"}}`, AES-256-GCM under
 * the person's data key, and opened on read. Coded columns (status, steps, dates, area, target
 * group) stay clear for filters and aggregates. After an erasure the key is gone and the value reads
 * as absent.
 *
 * The key store is attached to the database pool it reads keys from (the API's dependencies plugin
 * and the worker do it), so repositories keep their `(db, …)` signatures; a pool without one refuses
 * to write personal data rather than write it in clear.
 */
import type { AppConfig } from '../config';
import type { Queryable } from '../db/pool';
import { open, seal } from './aes-gcm';
import { loadMasterKeyRing } from './key-ring';
import { PersonKeyStore, type DataKey } from './person-key-store';

export interface SealedJson {
  $sealed: { keyId: string; data: string };
}

const storesByDb = new WeakMap<object, PersonKeyStore>();

/** Makes `keys` the key store of everything written and read through `db`. */
export function attachPersonKeys(db: Queryable, keys: PersonKeyStore): void {
  storesByDb.set(db, keys);
}

/** The key store attached to `db`; throws when none is (personal data is never written in clear). */
export function personKeysOf(db: Queryable): PersonKeyStore {
  const keys = storesByDb.get(db);
  if (!keys) throw new Error('no person key store is attached to this database pool (attachPersonKeys)');
  return keys;
}

/** Whether a stored JSON value is sealed. */
export function isSealed(value: unknown): value is SealedJson {
  return typeof value === 'object' && value !== null && '$sealed' in value;
}

/** Seals a JSON value with the key. */
export function sealJson(key: DataKey, value: unknown): SealedJson {
  const data = seal(key.key, Buffer.from(JSON.stringify(value), 'utf8'), `read-model:${key.keyId}`);
  return { $sealed: { keyId: key.keyId, data: data.toString('base64') } };
}

const clearIdValue = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * Seals an event's details, keeping beside the sealed blob only its top-level ids (`referralId`,
 * `taskId`, …: opaque references other rows are joined on in SQL, never personal); the blob holds
 * everything, so reading opens it whole.
 */
export function sealDetails(key: DataKey, details: Record<string, unknown>): Record<string, unknown> & SealedJson {
  const ids = Object.entries(details).filter(([name, value]) => name.endsWith('Id') && typeof value === 'string' && clearIdValue.test(value));
  return { ...Object.fromEntries(ids), ...sealJson(key, details) };
}

/** Opens a stored value: sealed values are decrypted, others returned as they are; undefined once the key is destroyed. */
export async function openJson<T>(keys: PersonKeyStore, value: T | SealedJson): Promise<T | undefined> {
  if (!isSealed(value)) return value;
  const key = await keys.keyById(value.$sealed.keyId);
  if (!key) return undefined;
  return JSON.parse(open(key, Buffer.from(value.$sealed.data, 'base64'), `read-model:${value.$sealed.keyId}`).toString('utf8')) as T;
}

/** The key store attached to the pool, created (from the configured master key ring) and attached on first use. */
export function ensurePersonKeys(db: Queryable, config: Pick<AppConfig, 'codecKeys' | 'dataDir'>): PersonKeyStore {
  const attached = storesByDb.get(db);
  if (attached) return attached;
  const keys = new PersonKeyStore(db, loadMasterKeyRing(config));
  attachPersonKeys(db, keys);
  return keys;
}
