/**
 * Service accounts: rows of `users` with kind 'service', roles, areas and services like a person,
 * and an scrypt hash of their client secret. Deleting one deactivates it and forgets the secret,
 * so ids in case histories still name something.
 */
import type { Role } from '../../domain/pathway-schema';
import type { Queryable } from './pool';

export interface ServiceAccountRecord {
  id: string;
  name: string;
  roles: Role[];
  areas: string[];
  services: string[];
  active: boolean;
  createdAt: string;
  createdBy: string | null;
}

interface ServiceAccountRow {
  id: string;
  display_name: string;
  roles: Role[];
  areas: string[];
  services: string[];
  active: boolean;
  created_at: Date;
  created_by: string | null;
}

const columns = 'id, display_name, roles, areas, services, active, created_at, created_by';

function toAccount(row: ServiceAccountRow): ServiceAccountRecord {
  return {
    id: row.id,
    name: row.display_name,
    roles: row.roles,
    areas: row.areas,
    services: row.services,
    active: row.active,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
  };
}

/** The actor row of a token's subject: a person or a service account, with its kind. */
export async function findActorRow(
  db: Queryable,
  id: string,
): Promise<{ id: string; name: string; kind: 'user' | 'service'; roles: Role[]; areas: string[]; services: string[]; active: boolean } | null> {
  const { rows } = await db.query<{ id: string; display_name: string; kind: 'user' | 'service'; roles: Role[]; areas: string[]; services: string[]; active: boolean }>(
    'SELECT id, display_name, kind, roles, areas, services, active FROM users WHERE id = $1',
    [id],
  );
  const row = rows[0];
  return row ? { id: row.id, name: row.display_name, kind: row.kind, roles: row.roles, areas: row.areas, services: row.services, active: row.active } : null;
}

/** Creates a service account; false when the id is taken (by a person or another account, even a deleted one). */
export async function insertServiceAccount(
  db: Queryable,
  account: { id: string; name: string; roles: Role[]; areas: string[]; services: string[]; secretHash: string; createdBy: string },
): Promise<ServiceAccountRecord | null> {
  const { rows } = await db.query<ServiceAccountRow>(
    `INSERT INTO users (id, display_name, kind, roles, areas, services, active, client_secret_hash, created_by)
     VALUES ($1, $2, 'service', $3, $4, $5, true, $6, $7)
     ON CONFLICT (id) DO NOTHING
     RETURNING ${columns}`,
    [account.id, account.name, account.roles, account.areas, account.services, account.secretHash, account.createdBy],
  );
  return rows[0] ? toAccount(rows[0]) : null;
}

/** Creates or updates a seeded service account (active; its secret, if an admin issued one, is kept). */
export async function upsertSeedServiceAccount(db: Queryable, account: { id: string; name: string; roles: Role[]; areas: string[]; services: string[] }): Promise<void> {
  const { rowCount } = await db.query(
    `INSERT INTO users (id, display_name, kind, roles, areas, services, active, created_by)
     VALUES ($1, $2, 'service', $3, $4, $5, true, 'system')
     ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, roles = EXCLUDED.roles, areas = EXCLUDED.areas,
       services = EXCLUDED.services, active = true, updated_at = now()
     WHERE users.kind = 'service'`,
    [account.id, account.name, account.roles, account.areas, account.services],
  );
  if (rowCount !== 1) throw new Error(`the demo service account id ${account.id} is taken by a person`);
}

/** Every active service account, by id. */
export async function listServiceAccounts(db: Queryable): Promise<ServiceAccountRecord[]> {
  const { rows } = await db.query<ServiceAccountRow>(`SELECT ${columns} FROM users WHERE kind = 'service' AND active ORDER BY id`);
  return rows.map(toAccount);
}

/** An active service account; null when unknown or deleted. */
export async function findServiceAccount(db: Queryable, id: string): Promise<ServiceAccountRecord | null> {
  const { rows } = await db.query<ServiceAccountRow>(`SELECT ${columns} FROM users WHERE id = $1 AND kind = 'service' AND active`, [id]);
  return rows[0] ? toAccount(rows[0]) : null;
}

/** The secret hash of an active service account (null when unknown, deleted or a person). */
export async function findClientSecretHash(db: Queryable, id: string): Promise<string | null> {
  const { rows } = await db.query<{ client_secret_hash: string | null }>(
    "SELECT client_secret_hash FROM users WHERE id = $1 AND kind = 'service' AND active",
    [id],
  );
  return rows[0]?.client_secret_hash ?? null;
}

/** Replaces the secret of an active service account; false when there is none with this id. */
export async function replaceClientSecret(db: Queryable, id: string, secretHash: string): Promise<boolean> {
  const { rowCount } = await db.query("UPDATE users SET client_secret_hash = $2, updated_at = now() WHERE id = $1 AND kind = 'service' AND active", [id, secretHash]);
  return rowCount === 1;
}

/** Deactivates a service account and forgets its secret; false when there is no active one with this id. */
export async function deactivateServiceAccount(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    "UPDATE users SET active = false, client_secret_hash = NULL, updated_at = now() WHERE id = $1 AND kind = 'service' AND active",
    [id],
  );
  return rowCount === 1;
}
