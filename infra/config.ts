/**
 * Process configuration, parsed from the environment once at the edge. Everything inside the
 * system receives an `AppConfig` and trusts it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CASE_TASK_QUEUE } from '../domain/search-attributes';
import { documentEnv, documentEnvNames, documentSettingsSchema } from './documents/settings';
import { notificationEnv, notificationEnvNames, notificationSettingsSchema } from './notifications/settings';
import { parseKeyRing } from './codec/key-ring';

const repoRoot = path.resolve(__dirname, '..');

/** Token signature algorithms an OIDC provider may use: asymmetric only (never `none`, never HS*). */
export const asymmetricAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const required = { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : undefined) };
const nonEmpty = z.string(required).trim().min(1);
const port = z.coerce.number().int().min(0).max(65_535);

/** `host:port` or `[ipv6]:port` → the parts `listen` takes. */
const listenAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9100 or [::1]:9100')
  .transform((text) => {
    const split = text.lastIndexOf(':');
    return { host: text.slice(0, split).replace(/^\[(.*)\]$/, '$1'), port: Number(text.slice(split + 1)) };
  })
  .pipe(z.object({ host: z.string(), port: z.number().int().max(65_535, 'the port must be at most 65535') }));

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
  oidc: z.object({
    issuer: z.url({ protocol: /^https?$/ }).optional(),
    audience: nonEmpty.default('reticulate-api'),
    jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
    algorithms: z.array(z.enum(asymmetricAlgorithms, { error: `must be a comma list of ${asymmetricAlgorithms.join(', ')}` })).min(1).default(['RS256', 'ES256']),
    userClaim: nonEmpty.default('sub'),
  }),
  localIssuer: z.object({ url: z.url({ protocol: /^https?$/ }).optional(), keyFile: nonEmpty.optional() }),
  rateLimit: z.object({
    max: z.coerce.number().int().min(1).default(1200),
    windowMs: z
      .string()
      .regex(/^\d+\s*(ms|s|sec|seconds?|m|min|minutes?|h|hours?)?$/i, 'must be milliseconds or a duration like "1 minute"')
      .transform(durationMs)
      .pipe(z.number().int().min(1_000, 'must be at least 1 second'))
      .default(60_000),
  }),
  corsOrigins: z.array(z.url({ error: 'must be a comma list of origins like https://app.example.org' }).refine((origin) => new URL(origin).origin === origin, 'must be an origin (scheme, host, port) without a path')).default([]),
  // Proxies whose X-Forwarded-For is believed (addresses or CIDRs): the client address keys anonymous rate limits.
  trustProxy: z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: 'must be a comma list of proxy addresses or CIDR ranges' })).optional(),
  notifications: notificationSettingsSchema,
  documents: documentSettingsSchema,
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  temporalUiPort: port.default(8233),
  /** host:port where a worker process serves Temporal's worker metrics for Prometheus; unset = off. */
  workerMetricsAddress: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:9464').optional(),
  /** RSS a worker may grow to (MB): sizes its workflow cache (workers/worker-cache-budget.ts); unset = its V8 heap limit. */
  workerMemoryBudgetMb: z.coerce.number().int().min(128, 'must be at least 128 (MB)').optional(),
  codecKeys: z.string().superRefine(keyRingIssues).optional(),
  /** Who may read `/metrics`: a separate listen address, a bearer token, or (explicitly) anyone on the API port. */
  metrics: z.object({
    address: listenAddress.optional(),
    token: z.string().min(16, 'must be at least 16 characters (e.g. openssl rand -hex 32)').optional(),
    public: z.stringbool({ error: 'must be true or false' }).default(false),
  }),
  codecCorsOrigins: z.array(z.url({ error: 'must be a comma list of origins' })).optional(),
  retentionDays: z.coerce.number().int().min(0).max(36_500).default(3650),
  console: z.object({
    /** The built web console (web/dist); the API serves it at `/` when its index.html exists. */
    dir: nonEmpty.default(path.join(repoRoot, 'web', 'dist')),
    /** The embedded issuer's sign-in page lets anyone pick a demo user: never on in production. */
    demoSignIn: z.enum(['true', 'false'], { error: 'must be true or false' }).transform((value) => value === 'true'),
    /** The console's client id at the OIDC provider (authorization code + PKCE); unset = the embedded issuer. */
    oidcClientId: nonEmpty.optional(),
    oidcScope: nonEmpty.default('openid profile'),
  }),
});

/** A malformed master key ring fails the start with the entry at fault (never the key itself). */
function keyRingIssues(spec: string, ctx: z.RefinementCtx): void {
  try {
    parseKeyRing(spec);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
}

/** The whole process configuration. */
export type AppConfig = Omit<z.infer<typeof configSchema>, 'localIssuer'> & {
  /** The embedded token issuer: its `iss` URL and the file of its signing keys. */
  localIssuer: { url: string; keyFile: string };
  /** NODE_ENV=production: no demo sign-in, no generated keys, and the API needs a provider and protected metrics. */
  production: boolean;
};

const durationUnits: Record<string, number> = { ms: 1, s: 1_000, sec: 1_000, second: 1_000, seconds: 1_000, m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000, hour: 3_600_000, hours: 3_600_000 };

/** "60000", "30 s", "1 minute" → milliseconds. */
function durationMs(text: string): number {
  const [, amount, unit] = /^(\d+)\s*([a-z]*)$/i.exec(text) ?? [];
  return Number(amount) * (durationUnits[(unit || 'ms').toLowerCase()] ?? Number.NaN);
}

/** A comma list ("a, b,,c") as trimmed non-empty items; undefined when unset. */
function list(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const value = optional(env, name);
  return value?.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

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
  // Whatever starts the process (npm start included): production rules are not relaxed by the launcher.
  const production = env.NODE_ENV === 'production';
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
    oidc: {
      issuer: optional(env, 'OIDC_ISSUER'),
      audience: optional(env, 'OIDC_AUDIENCE'),
      jwksUrl: optional(env, 'OIDC_JWKS_URL'),
      algorithms: list(env, 'OIDC_ALGORITHMS'),
      userClaim: optional(env, 'OIDC_USER_CLAIM'),
    },
    localIssuer: { url: optional(env, 'RETICULATE_ISSUER_URL'), keyFile: optional(env, 'RETICULATE_ISSUER_KEY_FILE') },
    rateLimit: { max: optional(env, 'RATE_LIMIT_MAX'), windowMs: optional(env, 'RATE_LIMIT_WINDOW') },
    corsOrigins: list(env, 'CORS_ORIGINS'),
    trustProxy: list(env, 'TRUST_PROXY'),
    notifications: notificationEnv(env),
    documents: documentEnv(env),
    logLevel: optional(env, 'LOG_LEVEL'),
    temporalUiPort: optional(env, 'TEMPORAL_UI_PORT'),
    workerMetricsAddress: optional(env, 'TEMPORAL_WORKER_METRICS_ADDRESS'),
    workerMemoryBudgetMb: optional(env, 'WORKER_MEMORY_BUDGET_MB'),
    // Outside production without keys, the embedded key file under the data dir is used (infra/codec/key-ring.ts).
    codecKeys: readSecret(env, 'RETICULATE_CODEC_KEYS'),
    metrics: { address: optional(env, 'METRICS_ADDRESS'), token: readSecret(env, 'METRICS_TOKEN'), public: optional(env, 'METRICS_PUBLIC') },
    codecCorsOrigins: list(env, 'RETICULATE_CODEC_CORS_ORIGINS'),
    retentionDays: optional(env, 'RETICULATE_RETENTION_DAYS'),
    console: {
      dir: optional(env, 'CONSOLE_DIR'),
      // Anyone may pick any demo user, admin included: only on a machine that has no real identity provider.
      demoSignIn: optional(env, 'CONSOLE_DEMO_SIGN_IN') ?? (production || optional(env, 'OIDC_ISSUER') !== undefined ? 'false' : 'true'),
      oidcClientId: optional(env, 'OIDC_CONSOLE_CLIENT_ID'),
      oidcScope: optional(env, 'OIDC_CONSOLE_SCOPE'),
    },
  };
  const parsed = configSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${envNameOf(issue.path)}: ${issue.message}`);
  if (production) problems.push(...productionProblems(raw));
  if (!parsed.success || problems.length > 0) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  const { data } = parsed;
  const dataDir = path.resolve(data.dataDir);
  // Wildcard listen addresses are not addresses a client can name; the issuer URL must be one.
  const issuerHost = data.host === '0.0.0.0' || data.host === '::' ? '127.0.0.1' : data.host.includes(':') ? `[${data.host}]` : data.host;
  const localIssuer = {
    url: (data.localIssuer.url ?? `http://${issuerHost}:${data.port}`).replace(/\/+$/, ''),
    keyFile: path.resolve(data.localIssuer.keyFile ?? path.join(dataDir, 'issuer', 'keys.json')),
  };
  if (data.console.oidcClientId !== undefined && data.oidc.issuer === undefined) throw new Error('Invalid configuration: OIDC_CONSOLE_CLIENT_ID: needs OIDC_ISSUER (the provider the console signs in with)');
  if (data.console.oidcClientId !== undefined && data.console.demoSignIn) throw new Error('Invalid configuration: CONSOLE_DEMO_SIGN_IN: must be false when the console signs in at an OIDC provider (OIDC_CONSOLE_CLIENT_ID)');
  if (data.metrics.public && (data.metrics.address !== undefined || data.metrics.token !== undefined)) {
    throw new Error('Invalid configuration: METRICS_PUBLIC: must not be true together with METRICS_ADDRESS or METRICS_TOKEN (which protect /metrics)');
  }
  return { ...data, dataDir, localIssuer, production, console: { ...data.console, dir: path.resolve(data.console.dir) } };
}

/** What every process refuses in production: the demo sign-in asked for, or no master key ring (never a generated dev key). */
function productionProblems(raw: { codecKeys?: string; console: { demoSignIn: string } }): string[] {
  const problems: string[] = [];
  if (raw.console.demoSignIn === 'true') problems.push('CONSOLE_DEMO_SIGN_IN: must not be true when NODE_ENV=production (anyone could sign in as any user, admins included)');
  if (raw.codecKeys === undefined) problems.push('RETICULATE_CODEC_KEYS (or RETICULATE_CODEC_KEYS_FILE): is required when NODE_ENV=production (the master key ring, from a secret manager)');
  return problems;
}

/**
 * Throws one readable error when the configuration lacks what an API process needs in production:
 * an identity provider (OIDC_ISSUER) and a `/metrics` that is not open to everyone on the API port.
 * Workers and tools do not serve either, so `loadConfig` leaves this to whatever starts an API.
 */
export function assertApiConfig(config: AppConfig): void {
  if (!config.production) return;
  const problems: string[] = [];
  if (config.oidc.issuer === undefined) problems.push('OIDC_ISSUER: is required when NODE_ENV=production (the identity provider people sign in with)');
  if (config.metrics.address === undefined && config.metrics.token === undefined && !config.metrics.public) {
    problems.push('METRICS_ADDRESS or METRICS_TOKEN: one is required when NODE_ENV=production, so /metrics is not public on the API port (or METRICS_PUBLIC=true when the network in front blocks it)');
  }
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
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
  'oidc.issuer': 'OIDC_ISSUER',
  'oidc.audience': 'OIDC_AUDIENCE',
  'oidc.jwksUrl': 'OIDC_JWKS_URL',
  'oidc.algorithms': 'OIDC_ALGORITHMS',
  'oidc.userClaim': 'OIDC_USER_CLAIM',
  'localIssuer.url': 'RETICULATE_ISSUER_URL',
  'localIssuer.keyFile': 'RETICULATE_ISSUER_KEY_FILE',
  'rateLimit.max': 'RATE_LIMIT_MAX',
  'rateLimit.windowMs': 'RATE_LIMIT_WINDOW',
  corsOrigins: 'CORS_ORIGINS',
  trustProxy: 'TRUST_PROXY',
  ...notificationEnvNames,
  ...documentEnvNames,
  logLevel: 'LOG_LEVEL',
  temporalUiPort: 'TEMPORAL_UI_PORT',
  workerMetricsAddress: 'TEMPORAL_WORKER_METRICS_ADDRESS',
  workerMemoryBudgetMb: 'WORKER_MEMORY_BUDGET_MB',
  codecKeys: 'RETICULATE_CODEC_KEYS',
  'metrics.address': 'METRICS_ADDRESS',
  'metrics.address.port': 'METRICS_ADDRESS',
  'metrics.token': 'METRICS_TOKEN',
  'metrics.public': 'METRICS_PUBLIC',
  codecCorsOrigins: 'RETICULATE_CODEC_CORS_ORIGINS',
  retentionDays: 'RETICULATE_RETENTION_DAYS',
  'console.dir': 'CONSOLE_DIR',
  'console.demoSignIn': 'CONSOLE_DEMO_SIGN_IN',
  'console.oidcClientId': 'OIDC_CONSOLE_CLIENT_ID',
  'console.oidcScope': 'OIDC_CONSOLE_SCOPE',
};

function envNameOf(issuePath: ReadonlyArray<PropertyKey>): string {
  const key = issuePath.map(String).join('.');
  // List items (OIDC_ALGORITHMS.1, CORS_ORIGINS.0) are named by their variable.
  return envNames[key] ?? envNames[issuePath.filter((part) => typeof part !== 'number').map(String).join('.')] ?? key;
}
