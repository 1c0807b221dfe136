/**
 * Areas, their access points, services and users: the reference data that scopes every request
 * and every case. Seeded for the pilot, editable as data.
 */
import { LRUCache } from 'lru-cache';
import type { HolidayRule } from '../../domain/calendar';
import type { Role } from '../../domain/pathway-schema';
import type { Queryable } from './pool';

export interface AreaRecord {
  id: string;
  code: string;
  name: string;
  timezone: string;
  localHolidays: HolidayRule[];
}

export interface AccessPointRecord {
  id: string;
  areaId: string;
  name: string;
  kind: string;
  isMain: boolean;
}

export interface ServiceRecord {
  key: string;
  /** The service's name in Italian. */
  name: string;
  /** Its name in English; absent or null: the Italian name serves in both. */
  nameEn?: string | null;
  description: string | null;
}

/** The names staff read instead of codes: areas by id, services by key (Italian, and English where known). */
export interface DirectoryNames {
  areas: Record<string, string>;
  services: Record<string, { it: string; en: string | null }>;
}

export interface UserRecord {
  id: string;
  name: string;
  roles: Role[];
  areas: string[];
  services: string[];
  active: boolean;
}

interface UserRow {
  id: string;
  display_name: string;
  roles: Role[];
  areas: string[];
  services: string[];
  active: boolean;
}

function toUser(row: UserRow): UserRecord {
  return { id: row.id, name: row.display_name, roles: row.roles, areas: row.areas, services: row.services, active: row.active };
}

interface AreaRow {
  id: string;
  code: string;
  name: string;
  timezone: string;
  local_holidays: HolidayRule[];
}

function toArea(row: AreaRow): AreaRecord {
  return { id: row.id, code: row.code, name: row.name, timezone: row.timezone, localHolidays: row.local_holidays };
}

/** The user with this id, active or not; null when unknown. */
export async function findUser(db: Queryable, id: string): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>('SELECT id, display_name, roles, areas, services, active FROM users WHERE id = $1', [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

/** Active people (not service accounts), by id: the embedded sign-in page's demo users. */
export async function listActivePeople(db: Queryable): Promise<UserRecord[]> {
  const { rows } = await db.query<UserRow>("SELECT id, display_name, roles, areas, services, active FROM users WHERE active AND kind = 'user' ORDER BY id");
  return rows.map(toUser);
}

/** Active people working in any of `areas` (null: every area), optionally in one area, service or role, by name. */
export async function listColleagues(
  db: Queryable,
  { areas, areaId, service, role }: { areas: string[] | null; areaId?: string; service?: string; role?: Role },
): Promise<UserRecord[]> {
  const { rows } = await db.query<UserRow>(
    `SELECT id, display_name, roles, areas, services, active FROM users
     WHERE active AND kind = 'user' AND ($1::text[] IS NULL OR areas && $1) AND ($2::text IS NULL OR $2 = ANY (areas))
       AND ($3::text IS NULL OR $3 = ANY (services)) AND ($4::text IS NULL OR $4 = ANY (roles))
     ORDER BY display_name, id LIMIT 500`,
    [areas, areaId ?? null, service ?? null, role ?? null],
  );
  return rows.map(toUser);
}

/** The active person (not a service account) with this id; null otherwise. */
export async function findActivePerson(db: Queryable, id: string): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>("SELECT id, display_name, roles, areas, services, active FROM users WHERE id = $1 AND active AND kind = 'user'", [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

/** Creates or updates a user. */
export async function upsertUser(db: Queryable, user: UserRecord): Promise<void> {
  await db.query(
    `INSERT INTO users (id, display_name, roles, areas, services, active) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, roles = EXCLUDED.roles, areas = EXCLUDED.areas,
       services = EXCLUDED.services, active = EXCLUDED.active, updated_at = now()
     WHERE (users.display_name, users.roles, users.areas, users.services, users.active)
       IS DISTINCT FROM (EXCLUDED.display_name, EXCLUDED.roles, EXCLUDED.areas, EXCLUDED.services, EXCLUDED.active)`,
    [user.id, user.name, user.roles, user.areas, user.services, user.active],
  );
}

/** The area with this id; null when unknown. */
export async function findArea(db: Queryable, id: string): Promise<AreaRecord | null> {
  const cached = areaCache.get(id);
  if (cached) return cached;
  const { rows } = await db.query<AreaRow>('SELECT id, code, name, timezone, local_holidays FROM areas WHERE id = $1', [id]);
  const area = rows[0] ? toArea(rows[0]) : null;
  if (area) areaCache.set(id, area);
  return area;
}

// Areas change a few times a year (a new local holiday); every case start reads one. A changed area
// is seen by every API instance within the TTL, and at once by the instance that changed it.
const areaCache = new LRUCache<string, AreaRecord>({ max: 100, ttl: 30_000 });

/** Areas by id, for calendars of many cases at once. */
export async function findAreas(db: Queryable, ids: string[]): Promise<Map<string, AreaRecord>> {
  const { rows } = await db.query<AreaRow>('SELECT id, code, name, timezone, local_holidays FROM areas WHERE id = ANY($1::text[])', [ids]);
  return new Map(rows.map((row) => [row.id, toArea(row)]));
}

/** Creates or updates an area. */
export async function upsertArea(db: Queryable, area: AreaRecord): Promise<void> {
  areaCache.delete(area.id);
  namesCache.clear();
  await db.query(
    `INSERT INTO areas (id, code, name, timezone, local_holidays) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name, timezone = EXCLUDED.timezone,
       local_holidays = EXCLUDED.local_holidays, updated_at = now()
     WHERE (areas.code, areas.name, areas.timezone, areas.local_holidays)
       IS DISTINCT FROM (EXCLUDED.code, EXCLUDED.name, EXCLUDED.timezone, EXCLUDED.local_holidays)`,
    [area.id, area.code, area.name, area.timezone, JSON.stringify(area.localHolidays)],
  );
}

/** Creates or updates an access point of an area. */
export async function upsertAccessPoint(db: Queryable, point: AccessPointRecord): Promise<void> {
  await db.query(
    `INSERT INTO access_points (id, area_id, name, kind, is_main) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET area_id = EXCLUDED.area_id, name = EXCLUDED.name, kind = EXCLUDED.kind, is_main = EXCLUDED.is_main`,
    [point.id, point.areaId, point.name, point.kind, point.isMain],
  );
}

/** The keys of every known service: what pathway checks accept as an assignee. */
export async function listServiceKeys(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ key: string }>('SELECT key FROM services ORDER BY key');
  return rows.map((row) => row.key);
}

/** Creates or updates a service. */
export async function upsertService(db: Queryable, service: ServiceRecord): Promise<void> {
  namesCache.clear();
  await db.query(
    `INSERT INTO services (key, name, name_en, description) VALUES ($1, $2, $3, $4)
     ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, name_en = EXCLUDED.name_en, description = EXCLUDED.description`,
    [service.key, service.name, service.nameEn ?? null, service.description],
  );
}

// Names change less often than areas; every batch of emails reads them. Seen everywhere within the TTL.
const namesCache = new LRUCache<'names', DirectoryNames>({ max: 1, ttl: 30_000 });

/** Every area's and service's name (the directory is small: read whole, cached briefly). */
export async function directoryNames(db: Queryable): Promise<DirectoryNames> {
  const cached = namesCache.get('names');
  if (cached) return cached;
  const [areas, services] = await Promise.all([
    db.query<{ id: string; name: string }>('SELECT id, name FROM areas'),
    db.query<{ key: string; name: string; name_en: string | null }>('SELECT key, name, name_en FROM services'),
  ]);
  const names: DirectoryNames = {
    areas: Object.fromEntries(areas.rows.map((row) => [row.id, row.name])),
    services: Object.fromEntries(services.rows.map((row) => [row.key, { it: row.name, en: row.name_en }])),
  };
  namesCache.set('names', names);
  return names;
}
