/**
 * `npm run chaos`: the write path's chaos test on the whole embedded stack (tests/chaos/). Exits
 * non-zero on any lost, duplicated or diverged case, or a keyed repeat answered differently.
 * CHAOS_ITERATIONS (default 50) sets the number of kills.
 */
import { randomUUID } from 'node:crypto';
import { startChaosStack } from '../tests/chaos/chaos-stack';
import { formatChaosReport, runWritePathChaos, writePathHeld } from '../tests/chaos/write-path-chaos';

async function main(): Promise<void> {
  const iterations = Number(process.env.CHAOS_ITERATIONS ?? 50);
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error('CHAOS_ITERATIONS must be a positive integer');
  console.log(`Reticulate write-path chaos: ${iterations} iterations, SIGKILL of worker, API, Temporal, PostgreSQL and all at once in turn`);
  const started = Date.now();
  const stack = await startChaosStack({ taskQueue: `chaos-${randomUUID().slice(0, 8)}` });
  const report = await runWritePathChaos(stack, { iterations, log: (line) => console.log(line) }).finally(() => stack.close());
  for (const line of formatChaosReport(report)) console.log(line);
  console.log(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const failed = !writePathHeld(report);
  process.exit(failed ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
