/**
 * `npx tsx bench/client-cpu.ts`: what a bare executeUpdate costs the calling process in CPU, over
 * the pure-JS gRPC client (`Connection`) and over the Rust core's (`NativeConnection`, which the API
 * uses), on one dev server in a temporary folder with the floor's worker in a process of its own.
 * Rounds alternate between the two so that the machine's drift hits both alike. Knobs:
 * `CLIENT_CPU_UPDATES` (1500 per round), `CLIENT_CPU_ROUNDS` (3), `CLIENT_CPU_CONCURRENCY` (4).
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTemporalDevServer } from '../infra/temporal-dev-server';
import { spawnScript, waitFor } from '../tests/support/processes';
import { pingUpdate } from './floor-workflows';

const updates = Number(process.env.CLIENT_CPU_UPDATES ?? 1500);
const rounds = Number(process.env.CLIENT_CPU_ROUNDS ?? 3);
const concurrency = Number(process.env.CLIENT_CPU_CONCURRENCY ?? 4);

async function measure(client: Client): Promise<{ cpuMs: number; wallMs: number }> {
  const handles = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const handle = await client.workflow.start('benchFloor', { taskQueue: 'bench-floor', workflowId: `client-cpu-${randomUUID()}` });
      await handle.executeUpdate(pingUpdate, { args: ['warm'] });
      return handle;
    }),
  );
  let sent = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  // A 2 KB argument, about the size of an encrypted task completion.
  const argument = 'x'.repeat(2_000);
  await Promise.all(
    handles.map(async (handle) => {
      while (sent < updates) {
        sent += 1;
        await handle.executeUpdate(pingUpdate, { args: [argument] });
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { cpuMs: (cpu.user + cpu.system) / 1000 / updates, wallMs: (performance.now() - started) / updates };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'reticulate-client-cpu-'));
  const server = await startTemporalDevServer({ dbFile: path.join(dir, 'temporal.db'), port: 27_233 });
  const worker = spawnScript('bench/floor-worker.ts', { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default' });
  try {
    await waitFor(async () => worker.output().includes('RUNNING'), 'floor worker running', 90_000, worker);
    const js = await Connection.connect({ address: server.address });
    const native = await NativeConnection.connect({ address: server.address });
    const clients = { 'grpc-js Connection': new Client({ connection: js }), 'NativeConnection  ': new Client({ connection: native }) };
    console.log(`bare executeUpdate, ${updates} per round, ${concurrency} at a time: CPU of the calling process per update`);
    for (let round = 1; round <= rounds; round += 1) {
      for (const [name, client] of Object.entries(clients)) {
        const { cpuMs, wallMs } = await measure(client);
        console.log(`  round ${round}  ${name}  ${cpuMs.toFixed(3)} ms CPU   ${wallMs.toFixed(2)} ms wall per update`);
      }
    }
    await js.close();
    await native.close();
  } finally {
    await worker.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
