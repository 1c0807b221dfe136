/**
 * `npm run migrate`: applies the read-model migrations to DATABASE_URL and exits. The API also
 * migrates at start (under an advisory lock), so this is for deploy pipelines that migrate first.
 */
import { loadConfig } from '../infra/config';
import { runMigrations } from '../infra/db/migrate';

async function main(): Promise<void> {
  const { databaseUrl } = loadConfig();
  if (!databaseUrl) throw new Error('DATABASE_URL is required (npm start migrates the embedded database itself)');
  await runMigrations(databaseUrl);
  console.log('migrations applied');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
