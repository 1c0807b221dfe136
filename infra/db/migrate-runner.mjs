/* global process, console -- a Node script outside the TypeScript project */
// Applies pending migrations with node-pg-migrate's programmatic runner. It runs as its own Node
// process because node-pg-migrate 9 is ESM-only, while this codebase and its jest sandbox load
// CommonJS (see migrate.ts). Reads the URL from the environment so it never shows in `ps`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

const databaseUrl = process.env.RETICULATE_MIGRATE_DATABASE_URL;
if (!databaseUrl) {
  console.error('RETICULATE_MIGRATE_DATABASE_URL is not set');
  process.exit(2);
}

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');
const quiet = () => {};

try {
  const applied = await runner({
    databaseUrl,
    dir: migrationsDir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    singleTransaction: true,
    // Two processes starting together: the second waits for the first, then finds nothing to do.
    advisoryLockMode: 'wait',
    logger: { debug: quiet, info: quiet, warn: (msg) => console.error(msg), error: (msg) => console.error(msg) },
  });
  process.stdout.write(JSON.stringify(applied.map((migration) => migration.name)));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
