/**
 * `npm run bench:capacity`: how many open cases a worker holds, and what a case costs it.
 *
 *  1. RSS per cached case: a fresh worker whose budget holds every case loads them all (one Query
 *     each, which replays the case into the cache); RSS is read from /proc at every thousand.
 *  2. Replay CPU per case by history length: a fresh worker loads cases of a few history lengths
 *     one at a time (cold: a replay of the whole history), then queries them again (cached); the
 *     worker's CPU (all threads, /proc) is divided by the cases. Beside them the same for the SDK's
 *     floor: workflows that only answer updates (bench/floor-workflows.ts, no codec, no state),
 *     grown to the same lengths with the same kind of command (one Update, no timer) and loaded
 *     the same way by a worker of their own. Then the first command on a newly started case beside
 *     the next one.
 *  3. Commands on random cases (notes, through the API, answered once projected) when the caseload
 *     is 4× the worker's cache (evictions and replays included), beside the same with every case cached.
 *
 * Cases are started through the API (real workflows, codec and read model: a case that is only a
 * row in PostgreSQL would not be a workflow to cache), 16 at a time. Knobs: BENCH_CAPACITY_CASES
 * (5000), BENCH_REPLAY_CASES (40 per history length), BENCH_COMMANDS (1000), BENCH_CLIENTS (8).
 */
import { Client, Connection } from '@temporalio/client';
import os from 'node:os';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { randomUUID } from 'node:crypto';
import { caseSnapshotQuery, caseWorkflowId } from '../domain/case-messages';
import { loadConfig } from '../infra/config';
import { openLocalIssuer } from '../infra/local-issuer';
import { memoryBudgetForCases } from '../workers/worker-cache-budget';
import { spawnScript, waitFor, type StackProcess } from '../tests/support/processes';
import { startBenchStack } from './bench-stack';
import { pingUpdate } from './floor-workflows';
import {
  apiClient,
  forEachLimited,
  cpuMsOf,
  msSince,
  settledRssMb,
  startMeasuredWorker,
  stats,
  type MeasuredWorker,
} from './capacity-tools';

const totalCases = Number(process.env.BENCH_CAPACITY_CASES ?? 5000);
const replayCases = Number(process.env.BENCH_REPLAY_CASES ?? 40);
const commandCount = Number(process.env.BENCH_COMMANDS ?? 1000);
const clients = Number(process.env.BENCH_CLIENTS ?? 8);
/** History lengths (events) of the replay groups, beside the cases as started. */
const historyTargets = [50, 200];
/** Task queue of the floor workflows (bench/floor-worker.ts). */
const floorTaskQueue = 'capacity-floor';
/** V8 heap of the measured workers: never the limit here, the cache is (WORKER_MEMORY_BUDGET_MB). */
const heapMb = 16_384;

const fmt = (value: number, digits = 2) => value.toFixed(digits);

async function main(): Promise<void> {
  const started = Date.now();
  const stack = await startBenchStack({ prefix: 'reticulate-capacity-', taskQueue: 'capacity-cases', prepare: () => ({ RATE_LIMIT_MAX: '100000000' }) });
  const { env, baseUrl } = stack;
  const workers: MeasuredWorker[] = [];
  stack.defer(async () => {
    for (const worker of workers) await worker.stop();
  });
  try {
    const connection = await Connection.connect({ address: stack.temporalAddress });
    stack.defer(() => connection.close());
    const temporal = new Client({ connection });
    const issuer = await openLocalIssuer(loadConfig(env));
    const outreach = `Bearer ${await issuer.issueUserToken('outreach-operator-grosseto')}`;
    const api = apiClient(baseUrl, 32);
    stack.defer(async () => api.close());
    const workflowHistoryLength = async (workflowId: string) => (await temporal.workflow.getHandle(workflowId).describe()).historyLength;
    const historyLength = (caseId: string) => workflowHistoryLength(caseWorkflowId(caseId));
    // A raw Query: it loads the case into the worker's cache like any other, and its (sealed) answer is not read.
    const load = (caseId: string) =>
      connection.workflowService.queryWorkflow({ namespace: 'default', execution: { workflowId: caseWorkflowId(caseId) }, query: { queryType: caseSnapshotQuery.name } });

    console.log(`\nReticulate worker capacity`);
    console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; load average at start ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

    // Cases, through the API and the stack's own worker.
    let t = process.hrtime.bigint();
    const caseIds: string[] = [];
    await forEachLimited(Array.from({ length: totalCases }), 16, async () => {
      caseIds.push(await api.startCase(outreach));
    });
    const recordedSeconds = msSince(t) / 1000;
    // The API starts each workflow after its answer, or its sweep does later when that start was slow
    // (10/s at most): every workflow has run its first task before any worker is measured.
    const lengths = new Map<string, number>();
    const startDeadline = Date.now() + 30 * 60_000;
    await forEachLimited(caseIds, 16, async (caseId) => {
      for (;;) {
        const length = await historyLength(caseId).catch(() => 0);
        if (length >= 4) {
          lengths.set(caseId, length);
          return;
        }
        if (Date.now() > startDeadline) throw new Error(`case ${caseId} did not start`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });
    console.log(`cases: ${caseIds.length} recorded through the API in ${fmt(recordedSeconds, 1)} s (16 clients), every workflow running after ${fmt(msSince(t) / 1000, 1)} s`);

    // Groups of longer histories, grown with notes (one Update each).
    const plain = caseIds.slice(historyTargets.length * replayCases);
    const groups: Array<{ label: string; caseIds: string[] }> = [{ label: 'as started', caseIds: plain.slice(0, replayCases) }];
    t = process.hrtime.bigint();
    for (const [index, target] of historyTargets.entries()) {
      const group = caseIds.slice(index * replayCases, (index + 1) * replayCases);
      await forEachLimited(group, 16, async (caseId) => {
        let length = lengths.get(caseId) ?? 0;
        while (length < target) {
          await api.addNote(outreach, caseId, `capacity note at ${length}`);
          length = await historyLength(caseId);
        }
        lengths.set(caseId, length);
      });
      groups.push({ label: `≈${target} events`, caseIds: group });
    }
    console.log(`history groups grown with notes in ${fmt(msSince(t) / 1000, 1)} s`);

    // The floor: bare workflows grown to the same lengths with pings (one Update each, as a note is).
    const startFloorWorker = async (): Promise<StackProcess> => {
      const proc = spawnScript('bench/floor-worker.ts', { TEMPORAL_ADDRESS: stack.temporalAddress, FLOOR_TASK_QUEUE: floorTaskQueue });
      stack.defer(() => proc.stop());
      await waitFor(async () => proc.output().includes('RUNNING'), 'floor worker running', 120_000, proc);
      return proc;
    };
    const floorGroups: Array<{ label: string; ids: string[] }> = [];
    t = process.hrtime.bigint();
    {
      const floorWorker = await startFloorWorker();
      for (const [label, target] of [['as started', 4], ...historyTargets.map((target) => [`≈${target} events`, target] as const)] as const) {
        const workflowIds = Array.from({ length: replayCases }, () => `capacity-floor-${randomUUID()}`);
        await forEachLimited(workflowIds, 16, async (workflowId) => {
          const handle = await temporal.workflow.start('benchFloor', { taskQueue: floorTaskQueue, workflowId });
          // As started: no ping, only the first workflow task (4 events), which completes on its own.
          const pings = target > 4;
          let length = 0;
          while (length < target) {
            if (pings && length > 0) await handle.executeUpdate(pingUpdate, { args: ['capacity'] });
            length = await workflowHistoryLength(workflowId);
            if (!pings && length < target) await new Promise((resolve) => setTimeout(resolve, 20));
          }
          lengths.set(workflowId, length);
        });
        floorGroups.push({ label, ids: workflowIds });
      }
      await floorWorker.stop();
    }
    console.log(`floor workflows grown with pings in ${fmt(msSince(t) / 1000, 1)} s`);

    await stack.stopWorker();
    const measuredWorker = async (cacheCases: number) => {
      const worker = await startMeasuredWorker(env, { WORKER_MEMORY_BUDGET_MB: String(memoryBudgetForCases(cacheCases)), NODE_OPTIONS: `--max-old-space-size=${heapMb}` });
      workers.push(worker);
      return worker;
    };
    const retire = async (worker: MeasuredWorker) => {
      await worker.stop();
      workers.splice(workers.indexOf(worker), 1);
    };

    // 1. RSS per cached case.
    {
      const worker = await measuredWorker(totalCases + 1000);
      await forEachLimited(plain.slice(-20), 4, async (caseId) => void (await load(caseId)));
      const base = await settledRssMb(worker);
      const toLoad = plain.slice(0, -20);
      const cpuBefore = worker.cpuMs();
      t = process.hrtime.bigint();
      const checkpoints: string[] = [];
      await forEachLimited(toLoad, clients, async (caseId, index) => {
        await load(caseId);
        if ((index + 1) % 1000 === 0) checkpoints.push(`${index + 1}: ${fmt(worker.rssMb(), 0)} MB`);
      });
      const loadSeconds = msSince(t) / 1000;
      const cpu = worker.cpuMs() - cpuBefore;
      const loaded = await settledRssMb(worker);
      const cached = await worker.metric('temporal_sticky_cache_size');
      // Core exports the eviction counter only once it has counted one.
      const evicted = (await worker.metric('temporal_sticky_cache_total_forced_eviction')) ?? 0;
      console.log(`\n1. RSS per cached case (worker budget ${memoryBudgetForCases(totalCases + 1000)} MB, heap limit ${heapMb} MB)`);
      console.log(`   empty cache (20 cases loaded to warm up): ${fmt(base, 0)} MB; RSS while loading ${toLoad.length} cases, ${clients} at a time: ${checkpoints.join(', ')}`);
      console.log(`   all loaded, settled: ${fmt(loaded, 0)} MB; cache holds ${cached ?? '?'} workflows, ${evicted ?? '?'} forced evictions`);
      console.log(`   RSS per cached case: ${fmt((loaded - base) / toLoad.length, 3)} MB over ${toLoad.length} cases`);
      console.log(`   cold loads: ${fmt(toLoad.length / loadSeconds, 0)} cases/s, worker CPU ${fmt(cpu / toLoad.length)} ms per case (history as started)`);
      await retire(worker);
    }

    // 2. Replay CPU by history length; first command on a new case beside the next one.
    {
      const worker = await measuredWorker(totalCases + 1000);
      await forEachLimited(plain.slice(-20), 1, async (caseId) => void (await load(caseId)));
      console.log(`\n2. Worker CPU per case, one at a time (cold: a replay of the whole history into the cache; cached: the same Query again)`);
      // Cold then cached loads of each group, one at a time, with the CPU of the process that replays them.
      const loadGroups = async (prefix: string, list: Array<{ label: string; ids: string[] }>, loadOne: (id: string) => Promise<unknown>, cpuMs: () => number) => {
        for (const group of list) {
          const median = [...group.ids.map((id) => lengths.get(id) ?? 0)].sort((a, b) => a - b)[group.ids.length >> 1];
          const measure = async () => {
            const latencies: number[] = [];
            const cpuBefore = cpuMs();
            for (const id of group.ids) {
              const start = process.hrtime.bigint();
              await loadOne(id);
              latencies.push(msSince(start));
            }
            return { cpu: (cpuMs() - cpuBefore) / group.ids.length, latency: stats(latencies) };
          };
          const cold = await measure();
          const warm = await measure();
          console.log(
            `   ${prefix}${group.label.padEnd(12)} (median ${median} events): cold ${fmt(cold.cpu)} ms CPU (query p50 ${fmt(cold.latency.p50)} ms), cached ${fmt(warm.cpu)} ms CPU (p50 ${fmt(warm.latency.p50)} ms); replay ≈ ${fmt(cold.cpu - warm.cpu)} ms`,
          );
        }
      };
      await loadGroups('', groups.map((group) => ({ label: group.label, ids: group.caseIds })), load, () => worker.cpuMs());
      {
        // The floor, loaded the same way by a fresh worker of its own.
        const floorWorker = await startFloorWorker();
        const pid = floorWorker.child.pid ?? 0;
        const loadFloor = (workflowId: string) =>
          connection.workflowService.queryWorkflow({ namespace: 'default', execution: { workflowId }, query: { queryType: workflowMetadataQuery.name } });
        await forEachLimited(floorGroups[0].ids.slice(-5), 1, async (workflowId) => void (await loadFloor(workflowId)));
        await loadGroups('floor ', floorGroups, loadFloor, () => cpuMsOf(pid));
        await floorWorker.stop();
      }
      const fresh: string[] = [];
      for (let i = 0; i < replayCases; i++) fresh.push(await api.startCase(outreach));
      for (const caseId of fresh) while ((await historyLength(caseId)) < 4) await new Promise((resolve) => setTimeout(resolve, 5));
      const command = async (label: string) => {
        const latencies: number[] = [];
        const cpuBefore = worker.cpuMs();
        for (const caseId of fresh) {
          const start = process.hrtime.bigint();
          await api.addNote(outreach, caseId, label);
          latencies.push(msSince(start));
        }
        return { cpu: (worker.cpuMs() - cpuBefore) / fresh.length, latency: stats(latencies) };
      };
      const first = await command('first note');
      const next = await command('second note');
      console.log(`   first command on a new case: ${fmt(first.cpu)} ms worker CPU, API p50 ${fmt(first.latency.p50)} ms p99 ${fmt(first.latency.p99)} ms (${fresh.length} cases, one at a time)`);
      console.log(`   the next command:            ${fmt(next.cpu)} ms worker CPU, API p50 ${fmt(next.latency.p50)} ms p99 ${fmt(next.latency.p99)} ms`);
      caseIds.push(...fresh);
      await retire(worker);
    }

    // 3. Commands on random cases: caseload 4× the cache, then everything cached.
    const everyCase = [...caseIds];
    const commands = async (worker: MeasuredWorker) => {
      const latencies: number[] = [];
      const errors: string[] = [];
      const cpuBefore = worker.cpuMs();
      const begin = process.hrtime.bigint();
      await forEachLimited(Array.from({ length: commandCount }), clients, async (_, index) => {
        const caseId = everyCase[Math.floor(Math.random() * everyCase.length)];
        const start = process.hrtime.bigint();
        try {
          await api.addNote(outreach, caseId, `random note ${index}`);
          latencies.push(msSince(start));
        } catch (error) {
          errors.push((error as Error).message);
        }
      });
      const seconds = msSince(begin) / 1000;
      return { latency: stats(latencies), errors, rate: commandCount / seconds, cpu: (worker.cpuMs() - cpuBefore) / commandCount };
    };
    const report = (label: string, worker: MeasuredWorker, result: Awaited<ReturnType<typeof commands>>, cache: number | undefined, evictions: number | undefined) => {
      console.log(
        `   ${label.padEnd(30)} p50 ${fmt(result.latency.p50).padStart(7)} ms  p99 ${fmt(result.latency.p99).padStart(7)} ms  ${fmt(result.rate, 0)}/s  worker CPU ${fmt(result.cpu)} ms/command  RSS ${fmt(worker.rssMb(), 0)} MB  cache ${cache ?? '?'}  evictions ${evictions ?? '?'}  errors ${result.errors.length}`,
      );
      if (result.errors.length > 0) console.log(`     first error: ${result.errors[0]}`);
    };
    console.log(`\n3. ${commandCount} notes on random cases of ${everyCase.length}, ${clients} clients, through the API`);
    let failed = false;
    {
      const cache = Math.floor(everyCase.length / 4);
      const worker = await measuredWorker(cache);
      const result = await commands(worker);
      report(`caseload 4× the cache (${cache})`, worker, result, await worker.metric('temporal_sticky_cache_size'), (await worker.metric('temporal_sticky_cache_total_forced_eviction')) ?? 0);
      failed ||= result.errors.length > 0;
      await retire(worker);
    }
    {
      const worker = await measuredWorker(everyCase.length + 1000);
      await forEachLimited(everyCase, clients, async (caseId) => void (await load(caseId)));
      const result = await commands(worker);
      report('every case cached', worker, result, await worker.metric('temporal_sticky_cache_size'), (await worker.metric('temporal_sticky_cache_total_forced_eviction')) ?? 0);
      failed ||= result.errors.length > 0;
      await retire(worker);
    }
    console.log(`\nload average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; took ${fmt((Date.now() - started) / 1000, 0)} s`);
    process.exitCode = failed ? 1 : 0;
  } finally {
    await stack.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
