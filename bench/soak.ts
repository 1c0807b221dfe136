/**
 * `npm run soak`: a worker capped at its memory budget under a caseload far beyond its cache.
 * Starts SOAK_CASES open cases (20000) through the API and waits up to SOAK_START_WAIT_MINUTES (30)
 * for the API to start their workflows and for the worker to run their first task.
 * Then runs one worker with WORKER_MEMORY_BUDGET_MB=SOAK_BUDGET_MB (1024, and the same V8 heap
 * limit) and sends notes to random cases from SOAK_CLIENTS (8) clients for SOAK_MINUTES (3),
 * reading the worker's RSS every 5 s. Passes when no command fails, RSS never exceeds the budget
 * and, once the cache is full (its first eviction), the last third of the samples holds no more
 * memory than the first (within 5 %). Everything runs on loopback in a temporary folder, removed
 * afterwards; not part of `npm test`. With SOAK_TRACE_MEMORY=1 the worker runs with
 * bench/memory-trace.cjs and the run ends with where its memory went (JS heaps after forced GCs,
 * array buffers, external memory), first sample against last.
 */
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../infra/config';
import { countWorkflowStarts } from '../infra/db/idempotency-repository';
import { openLocalIssuer } from '../infra/local-issuer';
import { maxCachedWorkflowsFor } from '../workers/worker-cache-budget';
import { startBenchStack } from './bench-stack';
import { apiClient, forEachLimited, msSince, startMeasuredWorker, stats, type MeasuredWorker } from './capacity-tools';

const caseCount = Number(process.env.SOAK_CASES ?? 20_000);
const minutes = Number(process.env.SOAK_MINUTES ?? 3);
const budgetMb = Number(process.env.SOAK_BUDGET_MB ?? 1024);
const clients = Number(process.env.SOAK_CLIENTS ?? 8);
const startWaitMinutes = Number(process.env.SOAK_START_WAIT_MINUTES ?? 30);
const traceMemory = process.env.SOAK_TRACE_MEMORY === '1';
/** Growth allowed between the first and the last third of the run before memory counts as growing. */
const FLAT_TOLERANCE = 0.05;

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

async function main(): Promise<void> {
  const started = Date.now();
  const stack = await startBenchStack({
    prefix: 'reticulate-soak-',
    taskQueue: 'soak-cases',
    prepare: () => ({ RATE_LIMIT_MAX: '100000000' }),
    // The dev server's SQLite stands in for a production Temporal's database: WAL, as the embedded
    // default (temporal-dev-server.ts), and synced only at checkpoints, as when its figures were measured.
    temporalSqlitePragmas: ['journal_mode=wal', 'synchronous=normal'],
  });
  let worker: MeasuredWorker | undefined;
  stack.defer(async () => worker?.stop());
  try {
    const connection = await Connection.connect({ address: stack.temporalAddress });
    stack.defer(() => connection.close());
    const issuer = await openLocalIssuer(loadConfig(stack.env));
    const outreach = `Bearer ${await issuer.issueUserToken('outreach-operator-grosseto')}`;
    const api = apiClient(stack.baseUrl, 64);
    stack.defer(async () => api.close());
    console.log(`\nReticulate soak: ${caseCount} open cases, a worker with a ${budgetMb} MB budget (cache of ${maxCachedWorkflowsFor(budgetMb)} cases), ${clients} clients for ${minutes} min`);
    console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

    let t = process.hrtime.bigint();
    const caseIds: string[] = [];
    // Progress from the API's start records and the task queue's backlog: on the dev server a
    // visibility count scans every execution under the one SQLite connection and held up matching.
    const startedCount = async () => (await countWorkflowStarts(stack.pool)).started;
    const backlog = async () => {
      const { stats } = await connection.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: 'soak-cases' },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        reportStats: true,
      });
      return Number(stats?.approximateBacklogCount ?? 0);
    };
    const progress = async () => `${await startedCount()} workflows started, ${await backlog()} workflow tasks waiting (${(msSince(t) / 1000).toFixed(0)} s)`;
    await forEachLimited(Array.from({ length: caseCount }), 32, async () => {
      caseIds.push(await api.startCase(outreach));
      if (caseIds.length % 2000 === 0) console.log(`  ${caseIds.length} cases recorded, ${await progress()}`);
    });
    console.log(`cases: ${caseIds.length} recorded through the API in ${(msSince(t) / 1000).toFixed(0)} s`);
    // The API starts each workflow after its answer (a bounded number at once) and its sweep the rest
    // from their records. A started workflow whose first task the worker has not run sits in the task
    // queue ahead of any command sent to it (a command phase begun with thousands of those timed out
    // behind them): wait for every start and an empty backlog, within bounds.
    const startDeadline = Date.now() + startWaitMinutes * 60_000;
    for (;;) {
      const [workflows, waiting] = [await startedCount(), await backlog()];
      if ((workflows >= caseCount && waiting === 0) || Date.now() > startDeadline) {
        console.log(`workflows started: ${workflows} of ${caseCount}, ${waiting} workflow tasks waiting, after ${(msSince(t) / 1000).toFixed(0)} s`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      console.log(`  ${await progress()}`);
    }

    await stack.stopWorker();
    worker = await startMeasuredWorker(stack.env, { WORKER_MEMORY_BUDGET_MB: String(budgetMb), NODE_OPTIONS: `--max-old-space-size=${budgetMb}${traceMemory ? ` --require ${path.join(__dirname, 'memory-trace.cjs')}` : ''}` });
    const measured = worker;

    const latencies: number[] = [];
    const errors: string[] = [];
    // Memory is flat when it stops growing once the cache is full (the first eviction); before that it fills.
    const rss: Array<{ at: number; mb: number; full: boolean }> = [];
    let full = false;
    const sampler = setInterval(() => {
      const mb = measured.rssMb();
      void measured.metric('temporal_sticky_cache_total_forced_eviction').then((evicted) => {
        full ||= (evicted ?? 0) > 0;
        rss.push({ at: Date.now(), mb, full });
      });
    }, 5_000);
    t = process.hrtime.bigint();
    const deadline = Date.now() + minutes * 60_000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (Date.now() < deadline) {
          const caseId = caseIds[Math.floor(Math.random() * caseIds.length)];
          const start = process.hrtime.bigint();
          try {
            await api.addNote(outreach, caseId, 'soak note');
            latencies.push(msSince(start));
          } catch (error) {
            errors.push((error as Error).message);
          }
        }
      }),
    );
    clearInterval(sampler);
    const seconds = msSince(t) / 1000;
    const cached = await measured.metric('temporal_sticky_cache_size');
    const evictions = (await measured.metric('temporal_sticky_cache_total_forced_eviction')) ?? 0;
    const { p50, p99 } = stats(latencies);
    const max = Math.max(...latencies);
    const atFull = rss.filter((sample) => sample.full);
    const third = Math.max(1, Math.floor(atFull.length / 3));
    const first = mean(atFull.slice(0, third).map((sample) => sample.mb));
    const last = mean(atFull.slice(-third).map((sample) => sample.mb));
    const peak = Math.max(...rss.map((sample) => sample.mb));
    const flat = atFull.length >= 6 && last <= first * (1 + FLAT_TOLERANCE);
    console.log(`commands: ${latencies.length} notes on random cases in ${seconds.toFixed(0)} s (${(latencies.length / seconds).toFixed(1)}/s), ${errors.length} errors`);
    console.log(`latency: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`);
    console.log(
      `worker RSS with the cache full (${atFull.length} samples): first third ${first.toFixed(0)} MB, last third ${last.toFixed(0)} MB; peak ${peak.toFixed(0)} MB of a ${budgetMb} MB budget; cache ${cached ?? '?'} cases, ${evictions} evictions`,
    );
    console.log(`  RSS every 5 s (* = cache full): ${rss.map((sample) => `${sample.mb.toFixed(0)}${sample.full ? '*' : ''}`).join(' ')}`);
    if (errors.length > 0) console.log(`  first error: ${errors[0]}`);
    if (traceMemory) console.log(`  memory after forced GCs, first → last sample: ${memoryTrend(measured.proc.output())}`);
    const passed = errors.length === 0 && peak <= budgetMb && flat;
    console.log(`${passed ? 'PASS' : 'FAIL'}: ${errors.length === 0 ? 'no errors' : 'errors'}, ${peak <= budgetMb ? 'within budget' : 'over budget'}, ${flat ? 'memory flat' : 'memory growing'}; took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    process.exitCode = passed ? 0 : 1;
  } finally {
    await stack.close();
  }
}

/** From the worker's memory-trace lines after a forced GC: each thread's JS heap, and the process's array buffers, external memory and RSS. */
function memoryTrend(output: string): string {
  const samples = [...output.matchAll(/^MEM thread (\d+) gc rss (\d+) heapUsed (\d+) heapTotal \d+ external (\d+) arrayBuffers (\d+)$/gm)].map((match) => ({
    thread: match[1],
    rss: Number(match[2]),
    heap: Number(match[3]),
    external: Number(match[4]),
    arrayBuffers: Number(match[5]),
  }));
  const main = samples.filter((sample) => sample.thread === '0');
  if (main.length < 2) return 'too few samples';
  const trend = (list: typeof samples, key: 'rss' | 'heap' | 'external' | 'arrayBuffers') => `${list[0][key]} → ${list[list.length - 1][key]} MB`;
  const threads = [...new Set(samples.map((sample) => sample.thread))].map((thread) => `thread ${thread} heap ${trend(samples.filter((sample) => sample.thread === thread), 'heap')}`);
  return `${threads.join(', ')}; array buffers ${trend(main, 'arrayBuffers')}; external ${trend(main, 'external')}; RSS ${trend(main, 'rss')}`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
