/**
 * `npx tsx bench/replay-cpu.ts`: CPU of a cold replay, in process, without a server: the recorded
 * reference-pathway history (tests/replay) cut at a few lengths, replayed REPLAY_CASES (150) times
 * each through `Worker.runReplayHistories` with the worker's bundle options. What it leaves out
 * beside a real cold load: fetching the history over gRPC and the payload codec. For profiling run
 * it under `node --cpu-prof --import tsx`.
 */
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { workflowBundlerOptions } from '../workers/worker';

const replays = Number(process.env.REPLAY_CASES ?? 150);
/** History lengths to replay; each ends on a completed workflow task of the recorded history. */
const cuts = (process.env.REPLAY_CUTS ?? '4,18,52,87').split(',').map(Number);

interface RecordedHistory {
  events: unknown[];
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const recorded = JSON.parse(readFileSync(path.join(__dirname, '../tests/replay/histories/oss-reference-to-joint-plan.json'), 'utf8')) as RecordedHistory;
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('ERROR'), ...workflowBundlerOptions });
  const cpuPerReplay = async (events: number, count: number) => {
    const history = { ...recorded, events: recorded.events.slice(0, events) };
    const before = process.cpuUsage();
    const histories = Array.from({ length: count }, (_, i) => ({ workflowId: `replay-${events}-${i}`, history }));
    for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) if (result.error) throw result.error;
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / count;
  };
  await cpuPerReplay(cuts[0] ?? 4, 20);
  console.log(`cold replay CPU in process (${replays} replays per length; load average ${os.loadavg()[0].toFixed(1)})`);
  for (const events of cuts) console.log(`  ${String(events).padStart(3)} events: ${(await cpuPerReplay(events, replays)).toFixed(2)} ms CPU per replay`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
