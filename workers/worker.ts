/**
 * The case worker process: hosts the pathway workflow and its activities. Run any number of them
 * against the same task queue to scale out (`npm run worker`).
 */
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createCaseActivities } from '../activities/case-activities';
import type { AppConfig } from '../infra/config';

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pool: Pool;
  /** A prebuilt bundle (tests build one per file); by default the worker bundles `workflows/`. */
  workflowBundle?: WorkflowBundleOption;
}

/** Creates (without running) a worker for case workflows. */
export async function createCaseWorker(options: CaseWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createCaseActivities({ pool: options.pool }),
  });
}

/** Starts a worker in this process and returns a handle that stops it cleanly. */
export async function runCaseWorker({ config, pool }: { config: AppConfig; pool: Pool }): Promise<{ shutdown(): Promise<void> }> {
  const { connectWorkerConnection } = await import('../infra/temporal-connection');
  const connection = await connectWorkerConnection(config);
  const worker = await createCaseWorker({ connection, namespace: config.temporal.namespace, taskQueue: config.taskQueue, pool });
  const running = worker.run();
  return {
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

async function main(): Promise<void> {
  const { loadConfig } = await import('../infra/config');
  const { createPool } = await import('../infra/db/pool');
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required for a standalone worker (npm start runs the embedded stack)');
  const pool = createPool(config.databaseUrl);
  const { connectWorkerConnection } = await import('../infra/temporal-connection');
  const connection = await connectWorkerConnection(config);
  const worker = await createCaseWorker({ connection, namespace: config.temporal.namespace, taskQueue: config.taskQueue, pool });
  // The SDK's runtime stops the worker on SIGINT/SIGTERM; in-flight tasks finish first.
  await worker.run();
  await connection.close();
  await pool.end();
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
