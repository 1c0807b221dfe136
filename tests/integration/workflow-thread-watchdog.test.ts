/**
 * The worker's workflow thread keeps a deadlock guard after our patch of @temporalio/worker
 * (patches/, README "Benchmark"): node:vm's per-call timeout, which started a watchdog thread on
 * every call into a workflow, is replaced by one watchdog per workflow thread. Workflow code that
 * never returns must still be stopped after isolateExecutionTimeout, and ordinary workflows must run.
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { testTemporalAddress, uniqueName } from '../support/stack';

let bundle: WorkflowBundleWithSourceMap;
let nativeConnection: NativeConnection;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/endless-workflows'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
  nativeConnection = await NativeConnection.connect({ address: testTemporalAddress() });
  connection = await Connection.connect({ address: testTemporalAddress() });
  client = new Client({ connection });
});

afterAll(async () => {
  await connection?.close();
  await nativeConnection?.close();
});

// The SDK's default isolateExecutionTimeout (5 s) is the guard under test.
const workerOn = (taskQueue: string) => Worker.create({ connection: nativeConnection, taskQueue, workflowBundle: bundle });

it('runs ordinary workflows with the per-thread watchdog in place', async () => {
  const taskQueue = uniqueName('watchdog-ok');
  const worker = await workerOn(taskQueue);
  const result = await worker.runUntil(client.workflow.execute('answers', { taskQueue, workflowId: uniqueName('answers') }));
  expect(result).toBe('done');
});

it('stops workflow code that never returns after isolateExecutionTimeout, failing the worker', async () => {
  const taskQueue = uniqueName('watchdog-spin');
  const worker = await workerOn(taskQueue);
  const started = Date.now();
  const running = worker.run();
  await client.workflow.start('spinsForever', { taskQueue, workflowId: uniqueName('spins') });
  await expect(running).rejects.toThrow(/isolateExecutionTimeout/);
  // Stopped by the 5 s guard, not by a test timeout.
  expect(Date.now() - started).toBeLessThan(30_000);
}, 60_000);
