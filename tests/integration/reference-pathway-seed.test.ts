/**
 * The seed publishes the repository's reference pathway file on a real PostgreSQL: as a new
 * version when the newest was published by the seed from an older file, not again while the file
 * is unchanged, and never over a version an admin published after it.
 */
import { createPool } from '../../infra/db/pool';
import { runMigrations } from '../../infra/db/migrate';
import { insertNextVersion, listVersions, findVersion } from '../../infra/db/pathway-repository';
import { pathwayDefinitionSchema } from '../../domain/pathway-schema';
import { ossReferencePathway } from '../../infra/reference-pathway';
import { seedDemoData } from '../../scripts/seed';
import { createTestDatabase } from '../support/stack';

jest.setTimeout(120_000);

const fromFile = pathwayDefinitionSchema.parse(ossReferencePathway);

it('publishes the file as the next version of oss-integrated-pathway only when it changed, and never over an admin’s version', async () => {
  const database = await createTestDatabase();
  await runMigrations(database.url);
  const pool = createPool(database.url);
  try {
    // An older shipped reference pathway, published by an earlier seed.
    const older = { ...fromFile, title: { it: 'Percorso integrato (versione precedente)' } };
    await insertNextVersion(pool, fromFile.key, older, 'system');

    await seedDemoData(pool);
    const afterFirst = await listVersions(pool, fromFile.key);
    expect(afterFirst.map((version) => [version.version, version.publishedBy])).toEqual([
      [2, 'system'],
      [1, 'system'],
    ]);
    expect((await findVersion(pool, fromFile.key, 2))?.definition).toEqual(JSON.parse(JSON.stringify(fromFile)));

    await seedDemoData(pool);
    expect(await listVersions(pool, fromFile.key)).toHaveLength(2);

    await insertNextVersion(pool, fromFile.key, older, 'admin-toscana');
    await seedDemoData(pool);
    expect((await listVersions(pool, fromFile.key)).map((version) => version.publishedBy)).toEqual(['admin-toscana', 'system', 'system']);
  } finally {
    await pool.end();
    await database.drop();
  }
});
