/**
 * `npm run bench`: measures the API against the raw Temporal floor on the same servers in the same
 * run, and prints the figures (nothing here is asserted or hard-coded).
 *
 *  (a) start case → first task in the inbox   vs   a bare workflow start
 *  (b) complete task → next task in the inbox vs   a bare executeUpdate
 *  (c) sustained case starts per second with concurrent clients, counting every error
 *  (d) sustained task completions per second through the HTTP API with concurrent clients, beside
 *      the bare executeUpdate throughput at the same concurrency, and the API's and the worker's CPU
 *      milliseconds per completion from their process counters
 *
 * (a) and (b) time the write until its answer: the API answers only once the task is committed in
 * the read model (the start's own transaction; the Update's durable result, written by the API), so the
 * answer is the moment the task is in the inbox. Every sample then reads the inbox to check that
 * it is (a missing task fails the run), and that read is timed too and printed beside. (b) runs
 * on a case whose workflow has finished its first task, as its floor runs on a running workflow.
 * For (b) it also prints where the time goes: the worker's workflow task that answers the update
 * (from the history's timestamps, written by the server) beside the same for the bare update, and the
 * same completion without HTTP (bench/command-path.ts: the API's own functions called from this
 * process, on a second case per sample) with its two statements and the case's Update timed apart.
 *
 * It boots its own embedded PostgreSQL and Temporal dev server in a temporary folder, runs the real
 * worker and the real HTTP API as separate processes on loopback, and removes everything afterwards.
 * The measurement itself (`runBench`) takes any `BenchTarget`: bench/cluster.ts runs it on the
 * cluster mode.
 */
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import type pg from 'pg';
import { caseWorkflowId } from '../domain/case-messages';
import { loadConfig } from '../infra/config';
import { coreBridgeState } from '../infra/core-bridge-build';
import { countWorkflowStarts } from '../infra/db/idempotency-repository';
import { eventsAwaitDispatch } from '../infra/db/notification-event-cursor';
import { openLocalIssuer } from '../infra/local-issuer';
import { resolveTemporalCli } from '../infra/temporal-binaries';
import { startBenchStack } from './bench-stack';
import { apiClient, caseWorkflowReady, chainPathway, cpuMsOf, msSince as ms, stats, treeCpuMsOf, updateTaskTimes, type Stats } from './capacity-tools';
import { openDirectCommands, type CommandPathSample } from './command-path';
import { finishSignal, pingUpdate } from './floor-workflows';
import { spawnScript, waitFor } from '../tests/support/processes';

/** The servers a benchmark run measures: one API instance and the Temporal server its cases run on. */
export interface BenchTarget {
  /** What runs, printed after the Node.js version. */
  description: string;
  /** The API instance every request goes to. */
  baseUrl: string;
  /** The Temporal frontend of the cases; the floor workflows run on it too. */
  temporalAddress: string;
  namespace: string;
  /** The API's environment (its token issuer). */
  env: Record<string, string>;
  pool: pg.Pool;
  /**
   * The current process ids whose CPU counters (d) reads: the measured API, the case workers, the
   * Temporal server's processes and, when known, PostgreSQL's postmaster (its backends counted with it).
   */
  pids(): { api: number[]; worker: number[]; temporal: number[]; postgres?: number[] };
  /** A Temporal metric of the measured worker, when the target exposes them (the cache size (d) held). */
  workerMetric?(name: string): Promise<number | undefined>;
  /** How the CPU line names the workers and the Temporal server. */
  cpuNames: { worker: string; temporal: string };
  /** Runs `stop` when the target closes (before its servers stop). */
  defer(stop: () => Promise<unknown>): void;
}

/** What one run of sustained completions (d) measured. */
export interface CompletionFigures {
  completions: number;
  elapsedSeconds: number;
  errors: string[];
  latency: Stats;
  /** CPU milliseconds per completion, by role (postgres: NaN when the target did not name its postmaster). */
  cpu: { api: number; worker: number; temporal: number; postgres: number };
  /** Cases in the worker's cache at the end of the run (its sticky cache gauge), when the target exposes its metrics. */
  workerCached?: number;
  /** The bare executeUpdate throughput at the same concurrency, when measured. */
  floor?: { updates: number; elapsedSeconds: number; cpu: { worker: number; temporal: number } };
}

/** A finished run of (a)–(d), which can measure (d) again (say, with a worker stopped). */
export interface BenchSession {
  /** Whether any phase counted an error. */
  failed: boolean;
  /** What (d) measured. */
  completions: CompletionFigures;
  /** Sustained completions (d) on fresh cases, without the floor. */
  sustainedCompletions(): Promise<CompletionFigures>;
}

const samples = Number(process.env.BENCH_SAMPLES ?? 300);
const warmup = Number(process.env.BENCH_WARMUP ?? 30);
const sustainedSeconds = Number(process.env.BENCH_SUSTAINED_SECONDS ?? 15);
const sustainedClients = Number(process.env.BENCH_CLIENTS ?? 16);
const completionClients = Number(process.env.BENCH_COMPLETION_CLIENTS ?? 8);
const completionSeconds = Number(process.env.BENCH_COMPLETION_SECONDS ?? 30);
/** Steps of the benchmark's chain pathway: each case gives this many completions. */
const chainSteps = 20;
/** The concurrency and duration of (d), for callers that print beside it. */
export const benchSettings = { completionClients, completionSeconds };

/**
 * Measures (a)–(d) on `target` and prints them; the floor worker it starts stops when the target
 * closes. The returned session can measure (d) again.
 */
export async function runBench(target: BenchTarget): Promise<BenchSession> {
  const { env, baseUrl, pool } = target;
  // The floor's worker runs as a process of its own, so (d) can read what a bare update costs a worker.
  const floorWorker = spawnScript('bench/floor-worker.ts', { TEMPORAL_ADDRESS: target.temporalAddress, TEMPORAL_NAMESPACE: target.namespace });
  target.defer(() => floorWorker.stop());
  await waitFor(async () => floorWorker.output().includes('RUNNING'), 'floor worker running', 90_000, floorWorker);
  const floorWorkerPid = floorWorker.child.pid ?? 0;
  // The floor's client is the API's kind (the Rust core's gRPC client): the cheapest bare update there is.
  const connection = await NativeConnection.connect({ address: target.temporalAddress });
  target.defer(() => connection.close());
  const client = new Client({ connection, namespace: target.namespace });

  const config = loadConfig(env);
  const issuer = await openLocalIssuer(config);
  const token = async (user: string) => `Bearer ${await issuer.issueUserToken(user)}`;
  const outreach = await token('outreach-operator-grosseto');
  const desk = await token('oss-operator-grosseto');
  // node:http with keep-alive, as lean as the gRPC client of the floor; fetch adds about a millisecond per call.
  const api = apiClient(baseUrl, sustainedClients * 2);
  const http = api.call;
  target.defer(async () => api.close());
  const startCase = () =>
    http('POST', '/cases', outreach, { pathwayKey: 'oss-integrated-pathway', areaId: 'grosseto', data: { targetGroup: 'homeless' } }, { 'idempotency-key': randomUUID() });
  const inboxHas = async (auth: string, caseId: string, stepId: string) => {
    const page = (await http('GET', `/tasks?caseId=${caseId}&stepId=${stepId}`, auth)) as { items: Array<{ taskId: string; stepId: string }> };
    const task = page.items.find((item) => item.stepId === stepId);
    if (!task) throw new Error(`task ${stepId} of case ${caseId} is not in the inbox`);
    return task.taskId;
  };

  // Floor workflow that answers pings for the whole run.
  const floorHandle = await client.workflow.start('benchFloor', { taskQueue: 'bench-floor', workflowId: `floor-${randomUUID()}` });
  await floorHandle.executeUpdate(pingUpdate, { args: ['warm'] });

  const floorStart: number[] = [];
  const floorUpdate: number[] = [];
  const apiStart: number[] = [];
  const apiStartRead: number[] = [];
  const apiComplete: number[] = [];
  const apiCompleteRead: number[] = [];
  // (b) without HTTP (bench/command-path.ts): the same completion through the API's own functions.
  const direct = await openDirectCommands({ connection, namespace: target.namespace, pool, config, userId: 'outreach-operator-grosseto' });
  const directComplete: CommandPathSample[] = [];
  const floorIds: string[] = [];
  const sampledCases: string[] = [];
  for (let i = 0; i < warmup + samples; i++) {
    const record = i >= warmup;
    // (a) floor: a bare workflow start.
    let t = process.hrtime.bigint();
    const workflowId = `floor-start-${randomUUID()}`;
    await client.workflow.start('benchFloor', { taskQueue: 'bench-floor', workflowId });
    if (record) floorStart.push(ms(t));
    floorIds.push(workflowId);
    // (a) API: start a case; when it answers, its first task is in the outreach inbox (checked by the read).
    t = process.hrtime.bigint();
    const created = (await startCase()) as { caseId: string };
    if (record) apiStart.push(ms(t));
    if (record) sampledCases.push(created.caseId);
    const taskId = await inboxHas(outreach, created.caseId, 'outreach');
    if (record) apiStartRead.push(ms(t));
    // (b) is about a running case, as its floor is an update on a running workflow: the case's
    // workflow (started in the background after the answer) must have run its first task.
    await caseWorkflowReady(client, created.caseId);
    // (b) floor: a bare executeUpdate.
    t = process.hrtime.bigint();
    await floorHandle.executeUpdate(pingUpdate, { args: [String(i)] });
    if (record) floorUpdate.push(ms(t));
    // (b) API: complete the outreach task; when it answers, the intake task is in the front desk's inbox (checked by the read).
    t = process.hrtime.bigint();
    await http('POST', `/tasks/${taskId}/complete`, outreach, { data: { source: 'station', urgent: false } }, { 'idempotency-key': randomUUID() });
    if (record) apiComplete.push(ms(t));
    await inboxHas(desk, created.caseId, 'intake');
    if (record) apiCompleteRead.push(ms(t));
    // (b) without HTTP, on a case of its own in the same state (untimed until the command).
    const other = (await startCase()) as { caseId: string };
    const otherTask = await inboxHas(outreach, other.caseId, 'outreach');
    await caseWorkflowReady(client, other.caseId);
    const sample = await direct.complete(otherTask, { source: 'station', urgent: false });
    if (record) directComplete.push(sample);
    await inboxHas(desk, other.caseId, 'intake');
  }
  // Where (b)'s time goes: the worker's share of each update, from the server's own timestamps.
  const caseUpdateTasks: number[] = [];
  for (const caseId of sampledCases) caseUpdateTasks.push(...updateTaskTimes(await client.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory()));
  const floorUpdateTasks = updateTaskTimes(await floorHandle.fetchHistory()).slice(-samples);
  await floorHandle.signal(finishSignal);
  for (const workflowId of floorIds) await client.workflow.getHandle(workflowId).signal(finishSignal);

  // (c) sustained starts: every client starts cases back to back for the duration.
  let ok = 0;
  const errors: string[] = [];
  const sustainedStart = process.hrtime.bigint();
  const deadline = Date.now() + sustainedSeconds * 1000;
  await Promise.all(
    Array.from({ length: sustainedClients }, async () => {
      while (Date.now() < deadline) {
        try {
          await startCase();
          ok++;
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
    }),
  );
  const sustainedElapsed = ms(sustainedStart) / 1000;
  // Every started case must have reached the read model with its first task.
  const { rows } = await pool.query<{ cases: string; tasks: string }>(
    `SELECT (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM tasks WHERE step_id = 'outreach') AS tasks`,
  );

  // (c)'s cases are answered before their workflows start (the API starts a bounded number at once and
  // its sweep the rest), and the worker's notification dispatcher reads their events after them: (d)
  // waits until both have caught up, or its CPU counters would bill (c)'s work to (d).
  const startsDrainedIn = process.hrtime.bigint();
  const unstarted = async () => (await countWorkflowStarts(pool)).pending;
  for (const deadline = Date.now() + 10 * 60_000; ((await unstarted()) > 0 || (await eventsAwaitDispatch(pool))) && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const startsDrainedSeconds = ms(startsDrainedIn) / 1000;
  const leftUnstarted = await unstarted();

  // (d) sustained task completions: a chain pathway, cases created beforehand (untimed), then every
  // client completes its case's open task and reads the next one from the inbox, back to back.
  const coordinator = await token('coordinator-grosseto');
  await http('POST', '/pathways', coordinator, chainPathway('bench-chain', chainSteps));
  await http('POST', '/pathways/bench-chain/draft/publish', coordinator, {});
  const cpuNow = () => {
    const pids = target.pids();
    const sum = (ids: number[]) => ids.reduce((total, pid) => total + cpuMsOf(pid), 0);
    const postgres = pids.postgres ? pids.postgres.reduce((total, pid) => total + treeCpuMsOf(pid), 0) : Number.NaN;
    return { api: sum(pids.api), worker: sum(pids.worker), temporal: sum(pids.temporal), postgres };
  };
  const sustainedCompletions = async (withFloor: boolean): Promise<CompletionFigures> => {
    const chainCases: Array<{ caseId: string; taskId: string }> = [];
    const wanted = Math.ceil((completionClients * completionSeconds * 25) / chainSteps);
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (chainCases.length < wanted) {
          const created = (await http('POST', '/cases', desk, { pathwayKey: 'bench-chain', areaId: 'grosseto', data: {} }, { 'idempotency-key': randomUUID() })) as {
            caseId: string;
            openTasks: Array<{ taskId: string }>;
          };
          chainCases.push({ caseId: created.caseId, taskId: created.openTasks[0].taskId });
        }
      }),
    );
    for (const { caseId } of chainCases) await caseWorkflowReady(client, caseId);
    let floor: CompletionFigures['floor'];
    if (withFloor) {
      // The bare floor at the same concurrency: one floor workflow per client, updates back to back.
      const floorHandles = await Promise.all(
        Array.from({ length: completionClients }, () => client.workflow.start('benchFloor', { taskQueue: 'bench-floor', workflowId: `floor-load-${randomUUID()}` })),
      );
      let floorUpdates = 0;
      const floorDeadline = Date.now() + completionSeconds * 1000;
      const floorCpuBefore = { worker: cpuMsOf(floorWorkerPid), temporal: cpuNow().temporal };
      const floorLoadStart = process.hrtime.bigint();
      await Promise.all(
        floorHandles.map(async (handle) => {
          while (Date.now() < floorDeadline) {
            await handle.executeUpdate(pingUpdate, { args: ['load'] });
            floorUpdates++;
          }
        }),
      );
      const floorElapsed = ms(floorLoadStart) / 1000;
      const floorCpu = (before: number, after: number) => (after - before) / Math.max(1, floorUpdates);
      floor = {
        updates: floorUpdates,
        elapsedSeconds: floorElapsed,
        cpu: { worker: floorCpu(floorCpuBefore.worker, cpuMsOf(floorWorkerPid)), temporal: floorCpu(floorCpuBefore.temporal, cpuNow().temporal) },
      };
      for (const handle of floorHandles) await handle.signal(finishSignal);
    }

    const completeTimes: number[] = [];
    const completionErrors: string[] = [];
    const queue = [...chainCases];
    const cpuBefore = cpuNow();
    const completionDeadline = Date.now() + completionSeconds * 1000;
    const completionStart = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: completionClients }, async () => {
        let current = queue.shift();
        while (current && Date.now() < completionDeadline) {
          try {
            const t = process.hrtime.bigint();
            await http('POST', `/tasks/${current.taskId}/complete`, desk, { data: { note: 'ok' } }, { 'idempotency-key': randomUUID() });
            completeTimes.push(ms(t));
            const page = (await http('GET', `/tasks?caseId=${current.caseId}`, desk)) as { items: Array<{ taskId: string }> };
            current = page.items[0] ? { caseId: current.caseId, taskId: page.items[0].taskId } : queue.shift();
          } catch (error) {
            completionErrors.push((error as Error).message);
            current = queue.shift();
          }
        }
      }),
    );
    const elapsedSeconds = ms(completionStart) / 1000;
    const cpuAfter = cpuNow();
    const workerCached = await target.workerMetric?.('temporal_sticky_cache_size');
    const completions = completeTimes.length;
    const perCompletion = (before: number, after: number) => (after - before) / Math.max(1, completions);
    return {
      completions,
      elapsedSeconds,
      errors: completionErrors,
      latency: stats(completeTimes),
      workerCached,
      cpu: {
        api: perCompletion(cpuBefore.api, cpuAfter.api),
        worker: perCompletion(cpuBefore.worker, cpuAfter.worker),
        temporal: perCompletion(cpuBefore.temporal, cpuAfter.temporal),
        postgres: perCompletion(cpuBefore.postgres, cpuAfter.postgres),
      },
      floor,
    };
  };
  const d = await sustainedCompletions(true);

  const a = { api: stats(apiStart), floor: stats(floorStart) };
  const b = { api: stats(apiComplete), floor: stats(floorUpdate) };
  const line = (name: string, s: Stats) => `${name.padEnd(44)} p50 ${s.p50.toFixed(2).padStart(7)} ms   p99 ${s.p99.toFixed(2).padStart(7)} ms   (n=${s.n})`;
  console.log('\nReticulate benchmark');
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`);
  console.log(`node ${process.version}; ${target.description}`);
  const bridge = coreBridgeState();
  console.log(`Temporal SDK core: ${bridge.state} (${bridge.detail})`);
  console.log(`samples ${samples} after ${warmup} warm-up, interleaved\n`);
  const aRead = stats(apiStartRead);
  const bRead = stats(apiCompleteRead);
  console.log(line('(a) start case → first task in inbox (API)', a.api));
  console.log(line('    bare workflow start (floor)', a.floor));
  console.log(`    ratio at p50: ${(a.api.p50 / a.floor.p50).toFixed(2)}x   (target ≤ 1.5x)`);
  console.log(`${line('    + a separate inbox read that sees it', aRead)}   ratio ${(aRead.p50 / a.floor.p50).toFixed(2)}x`);
  console.log(line('(b) complete task → next task in inbox (API)', b.api));
  console.log(line('    bare executeUpdate (floor)', b.floor));
  console.log(`    ratio at p50: ${(b.api.p50 / b.floor.p50).toFixed(2)}x   (target ≤ 1.5x)`);
  console.log(`${line('    + a separate inbox read that sees it', bRead)}   ratio ${(bRead.p50 / b.floor.p50).toFixed(2)}x`);
  // One per sampled case and per floor update: anything else means the histories were misread.
  if (caseUpdateTasks.length !== samples || floorUpdateTasks.length !== samples) {
    throw new Error(`found ${caseUpdateTasks.length} case and ${floorUpdateTasks.length} floor update tasks in the histories, expected ${samples} each`);
  }
  const caseTask = stats(caseUpdateTasks);
  const floorTask = stats(floorUpdateTasks);
  console.log(`    where it goes: the workflow task that answers the update (worker, server timestamps) p50 ${caseTask.p50.toFixed(2)} ms for a case vs ${floorTask.p50.toFixed(2)} ms bare;`);
  console.log(`    the rest (difference of the p50s), ${(b.api.p50 - caseTask.p50).toFixed(2)} ms vs ${(b.floor.p50 - floorTask.p50).toFixed(2)} ms, is the client, the API and the server around that task`);
  const directTotal = stats(directComplete.map((x) => x.total));
  const directRead = stats(directComplete.map((x) => x.read));
  const directWrite = stats(directComplete.map((x) => x.write));
  const directUpdate = stats(directComplete.map((x) => x.total - x.read - x.write));
  console.log(`${line('    the same completion without HTTP', directTotal)}   ratio ${(directTotal.p50 / b.floor.p50).toFixed(2)}x`);
  console.log(
    `      (the API's functions called from this process, on other cases of the run: bench/command-path.ts) p50s: task read + intent ${directRead.p50.toFixed(2)} ms, the case's Update with its codec ${directUpdate.p50.toFixed(2)} ms (${(directUpdate.p50 / b.floor.p50).toFixed(2)}x the bare one), result + audit row ${directWrite.p50.toFixed(2)} ms;`,
  );
  console.log(`      so HTTP and the API's request handling take about ${(b.api.p50 - directTotal.p50).toFixed(2)} ms of (b) (difference of the p50s)`);
  console.log(
    `(c) sustained: ${(ok / sustainedElapsed).toFixed(1)} cases/s over ${sustainedElapsed.toFixed(1)} s with ${sustainedClients} clients; ${ok} started, ${errors.length} errors`,
  );
  console.log(`    read model after the run: ${rows[0].cases} cases, ${rows[0].tasks} outreach tasks (all cases of the run: ${2 * (warmup + samples) + ok}, (a)/(b)'s and (b) without HTTP's included)`);
  console.log(`    their workflows all started, and the notification dispatcher read their events, ${startsDrainedSeconds.toFixed(1)} s after the run${leftUnstarted > 0 ? ` (${leftUnstarted} still waiting after 10 minutes)` : ''}; (d) begins after that`);
  if (errors.length > 0) console.log(`    first error: ${errors[0]}`);
  const completionRate = d.completions / d.elapsedSeconds;
  const floorRate = (d.floor?.updates ?? 0) / (d.floor?.elapsedSeconds ?? 1);
  console.log(`(d) sustained task completions through the HTTP API, ${completionClients} clients, ${d.elapsedSeconds.toFixed(1)} s (each: complete, then read the next task from the inbox)`);
  console.log(`    ${completionRate.toFixed(1)} completions/s; ${d.completions} completed, ${d.errors.length} errors   (target ≥ 100/s, 0 errors)`);
  console.log(`    complete under that load: p50 ${d.latency.p50.toFixed(2)} ms   p99 ${d.latency.p99.toFixed(2)} ms   (target p99 ≤ 250 ms)`);
  console.log(`    bare executeUpdate at the same concurrency: ${floorRate.toFixed(1)} updates/s over ${(d.floor?.elapsedSeconds ?? 0).toFixed(1)} s → the API reaches ${((100 * completionRate) / floorRate).toFixed(0)}% of it   (target ≥ 50%)`);
  console.log(
    `    CPU per completion (process counters over the run, the inbox read included): API ${d.cpu.api.toFixed(2)} ms + ${target.cpuNames.worker} ${d.cpu.worker.toFixed(2)} ms = ${(d.cpu.api + d.cpu.worker).toFixed(2)} ms   (target ≤ 6 ms); ${target.cpuNames.temporal} ${d.cpu.temporal.toFixed(2)} ms${Number.isNaN(d.cpu.postgres) ? '' : `; PostgreSQL ${d.cpu.postgres.toFixed(2)} ms`}`,
  );
  if (d.workerCached !== undefined) console.log(`    the worker held ${d.workerCached} cases in its cache at the end (its sticky cache gauge)`);
  if (d.floor) {
    console.log(
      `    the bare update's own cost, same run: its worker ${d.floor.cpu.worker.toFixed(2)} ms of CPU per update (a workflow that only answers; no codec, no read model); ${target.cpuNames.temporal} ${d.floor.cpu.temporal.toFixed(2)} ms`,
    );
  }
  if (d.errors.length > 0) console.log(`    first error: ${d.errors[0]}`);
  return { failed: errors.length > 0 || d.errors.length > 0 || leftUnstarted > 0, completions: d, sustainedCompletions: () => sustainedCompletions(false) };
}

async function main(): Promise<void> {
  // The sustained phase is a few clients sending as fast as they can: far beyond any person's rate limit.
  const stack = await startBenchStack({ prefix: 'reticulate-bench-', taskQueue: 'bench-cases', prepare: () => ({ RATE_LIMIT_MAX: '100000000' }) });
  try {
    const cliVersion = execFileSync(resolveTemporalCli(), ['--version']).toString().trim();
    const session = await runBench({
      description: `${cliVersion} (dev server, SQLite); embedded PostgreSQL; API and worker as separate processes, client in a third, all on loopback`,
      baseUrl: stack.baseUrl,
      temporalAddress: stack.temporalAddress,
      namespace: 'default',
      env: stack.env,
      pool: stack.pool,
      pids: () => ({ api: [stack.pids.api], worker: [stack.pids.worker], temporal: [stack.pids.temporal], postgres: [stack.pids.postgres] }),
      workerMetric: (name) => stack.workerMetric(name),
      cpuNames: { worker: 'worker', temporal: 'Temporal dev server' },
      defer: (stop) => stack.defer(stop),
    });
    process.exitCode = session.failed ? 1 : 0;
  } finally {
    await stack.close();
  }
}

// Run only as `npm run bench`'s entry point, not when bench/cluster.ts imports the measurement.
if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
