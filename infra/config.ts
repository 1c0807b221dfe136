/**
 * Process configuration, parsed from the environment once at the edge. Everything inside the
 * system receives an `AppConfig` and trusts it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CASE_TASK_QUEUE } from '../domain/search-attributes';

const repoRoot = path.resolve(__dirname, '..');

/** Used only for local runs (`npm start`, tests); production must bring its own secret. */
export const DEV_AUTH_SECRET = 'reticulate-dev-secret-not-for-production-use';

const required = { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : undefined) };
const nonEmpty = z.string(required).trim().min(1);
const port = z.coerce.number().int().min(0).max(65_535);

const configSchema = z.object({
  port: port.default(3000),
  host: nonEmpty.default('127.0.0.1'),
  databaseUrl: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  temporal: z.object({
    address: nonEmpty.default('127.0.0.1:7233'),
    namespace: nonEmpty.default('default'),
    apiKey: nonEmpty.optional(),
    tls: z
      .object({
        clientCertPath: nonEmpty,
        clientKeyPath: nonEmpty,
        serverRootCaPath: nonEmpty.optional(),
        serverNameOverride: nonEmpty.optional(),
      })
      .optional(),
  }),
  taskQueue: nonEmpty.default(CASE_TASK_QUEUE),
  dataDir: nonEmpty.default(path.join(repoRoot, '.data')),
  authSecret: z.string(required).min(32, 'must be at least 32 characters'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  temporalUiPort: port.default(8233),
});

/** The whole process configuration. */
export type AppConfig = z.infer<typeof configSchema>;

/** A secret comes from `NAME`, or from the file named by `NAME_FILE` (container secrets). */
function readSecret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const inline = env[name];
  if (inline !== undefined && inline !== '') return inline;
  const file = env[`${name}_FILE`];
  if (file === undefined || file === '') return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new Error(`${name}_FILE=${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
}

/** Unset and empty env vars both mean "use the default". */
function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

function tlsFrom(env: NodeJS.ProcessEnv) {
  const clientCertPath = optional(env, 'TEMPORAL_TLS_CERT');
  const clientKeyPath = optional(env, 'TEMPORAL_TLS_KEY');
  if (clientCertPath === undefined && clientKeyPath === undefined) return undefined;
  return {
    clientCertPath,
    clientKeyPath,
    serverRootCaPath: optional(env, 'TEMPORAL_TLS_CA'),
    serverNameOverride: optional(env, 'TEMPORAL_TLS_SERVER_NAME'),
  };
}

/** Parses the environment into an `AppConfig`; throws one readable error listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const developmentDefaults = env.RETICULATE_EMBEDDED === '1' || env.NODE_ENV !== 'production';
  const raw = {
    port: optional(env, 'PORT'),
    host: optional(env, 'HOST'),
    databaseUrl: readSecret(env, 'DATABASE_URL'),
    temporal: {
      address: optional(env, 'TEMPORAL_ADDRESS'),
      namespace: optional(env, 'TEMPORAL_NAMESPACE'),
      apiKey: readSecret(env, 'TEMPORAL_API_KEY'),
      tls: tlsFrom(env),
    },
    taskQueue: optional(env, 'TEMPORAL_TASK_QUEUE'),
    dataDir: optional(env, 'RETICULATE_DATA_DIR'),
    authSecret: readSecret(env, 'RETICULATE_AUTH_SECRET') ?? (developmentDefaults ? DEV_AUTH_SECRET : undefined),
    logLevel: optional(env, 'LOG_LEVEL'),
    temporalUiPort: optional(env, 'TEMPORAL_UI_PORT'),
  };
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${envNameOf(issue.path)}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.dataDir) };
}

const envNames: Record<string, string> = {
  port: 'PORT',
  host: 'HOST',
  databaseUrl: 'DATABASE_URL',
  'temporal.address': 'TEMPORAL_ADDRESS',
  'temporal.namespace': 'TEMPORAL_NAMESPACE',
  'temporal.apiKey': 'TEMPORAL_API_KEY',
  'temporal.tls.clientCertPath': 'TEMPORAL_TLS_CERT',
  'temporal.tls.clientKeyPath': 'TEMPORAL_TLS_KEY',
  'temporal.tls.serverRootCaPath': 'TEMPORAL_TLS_CA',
  'temporal.tls.serverNameOverride': 'TEMPORAL_TLS_SERVER_NAME',
  taskQueue: 'TEMPORAL_TASK_QUEUE',
  dataDir: 'RETICULATE_DATA_DIR',
  authSecret: 'RETICULATE_AUTH_SECRET',
  logLevel: 'LOG_LEVEL',
  temporalUiPort: 'TEMPORAL_UI_PORT',
};

function envNameOf(issuePath: ReadonlyArray<PropertyKey>): string {
  const key = issuePath.map(String).join('.');
  return envNames[key] ?? key;
}
