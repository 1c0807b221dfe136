/**
 * The case worker process: hosts the pathway workflow and its activities. Run any number of them
 * against the same task queue to scale out (`npm run worker`).
 */
import { NativeConnection, Runtime, Worker, type RuntimeOptions, type WorkflowBundleOption } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createCaseActivities } from '../activities/case-activities';
import { createRetentionActivities } from '../activities/retention-activities';
import { createInterventionActivities } from '../activities/intervention-activities';
import { createNotificationActivities } from '../activities/notification-activities';
import { Client } from '@temporalio/client';
import { encryptedDataConverter, failureConverterPath, payloadConverterPath } from '../infra/codec/data-converter';
import type { PersonKeyStore } from '../infra/codec/person-key-store';
import { attachPersonKeys, ensurePersonKeys } from '../infra/codec/personal-data';
import type { AppConfig } from '../infra/config';
import type { NotificationSettings } from '../infra/notifications/settings';
import { ensureDigestSchedule, startNotificationDispatcher } from './notification-dispatcher';
import { workerCacheSettings } from './worker-cache-budget';

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pool: Pool;
  /** Data keys for the payload codec (infra/codec); attach them to `pool` with ensurePersonKeys. */
  keys: PersonKeyStore;
  /** Days closed cases keep personal data (retention workflow); default 3650. */
  retentionDays?: number;
  /** Settings of the digest activity (links, SMTP); defaults when absent. */
  notifications?: NotificationSettings;
  /** A prebuilt bundle (tests build one per file); by default the worker bundles `workflows/` (workflowBundlerOptions). */
  workflowBundle?: WorkflowBundleOption;
  /** RSS the worker may grow to, in MB (WORKER_MEMORY_BUDGET_MB); default: this process's V8 heap limit. */
  memoryBudgetMb?: number;
}

/**
 * Pure modules the workflow bundle evaluates once per worker thread instead of once per workflow
 * (reuseV8Context shares them, frozen): zod, luxon and the case engine. Evaluating them for every
 * case cost most of a cold load's CPU and a copy of every schema in every cached case. Only modules
 * without per-workflow state belong here: they see no workflow context when they load.
 */
const sharedWorkflowModules: readonly string[] = [
  'zod',
  'luxon',
  require.resolve('../domain/case-messages'),
  require.resolve('../domain/case-engine'),
  require.resolve('../domain/case-command-handlers'),
  require.resolve('../domain/case-migration'),
  require.resolve('../domain/search-attributes'),
  require.resolve('../domain/shared-definitions'),
];

/**
 * How the worker bundles `workflows/` (tests and benches that prebuild a bundle pass the same): the
 * shared modules, and the converters the worker's data converter names, so a prebuilt bundle
 * converts payloads and failures as the worker's own does (Worker.create takes the paths from its
 * data converter and ignores them here).
 */
export const workflowBundlerOptions = { preloadModules: [...sharedWorkflowModules], payloadConverterPath, failureConverterPath };

/** Creates (without running) a worker for case workflows. */
export async function createCaseWorker(options: CaseWorkerOptions): Promise<Worker> {
  // The projection seals personal columns with the keys attached to its pool.
  attachPersonKeys(options.pool, options.keys);
  const dataConverter = encryptedDataConverter(options.keys);
  const { budgetMb, clampedToHeap, ...cacheOptions } = workerCacheSettings(options.memoryBudgetMb);
  if (clampedToHeap) console.warn(`WORKER_MEMORY_BUDGET_MB=${options.memoryBudgetMb} exceeds the V8 heap limit: using ${budgetMb} MB (raise --max-old-space-size with it)`);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('../workflows'), bundlerOptions: workflowBundlerOptions }),
    // A full cache evicts the least recently used case, which replays from history when needed again.
    ...cacheOptions,
    activities: {
      ...createCaseActivities({ pool: options.pool }),
      ...createRetentionActivities({ pool: options.pool, keys: options.keys, retentionDays: options.retentionDays ?? 3650 }),
      ...createNotificationActivities({ pool: options.pool, settings: options.notifications }),
      // Intervention jobs send updates to case workflows: a client over the worker's own connection, with the same codec.
      ...createInterventionActivities({
        pool: options.pool,
        temporal: new Client({ connection: options.connection, namespace: options.namespace, dataConverter }),
      }),
    },
    dataConverter,
  });
}

/** Keys for the worker's pool, and the daily schedules (created once per task queue) over the worker's own connection. */
async function prepareWorker(config: AppConfig, pool: Pool, connection: NativeConnection): Promise<PersonKeyStore> {
  const keys = ensurePersonKeys(pool, config);
  const { ensureRetentionSchedule } = await import('./retention-schedule');
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: encryptedDataConverter(keys) });
  await ensureRetentionSchedule(client, config.taskQueue);
  if (config.notifications.enabled) await ensureDigestSchedule(client, config.taskQueue, config.notifications.digestCron);
  return keys;
}

/** Starts a worker in this process and returns a handle that stops it cleanly; `running` settles when the worker stops. */
export async function runCaseWorker({ config, pool }: { config: AppConfig; pool: Pool }): Promise<{ running: Promise<void>; shutdown(): Promise<void> }> {
  const { connectWorkerConnection } = await import('../infra/temporal-connection');
  const connection = await connectWorkerConnection(config);
  let worker: Worker;
  try {
    const keys = await prepareWorker(config, pool, connection);
    worker = await createCaseWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.taskQueue,
      pool,
      keys,
      retentionDays: config.retentionDays,
      notifications: config.notifications,
      memoryBudgetMb: config.workerMemoryBudgetMb,
    });
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
  const running = worker.run();
  const dispatcher = config.notifications.enabled ? startNotificationDispatcher({ pool, settings: config.notifications }) : undefined;
  return {
    running,
    async shutdown() {
      await dispatcher?.stop();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/** Runtime telemetry: Temporal's worker metrics for Prometheus when an address is configured. */
export function workerTelemetryOptions(config: Pick<AppConfig, 'workerMetricsAddress'>): RuntimeOptions['telemetryOptions'] {
  return config.workerMetricsAddress ? { metrics: { prometheus: { bindAddress: config.workerMetricsAddress } } } : undefined;
}

async function main(): Promise<void> {
  const { loadConfig } = await import('../infra/config');
  const { createPool } = await import('../infra/db/pool');
  const { coreBridgeState } = await import('../infra/core-bridge-build');
  const config = loadConfig();
  // Before any connection: the runtime is created once per process.
  const telemetryOptions = workerTelemetryOptions(config);
  if (telemetryOptions) Runtime.install({ telemetryOptions });
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required for a standalone worker (npm start runs the embedded stack)');
  const pool = createPool(config.databaseUrl);
  const worker = await runCaseWorker({ config, pool });
  const cache = workerCacheSettings(config.workerMemoryBudgetMb);
  const core = coreBridgeState();
  console.info(
    `case worker: memory budget ${cache.budgetMb} MB, up to ${cache.maxCachedWorkflows} cached cases, ${cache.maxConcurrentWorkflowTaskExecutions} workflow tasks at once; Temporal SDK core ${core.state} (${core.detail})`,
  );
  // The SDK's runtime stops the worker on SIGINT/SIGTERM; in-flight tasks finish first.
  await worker.running;
  await worker.shutdown();
  await pool.end();
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
