/**
 * `npx tsx bench/replay-cpu.ts`: CPU of a cold replay, in process, beside the SDK's own floor.
 *
 * Cases: the recorded reference-pathway histories (tests/replay/histories) cut at a few lengths,
 * each cut ending on a completed workflow task: the one recorded by the current workflow code
 * (stable search attributes, projection after durability) and, for comparison with earlier rounds,
 * the one recorded before (a local activity marker in every task). Floor: workflows that only
 * answer updates (bench/floor-workflows.ts), recorded at the start on a dev server with as many
 * pings as it takes to reach comparable lengths, one Update per workflow task as a case command is.
 *
 * Every history is converted to protobuf once (a worker receives it so from the server), then
 * replayed REPLAY_CASES (150) times per round through `Worker.runReplayHistories` with the worker's
 * bundle options, three rounds interleaved; the range over the rounds is printed. What it leaves
 * out beside a real cold load (bench:capacity): fetching the history over gRPC and the payload
 * codec. For profiling run it under `node --cpu-prof --import tsx`.
 */
import { Client, Connection } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTemporalDevServer } from '../infra/temporal-dev-server';
import { freePort } from '../tests/support/processes';
import { workflowBundlerOptions } from '../workers/worker';
import { finishSignal, pingUpdate } from './floor-workflows';

type History = temporal.api.history.v1.IHistory;

const replays = Number(process.env.REPLAY_CASES ?? 150);
const rounds = 3;
const recordedDir = path.join(__dirname, '../tests/replay/histories');
/** Cuts of the recorded histories (events; each ends on a completed workflow task). */
const caseCuts = [
  { file: 'oss-reference-stable-search-attributes.json', label: 'case (current code)', cuts: [4, 17, 53, 74] },
  { file: 'oss-reference-to-joint-plan.json', label: 'case (recorded before)', cuts: [52, 87] },
];
/** Pings per floor workflow: 4, about 19, 44 and 84 events. */
const floorPings = [0, 3, 8, 16];

const readRecorded = (file: string): { events: unknown[] } => JSON.parse(readFileSync(path.join(recordedDir, file), 'utf8')) as { events: unknown[] };

async function recordFloorHistories(): Promise<History[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reticulate-replay-floor-'));
  const server = await startTemporalDevServer({ dbFile: path.join(dir, 'temporal.db'), port: await freePort(), ownProcessGroup: false });
  try {
    const connection = await Connection.connect({ address: server.address });
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    const client = new Client({ connection });
    const worker = await Worker.create({ connection: nativeConnection, taskQueue: 'replay-floor', workflowsPath: require.resolve('./floor-workflows') });
    const histories = await worker.runUntil(async () => {
      const recorded: History[] = [];
      for (const pings of floorPings) {
        const handle = await client.workflow.start('benchFloor', { taskQueue: 'replay-floor', workflowId: `replay-floor-${randomUUID()}` });
        for (let i = 0; i < pings; i++) await handle.executeUpdate(pingUpdate, { args: [String(i)] });
        // Without pings, the history is complete once the first workflow task is.
        while (pings === 0 && ((await handle.describe()).historyLength ?? 0) < 4) await new Promise((resolve) => setTimeout(resolve, 20));
        recorded.push(await handle.fetchHistory());
        await handle.signal(finishSignal);
      }
      return recorded;
    });
    await nativeConnection.close();
    await connection.close();
    return histories;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const logger = new DefaultLogger('ERROR');
  const caseBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger, ...workflowBundlerOptions });
  const floorBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./floor-workflows'), logger });
  const subjects: Array<{ label: string; bundle: WorkflowBundleWithSourceMap; history: History; events: number }> = [];
  for (const { file, label, cuts } of caseCuts) {
    const recorded = readRecorded(file);
    for (const events of cuts) subjects.push({ label, bundle: caseBundle, history: historyFromJSON({ ...recorded, events: recorded.events.slice(0, events) }), events });
  }
  for (const history of await recordFloorHistories()) {
    subjects.push({ label: 'floor (answers updates only)', bundle: floorBundle, history, events: history.events?.length ?? 0 });
  }

  const cpuPerReplay = async (subject: (typeof subjects)[number], count: number): Promise<number> => {
    const histories = Array.from({ length: count }, (_, i) => ({ workflowId: `replay-${i}`, history: subject.history }));
    const before = process.cpuUsage();
    for await (const result of Worker.runReplayHistories({ workflowBundle: subject.bundle }, histories)) if (result.error) throw result.error;
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / count;
  };
  for (const subject of subjects) await cpuPerReplay(subject, 10);
  const results = subjects.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [index, subject] of subjects.entries()) results[index].push(await cpuPerReplay(subject, replays));
  }
  console.log(`cold replay CPU in process (${replays} replays per history per round, ${rounds} rounds interleaved; load average ${os.loadavg()[0].toFixed(1)})`);
  for (const [index, subject] of subjects.entries()) {
    const sorted = [...results[index]].sort((a, b) => a - b);
    console.log(`  ${subject.label.padEnd(30)} ${String(subject.events).padStart(3)} events: ${sorted[0].toFixed(2)}–${sorted[sorted.length - 1].toFixed(2)} ms CPU per replay`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
