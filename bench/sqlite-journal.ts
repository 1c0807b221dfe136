/**
 * `npx tsx bench/sqlite-journal.ts`: the embedded Temporal dev server's SQLite settings, measured on
 * the SDK's floor (workflows that only answer updates, bench/floor-workflows.ts, served by
 * bench/floor-worker.ts as a process of its own): for each setting a fresh server, `BENCH_CLIENTS`
 * (8) clients sending bare executeUpdates back to back for `BENCH_SECONDS` (20) s, interleaved over
 * `BENCH_ROUNDS` (2) rounds. Prints updates/s and the server's and the worker's CPU per update
 * (process counters). Why the embedded server runs in WAL mode: infra/temporal-dev-server.ts.
 */
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { durableSqlitePragmas, startTemporalDevServer } from '../infra/temporal-dev-server';
import { cpuMsOf } from './capacity-tools';
import { finishSignal, pingUpdate } from './floor-workflows';
import { freePort, spawnScript, waitFor } from '../tests/support/processes';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const clients = Number(process.env.BENCH_CLIENTS ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const settings: Array<{ name: string; pragmas: readonly string[] }> = [
  { name: 'rollback journal (SQLite default)', pragmas: ['journal_mode=delete', 'synchronous=full'] },
  { name: `WAL, synced per commit (default: ${durableSqlitePragmas.join(' ')})`, pragmas: durableSqlitePragmas },
  { name: 'WAL, synchronous=normal (the soak)', pragmas: ['journal_mode=wal', 'synchronous=normal'] },
];

async function measure(pragmas: readonly string[]): Promise<{ rate: number; server: number; worker: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reticulate-journal-'));
  const server = await startTemporalDevServer({ dbFile: path.join(dir, 'temporal.db'), port: await freePort(), sqlitePragmas: pragmas, ownProcessGroup: false });
  const taskQueue = `journal-${randomUUID()}`;
  const worker = spawnScript('bench/floor-worker.ts', { TEMPORAL_ADDRESS: server.address, FLOOR_TASK_QUEUE: taskQueue });
  const connection = await Connection.connect({ address: server.address });
  try {
    await waitFor(async () => worker.output().includes('RUNNING'), 'floor worker', 60_000, worker);
    const client = new Client({ connection });
    const handles = await Promise.all(Array.from({ length: clients }, () => client.workflow.start('benchFloor', { taskQueue, workflowId: `journal-${randomUUID()}` })));
    for (const handle of handles) await handle.executeUpdate(pingUpdate, { args: ['warm-up'] });
    const pid = worker.child.pid ?? 0;
    const before = { server: cpuMsOf(server.pid), worker: cpuMsOf(pid) };
    const deadline = Date.now() + seconds * 1000;
    let updates = 0;
    await Promise.all(
      handles.map(async (handle) => {
        while (Date.now() < deadline) {
          await handle.executeUpdate(pingUpdate, { args: ['ping'] });
          updates += 1;
        }
      }),
    );
    const result = { rate: updates / seconds, server: (cpuMsOf(server.pid) - before.server) / updates, worker: (cpuMsOf(pid) - before.worker) / updates };
    for (const handle of handles) await handle.signal(finishSignal);
    return result;
  } finally {
    await connection.close();
    await worker.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`Temporal dev server's SQLite settings: bare executeUpdate, ${clients} clients, ${seconds} s each, ${rounds} rounds interleaved (load average ${os.loadavg()[0].toFixed(1)})`);
  for (let round = 1; round <= rounds; round += 1) {
    for (const { name, pragmas } of settings) {
      const { rate, server, worker } = await measure(pragmas);
      console.log(`  round ${round}  ${name.padEnd(68)} ${rate.toFixed(1).padStart(6)} updates/s   server ${server.toFixed(2)} ms   floor worker ${worker.toFixed(2)} ms CPU per update`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
