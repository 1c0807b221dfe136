/**
 * What test files use to reach the shared servers that tests/support/global-setup.ts started
 * (or that CI pointed at through the same env vars). Each test file gets its own database; share
 * the Temporal server but give each test file its own task queue (see `uniqueName`).
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig, type AppConfig } from '../../infra/config';
import { resolveTestServer } from '../../infra/temporal-binaries';

/** Env vars through which global setup hands the servers to test files. */
export const stackEnv = {
  databaseUrl: 'TEST_DATABASE_URL',
  temporalAddress: 'TEMPORAL_TEST_ADDRESS',
  timeSkippingServer: 'TEMPORAL_TEST_SERVER_PATH',
} as const;

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: run tests through jest (tests/support/global-setup.ts starts the servers) or set it`);
  }
  return value;
}

/** A name no other test file or run will pick, e.g. for task queues and workflow ids. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Creates an empty database on the shared PostgreSQL server; `drop()` removes it (even with open connections). */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = required(stackEnv.databaseUrl);
  const name = uniqueName('reticulate_test').replace(/-/g, '_');
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`)),
  };
}

async function withAdmin(adminUrl: string, run: (admin: Client) => Promise<unknown>): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await run(admin);
  } finally {
    await admin.end();
  }
}

/** `host:port` of the shared Temporal dev server (namespace `default`, case search attributes registered). */
export function testTemporalAddress(): string {
  return required(stackEnv.temporalAddress);
}

/** Executable for `TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } })`. */
export function timeSkippingServerPath(): string {
  return process.env[stackEnv.timeSkippingServer] || resolveTestServer();
}

/** The embedded issuer's key file of test runs: outside the repository's .data, created by the first test that needs it. */
export function testIssuerKeyFile(): string {
  return path.join(tmpdir(), 'reticulate-test-issuer', 'keys.json');
}

/** An `AppConfig` aimed at the shared servers; `env` adds or overrides variables (e.g. DATABASE_URL, TEMPORAL_TASK_QUEUE). */
export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', TEMPORAL_ADDRESS: testTemporalAddress(), RETICULATE_ISSUER_KEY_FILE: testIssuerKeyFile(), ...env });
}
