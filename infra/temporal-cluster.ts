/**
 * A real Temporal cluster on this machine, for `npm run start:cluster`, the cluster smoke test, the
 * chaos test and the benchmark: the pinned server (infra/temporal-server-build.ts) on PostgreSQL
 * persistence and SQL visibility, with frontend, history, matching and the internal worker as
 * separate processes, so each can be killed and restarted on its own. The databases are created and
 * migrated with Temporal's own SQL tool on first use and found as they were afterwards.
 */
import { execFile } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { grpc, temporal } from '@temporalio/proto';
import { Client as PgClient } from 'pg';
import { indexedValueTypeName, searchAttributeRegistrations } from '../domain/search-attributes';
import { freeClusterPort, isListening, startClusterProcess, type ClusterProcess } from './cluster-process';
import type { TemporalServerTools } from './temporal-server-build';

const execFileAsync = promisify(execFile);

/** The Temporal services, in the order they are started (and stopped in reverse). */
export const temporalServiceNames = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalServiceName = (typeof temporalServiceNames)[number];

export interface TemporalClusterPorts {
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  /** Ringpop membership, one per service. */
  membership: Record<TemporalServiceName, number>;
  /** Each service's Prometheus endpoint (`/metrics`). */
  metrics: Record<TemporalServiceName, number>;
}

/** Beside the embedded mode's 7233/8233, so both modes can run at once. */
export const defaultTemporalClusterPorts: TemporalClusterPorts = {
  frontend: 7333,
  frontendHttp: 7343,
  history: 7334,
  matching: 7335,
  worker: 7339,
  membership: { frontend: 7433, history: 7434, matching: 7435, worker: 7439 },
  metrics: { frontend: 9391, history: 9392, matching: 9393, worker: 9394 },
};

export interface TemporalClusterOptions {
  tools: TemporalServerTools;
  /** A superuser URL of the PostgreSQL that holds the cluster's databases (creates the role and databases). */
  postgresAdminUrl: string;
  /** Rendered configs and service logs go under here. */
  dataDir: string;
  ports?: TemporalClusterPorts;
  namespace?: string;
  /** Fixed when the databases are created; 4 spreads the work over history shards without a big cluster's cost. */
  historyShards?: number;
  /** Closed workflows' histories are kept this many days (the read model keeps what the case record needs). */
  retentionDays?: number;
  ownProcessGroups?: boolean;
  log?: (line: string) => void;
}

export interface TemporalCluster {
  /** `host:port` of the frontend, for `Connection.connect({ address })` and TEMPORAL_ADDRESS. */
  address: string;
  namespace: string;
  /** Each service's process: kill one (SIGKILL), restart it, read its log. */
  services: Record<TemporalServiceName, ClusterProcess>;
  ports: TemporalClusterPorts;
  /** Stops the services in reverse start order. */
  stop(): Promise<void>;
}

const host = '127.0.0.1';
const databases = { temporal: 'temporal', visibility: 'temporal_visibility' } as const;
// Temporal's own role, apart from the read model's owner. Reachable only on loopback, like the
// embedded superuser; a managed PostgreSQL gets real credentials through the config template.
const dbUser = 'temporal';
const dbPassword = 'temporal';
const templateFile = path.join(__dirname, 'cluster', 'temporal-server.yaml');
const dynamicConfigFile = path.join(__dirname, 'cluster', 'dynamic-config.yaml');

/** Creates the databases when missing, starts the four services, and waits until the namespace and the case search attributes are usable. */
export async function startTemporalCluster(options: TemporalClusterOptions): Promise<TemporalCluster> {
  const { tools, postgresAdminUrl, dataDir, ports = defaultTemporalClusterPorts, namespace = 'default', historyShards = 4, retentionDays = 7, ownProcessGroups = true, log = () => undefined } = options;
  await refuseBusyPorts(ports);
  const admin = new URL(postgresAdminUrl);
  await prepareDatabases(tools, postgresAdminUrl, log);

  const configDir = path.join(dataDir, 'config');
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const address = `${host}:${ports.frontend}`;
  const started: ClusterProcess[] = [];
  const stop = async () => {
    for (const service of [...started].reverse()) await service.stop();
  };
  try {
    for (const name of temporalServiceNames) {
      const configFile = path.join(configDir, `${name}.yaml`);
      writeFileSync(configFile, renderConfig({ ports, service: name, historyShards, dbHost: admin.hostname, dbPort: admin.port || '5432' }), { mode: 0o600 });
      log(`starting Temporal ${name}…`);
      started.push(
        await startClusterProcess({
          name,
          command: tools.server,
          args: ['--config-file', configFile, '--allow-no-auth', 'start', '--service', name],
          env: serverEnv(),
          logFile: path.join(dataDir, 'logs', `${name}.log`),
          ownProcessGroup: ownProcessGroups,
          stopGraceMs: 20_000,
          ready: () => (name === 'frontend' ? frontendServing(address) : isListening(host, ports[name])),
        }),
      );
    }
    await registerNamespace(address, namespace, retentionDays, log);
  } catch (error) {
    await stop();
    throw error;
  }
  const services = Object.fromEntries(temporalServiceNames.map((name, index) => [name, started[index]])) as Record<TemporalServiceName, ClusterProcess>;
  return { address, namespace, services, ports, stop };
}

/** Free ports for a whole cluster, for tests that must not collide with a running `start:cluster`. */
export async function freeTemporalClusterPorts(): Promise<TemporalClusterPorts> {
  const perService = async () => ({ frontend: await freeClusterPort(), history: await freeClusterPort(), matching: await freeClusterPort(), worker: await freeClusterPort() });
  return { ...(await perService()), frontendHttp: await freeClusterPort(), membership: await perService(), metrics: await perService() };
}

async function refuseBusyPorts(ports: TemporalClusterPorts): Promise<void> {
  const all = [ports.frontend, ports.frontendHttp, ports.history, ports.matching, ports.worker, ...Object.values(ports.membership), ...Object.values(ports.metrics)];
  for (const port of all) {
    if (await isListening(host, port)) throw new Error(`port ${port} is already in use (a cluster still running?); stop it or choose other ports`);
  }
}

/** Our template with its `${NAME}` placeholders filled; an unknown placeholder is a bug, not a blank. */
function renderConfig(values: { ports: TemporalClusterPorts; service: TemporalServiceName; historyShards: number; dbHost: string; dbPort: string }): string {
  const { ports, service } = values;
  const substitutions: Record<string, string> = {
    LOG_LEVEL: 'warn',
    HISTORY_SHARDS: String(values.historyShards),
    DB_NAME: databases.temporal,
    VISIBILITY_DB_NAME: databases.visibility,
    DB_HOST: values.dbHost,
    DB_PORT: values.dbPort,
    DB_USER: dbUser,
    DB_PASSWORD: dbPassword,
    HOST: host,
    METRICS_PORT: String(ports.metrics[service]),
    FRONTEND_PORT: String(ports.frontend),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    HISTORY_PORT: String(ports.history),
    MATCHING_PORT: String(ports.matching),
    WORKER_PORT: String(ports.worker),
    FRONTEND_MEMBERSHIP_PORT: String(ports.membership.frontend),
    HISTORY_MEMBERSHIP_PORT: String(ports.membership.history),
    MATCHING_MEMBERSHIP_PORT: String(ports.membership.matching),
    WORKER_MEMBERSHIP_PORT: String(ports.membership.worker),
    DYNAMIC_CONFIG_FILE: dynamicConfigFile,
  };
  return readFileSync(templateFile, 'utf8').replace(/\$\{([A-Z_]+)\}/g, (_, key: string) => {
    const value = substitutions[key];
    if (value === undefined) throw new Error(`${templateFile}: unknown placeholder \${${key}}`);
    return value;
  });
}

/** The server reads TEMPORAL_* variables (TEMPORAL_SERVICES, TEMPORAL_CONFIG_FILE…) meant for our own processes. */
function serverEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TEMPORAL_') && !key.startsWith('SQL_')));
}

/** Temporal's role and two databases, each with its schema at the release's version; a second run changes nothing. */
async function prepareDatabases(tools: TemporalServerTools, adminUrl: string, log: (line: string) => void): Promise<void> {
  const admin = new URL(adminUrl);
  const sqlEnv = { ...serverEnv(), SQL_PLUGIN: 'postgres12', SQL_HOST: admin.hostname, SQL_PORT: admin.port || '5432', SQL_USER: dbUser, SQL_PASSWORD: dbPassword };
  const sqlTool = async (database: string, args: string[]) => {
    try {
      await execFileAsync(tools.sqlTool, args, { env: { ...sqlEnv, SQL_DATABASE: database }, timeout: 300_000 });
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      throw new Error(`temporal-sql-tool ${args.join(' ')} on ${database} failed: ${(stderr || stdout || (error as Error).message).trim()}`, { cause: error });
    }
  };

  const client = new PgClient({ connectionString: adminUrl });
  await client.connect();
  try {
    const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [dbUser]);
    if (role.rowCount === 0) {
      await client.query(`CREATE ROLE ${client.escapeIdentifier(dbUser)} LOGIN CREATEDB PASSWORD ${client.escapeLiteral(dbPassword)}`);
    }
    for (const [database, schema] of [[databases.temporal, 'temporal'], [databases.visibility, 'visibility']] as const) {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) {
        log(`creating database ${database}…`);
        await sqlTool(database, ['create-database']);
      }
      if (!(await hasSchemaVersionTable(adminUrl, database))) {
        log(`creating the ${schema} schema in ${database}…`);
        await sqlTool(database, ['setup-schema', '-v', '0.0']);
      }
      // Applies only the versions the database does not have yet: a no-op on every later start.
      await sqlTool(database, ['update-schema', '-d', path.join(tools.postgresSchemaDir, schema, 'versioned')]);
    }
  } finally {
    await client.end();
  }
}

async function hasSchemaVersionTable(adminUrl: string, database: string): Promise<boolean> {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  const client = new PgClient({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ found: string | null }>("SELECT to_regclass('schema_version')::text AS found");
    return rows[0].found !== null;
  } finally {
    await client.end();
  }
}

async function frontendServing(address: string): Promise<boolean> {
  if (!(await isListening(host, Number(address.split(':')[1])))) return false;
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    const { status } = await connection.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' });
    return status === grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;
  } finally {
    await connection.close();
  }
}

/** `KeywordList` → the proto enum value of `INDEXED_VALUE_TYPE_KEYWORD_LIST`. */
function indexedValueType(cliType: string): temporal.api.enums.v1.IndexedValueType {
  return temporal.api.enums.v1.IndexedValueType[indexedValueTypeName(cliType) as keyof typeof temporal.api.enums.v1.IndexedValueType];
}

const grpcAlreadyExists = 6;

/** A state no retry can fix. */
class ClusterSetupError extends Error {}

/** Registers the namespace and the case search attributes when missing; resolves once the frontend lists all of them with the right types. */
async function registerNamespace(address: string, namespace: string, retentionDays: number, log: (line: string) => void): Promise<void> {
  const connection = await Connection.connect({ address });
  const deadline = Date.now() + 60_000;
  const retry = async <T>(what: string, attempt: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        if (error instanceof ClusterSetupError) throw error;
        // Right after start the services may still be joining the membership ring.
        if (Date.now() > deadline) throw new Error(`Temporal cluster: ${what} failed: ${(error as Error).message}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };
  try {
    let changed = false;
    await retry('registering the namespace', async () => {
      try {
        await connection.workflowService.describeNamespace({ namespace });
      } catch {
        log(`registering namespace ${namespace} (retention ${retentionDays} days)…`);
        await connection.workflowService
          .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`) })
          .catch((error: { code?: number }) => {
            if (error.code !== grpcAlreadyExists) throw error;
          });
        changed = true;
        await connection.workflowService.describeNamespace({ namespace });
      }
    });
    await retry('registering the search attributes', async () => {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      const existing = customAttributes ?? {};
      const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
      for (const { name, cliType } of searchAttributeRegistrations) {
        const wanted = indexedValueType(cliType);
        if (existing[name] === undefined) missing[name] = wanted;
        else if (existing[name] !== wanted) throw new ClusterSetupError(`search attribute ${name} is registered with another type; use fresh Temporal databases`);
      }
      if (Object.keys(missing).length === 0) return;
      log(`registering search attributes ${Object.keys(missing).join(', ')}…`);
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing }).catch((error: { code?: number }) => {
        if (error.code !== grpcAlreadyExists) throw error;
      });
      changed = true;
      throw new Error('registered; waiting until they are listed');
    });
    // History and matching learn a new namespace or attribute from their namespace cache (refreshed every 2 s).
    if (changed) await new Promise((resolve) => setTimeout(resolve, 3_000));
  } finally {
    await connection.close();
  }
}
