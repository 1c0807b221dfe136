/**
 * `npm run chaos`: the write path's chaos test on the whole embedded stack (tests/chaos/). Exits
 * non-zero on any lost, duplicated or diverged case, or a keyed repeat answered differently.
 * CHAOS_ITERATIONS (default 50) sets the number of kills; CHAOS_VICTIMS (e.g. `postgres` or
 * `worker,postgres`) kills only those parts, one at a time, in turn. A failed run writes what the
 * worker processes logged to `chaos-worker.log` for the diagnosis.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { startChaosStack } from '../tests/chaos/chaos-stack';
import { formatChaosReport, runWritePathChaos, writePathHeld } from '../tests/chaos/write-path-chaos';

async function main(): Promise<void> {
  const iterations = Number(process.env.CHAOS_ITERATIONS ?? 50);
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error('CHAOS_ITERATIONS must be a positive integer');
  console.log(`Reticulate write-path chaos: ${iterations} iterations, SIGKILL of worker, API, Temporal, PostgreSQL and all at once in turn`);
  const started = Date.now();
  const stack = await startChaosStack({ taskQueue: `chaos-${randomUUID().slice(0, 8)}` });
  const only = process.env.CHAOS_VICTIMS?.split(',').map((part) => part.trim()).filter(Boolean);
  const run = only && only.length > 0 ? { ...stack, victims: only.map((part) => [part]) } : stack;
  let failed = true;
  try {
    const report = await runWritePathChaos(run, { iterations, log: (line) => console.log(line) });
    for (const line of formatChaosReport(report)) console.log(line);
    failed = !writePathHeld(report);
  } finally {
    if (failed && stack.workerOutput) {
      writeFileSync('chaos-worker.log', stack.workerOutput());
      console.log('the worker processes\' output: chaos-worker.log');
    }
    await stack.close();
  }
  console.log(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exit(failed ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
