/**
 * Schema migrations (SQL files in /migrations) applied with node-pg-migrate. Idempotent, and safe
 * when the API and the worker start at once: the runner waits on an advisory lock.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const runnerScript = path.join(__dirname, 'migrate-runner.mjs');

/** Applies every pending migration to the database (no-op when it is up to date). */
export async function runMigrations(databaseUrl: string): Promise<void> {
  // node-pg-migrate is ESM-only; a child process loads it the same way under tsx, node and jest.
  try {
    await execFileAsync(process.execPath, [runnerScript], {
      env: { ...process.env, RETICULATE_MIGRATE_DATABASE_URL: databaseUrl },
      timeout: 120_000,
      maxBuffer: 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`database migration failed: ${stderr || (error as Error).message}`, { cause: error });
  }
}
