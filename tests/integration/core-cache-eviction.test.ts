/**
 * The SDK core runs with the project's patch (infra/core-bridge-build.ts): `reconcile_buffered` returns
 * at once when no workflow task waits for a cache slot. When one does wait, the core must still evict
 * a cached run for it, or that task would wait for ever. Here a worker with a cache of 3 serves 12
 * workflows round-robin, so nearly every update needs an eviction: every answer must arrive, and be
 * the right count, which a run that lost its state in the eviction could not give.
 */
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { coreBridgeState } from '../../infra/core-bridge-build';
import { findOnPath } from '../../infra/executables';
import { counter, incrementUpdate, stopSignal } from '../support/counter-workflows';
import { testTemporalAddress, uniqueName } from '../support/stack';

const WORKFLOWS = 12;
const CACHE = 3;
const ROUNDS = 3;

// The core's own debug log says when a task waited for a cache slot: the path the patch must leave working.
const coreLog: string[] = [];
beforeAll(() => {
  Runtime.install({
    logger: new DefaultLogger('DEBUG', (entry) => coreLog.push(entry.message)),
    telemetryOptions: { logging: { filter: { core: 'DEBUG', other: 'WARN' }, forward: {} } },
  });
});

test(`a worker caching ${CACHE} runs answers every update of ${WORKFLOWS} workflows taken in turn (core: ${coreBridgeState().state})`, async () => {
  const connection = await NativeConnection.connect({ address: testTemporalAddress() });
  const taskQueue = uniqueName('core-cache');
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('../support/counter-workflows'),
    maxCachedWorkflows: CACHE,
    maxConcurrentWorkflowTaskExecutions: 2,
  });
  const client = new Client({ connection });
  const cachedSeen: number[] = [];
  try {
    await worker.runUntil(async () => {
      const handles = await Promise.all(Array.from({ length: WORKFLOWS }, (_, i) => client.workflow.start(counter, { taskQueue, workflowId: `${taskQueue}-${i}` })));
      for (let round = 1; round <= ROUNDS; round++) {
        // Two at a time, in turn: each update lands on a run the cache of three has just let go.
        for (let i = 0; i < WORKFLOWS; i += 2) {
          const answers = await Promise.all(handles.slice(i, i + 2).map((handle) => handle.executeUpdate(incrementUpdate)));
          expect(answers).toEqual([round, round]);
          cachedSeen.push(worker.getStatus().numCachedWorkflows);
        }
      }
      await Promise.all(handles.map((handle) => handle.signal(stopSignal)));
      expect(await Promise.all(handles.map((handle) => handle.result()))).toEqual(Array(WORKFLOWS).fill(ROUNDS));
    });
  } finally {
    await connection.close();
  }
  expect(Math.max(...cachedSeen)).toBeLessThanOrEqual(CACHE);
  expect(coreLog.filter((message) => message.includes('Buffering WFT because cache is full')).length).toBeGreaterThan(0);
}, 120_000);

// A failed build leaves the stock core and setup goes on (the patch changes cost, not behaviour): so
// that such a failure is not silent where the project's own tests run, they require the patched core
// wherever cargo is there to build it.
test('setup installed the patched core wherever cargo can build it', () => {
  // The same lookup setup uses to decide whether it can build.
  const cargo = findOnPath('cargo') !== undefined;
  if (!cargo || process.env.RETICULATE_CORE_BRIDGE === 'stock') expect(coreBridgeState().state).toBe('stock');
  else expect(coreBridgeState()).toEqual({ state: 'patched', detail: expect.stringContaining('@temporalio+core-bridge+') });
});
