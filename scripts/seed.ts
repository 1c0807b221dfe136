/**
 * Demo data for the pilot, idempotent: the four pilot areas with their access points and patron
 * saints' days, the four services, demo users for every role, and the reference One Stop Shop
 * pathway (pathways/oss-integrated-pathway.yaml) published as a new version whenever the file changed. `npm run seed` migrates DATABASE_URL and seeds it.
 */
import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import { pilotAreaLocalHolidays } from '../domain/calendar';
import { checkPathway } from '../domain/pathway-checks';
import { pathwayDefinitionSchema, type PathwayDefinition } from '../domain/pathway-schema';
import { ossReferencePathway } from '../infra/reference-pathway';
import { listServiceKeys, upsertAccessPoint, upsertArea, upsertService, upsertUser, type AccessPointRecord, type AreaRecord, type ServiceRecord } from '../infra/db/directory-repository';
import { setUserEmail } from '../infra/db/notification-recipient-repository';
import { regionalOwner } from '../domain/pathway-ownership';
import { assignPathwayOwner, findVersion, insertNextVersion, listVersions } from '../infra/db/pathway-repository';
import { inTransaction } from '../infra/db/pool';
import { upsertSeedServiceAccount } from '../infra/db/service-account-repository';
import { demoAreaNames, demoEmailOf, demoServiceAccounts, demoUsers, type DemoUser } from './demo-users';

const areas: AreaRecord[] = [
  { id: 'grosseto', code: 'GR', name: demoAreaNames.grosseto, timezone: 'Europe/Rome', localHolidays: pilotAreaLocalHolidays.grosseto },
  { id: 'pistoia', code: 'PT', name: demoAreaNames.pistoia, timezone: 'Europe/Rome', localHolidays: pilotAreaLocalHolidays.pistoia },
  { id: 'livorno', code: 'LI', name: demoAreaNames.livorno, timezone: 'Europe/Rome', localHolidays: pilotAreaLocalHolidays.livorno },
  { id: 'lucca', code: 'LU', name: demoAreaNames.lucca, timezone: 'Europe/Rome', localHolidays: pilotAreaLocalHolidays.lucca },
];

const accessPoints: AccessPointRecord[] = [
  { id: 'gr-stazione', areaId: 'grosseto', name: 'Stazione ferroviaria (OSS principale)', kind: 'oss', isMain: true },
  { id: 'gr-follonica', areaId: 'grosseto', name: 'Follonica', kind: 'oss', isMain: false },
  { id: 'gr-amiata', areaId: 'grosseto', name: 'Arcidosso / Castel del Piano', kind: 'oss', isMain: false },
  { id: 'pt-segretariato', areaId: 'pistoia', name: 'Segretariato Sociale (principale)', kind: 'social_desk', isMain: true },
  { id: 'pt-hotel-popolare', areaId: 'pistoia', name: 'Hotel popolare (dormitorio)', kind: 'night_shelter', isMain: false },
  { id: 'pt-unita-mobile', areaId: 'pistoia', name: 'Unità mobile per le aree periferiche', kind: 'mobile_unit', isMain: false },
  { id: 'li-sefa', areaId: 'livorno', name: 'Centro S.E.F.A. (dormitorio, mensa)', kind: 'night_shelter', isMain: true },
  { id: 'lu-cpi-lucca', areaId: 'lucca', name: 'CPI Lucca', kind: 'job_centre', isMain: true },
  { id: 'lu-cpi-altopascio', areaId: 'lucca', name: 'CPI Altopascio', kind: 'job_centre', isMain: false },
];

const services: ServiceRecord[] = [
  { key: 'outreach', name: 'Unità di strada', nameEn: 'Outreach unit', description: 'Outreach units and shelter staff who make first contact' },
  { key: 'oss', name: 'Sportello unico (OSS)', nameEn: 'One Stop Shop (OSS)', description: 'One Stop Shop front desk: intake and eligibility' },
  { key: 'social', name: 'Servizio sociale', nameEn: 'Social services', description: 'Social workers (case managers) of the SdS or municipality' },
  { key: 'employment', name: "Centro per l'impiego (CPI)", nameEn: 'Job centre (CPI)', description: 'Employment counsellors of ARTI' },
];

// Who the seed publishes as: the reference pathway's own versions are told apart from an admin's by it.
const seedPublisher = 'system';

// Serialises concurrent seeds (API and `npm start` racing) so the reference pathway is published once.
const seedLockKey = 4_240_921_771;

/** Writes the demo data (idempotent) and returns the demo users and service accounts. */
export async function seedDemoData(pool: pg.Pool): Promise<{ users: DemoUser[]; serviceAccounts: DemoUser[] }> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [seedLockKey]);
    for (const area of areas) await upsertArea(client, area);
    for (const point of accessPoints) await upsertAccessPoint(client, point);
    for (const service of services) await upsertService(client, service);
    for (const user of demoUsers) await upsertUser(client, { ...user, active: true });
    for (const user of demoUsers) await setUserEmail(client, user.id, demoEmailOf(user.id));
    // Seeded without a secret: none is ever printed or logged; an admin issues one through the API.
    for (const account of demoServiceAccounts) await upsertSeedServiceAccount(client, account);

    const definition = pathwayDefinitionSchema.parse(ossReferencePathway);
    if (await referencePathwayChanged(client, definition)) {
      const issues = checkPathway(definition, { services: await listServiceKeys(client) });
      if (issues.length > 0) throw new Error(`the reference pathway fails its checks: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      await insertNextVersion(client, definition.key, definition, seedPublisher);
    }
    // Every area runs the reference pathway: it is regional, so only admins change it.
    await assignPathwayOwner(client, definition.key, regionalOwner, 'system');
  });
  return { users: demoUsers, serviceAccounts: demoServiceAccounts };
}

/**
 * Whether the repository's reference pathway must be published as a new version: none exists yet,
 * or the newest was published by the seed and the file has changed since. A version an admin
 * published after it is theirs: the seed never publishes over it.
 */
async function referencePathwayChanged(client: pg.ClientBase, definition: PathwayDefinition): Promise<boolean> {
  const [newest] = await listVersions(client, definition.key);
  if (!newest) return true;
  if (newest.publishedBy !== seedPublisher) return false;
  const stored = await findVersion(client, definition.key, newest.version);
  // Both sides as JSON: the stored copy went through JSONB, which keeps no undefined and no key order.
  return !isDeepStrictEqual(JSON.parse(JSON.stringify(stored?.definition ?? null)), JSON.parse(JSON.stringify(definition)));
}

/** How a seeded service account is shown: its client id and how to get a secret for it. */
export function serviceAccountLine({ id }: { id: string }): string {
  return `Service account client_id=${id}: an admin issues its client secret with POST /service-accounts/${id}/secret, then POST /oauth/token (client_credentials)`;
}

async function main(): Promise<void> {
  const { loadConfig } = await import('../infra/config');
  const { createPool } = await import('../infra/db/pool');
  const { runMigrations } = await import('../infra/db/migrate');
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required to seed');
  await runMigrations(config.databaseUrl);
  const pool = createPool(config.databaseUrl);
  try {
    const { users, serviceAccounts } = await seedDemoData(pool);
    console.log(`Seeded ${areas.length} areas, ${services.length} services, ${users.length} demo users and the reference pathway.`);
    for (const account of serviceAccounts) console.log(serviceAccountLine(account));
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
