/**
 * `npm run chaos:cluster`: the write path's chaos test (tests/chaos/) on the cluster mode: SIGKILL in
 * turn of a history service, a matching service, one of two workers, one of two API instances,
 * PostgreSQL and the frontend, with commands of every kind in flight over both API instances. Prints
 * the time to recover; exits non-zero on any lost, duplicated or diverged case, or a keyed repeat
 * answered differently. CHAOS_ITERATIONS (default 25) sets the number of kills. Needs the server
 * built by `npm run setup:cluster`.
 */
import os from 'node:os';
import { startClusterChaosStack } from '../tests/chaos/cluster-chaos-stack';
import { formatChaosReport, runWritePathChaos, writePathHeld } from '../tests/chaos/write-path-chaos';

async function main(): Promise<void> {
  const iterations = Number(process.env.CHAOS_ITERATIONS ?? 25);
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error('CHAOS_ITERATIONS must be a positive integer');
  console.log(`Reticulate write-path chaos on the cluster: ${iterations} iterations, SIGKILL of history, matching, a worker, an API instance, PostgreSQL and the frontend in turn`);
  const started = Date.now();
  const stack = await startClusterChaosStack({ log: (line) => console.log(`  ${line}`) });
  console.log(`cluster up in ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${loadAverage()}`);
  const report = await runWritePathChaos(stack, { iterations, log: (line) => console.log(line) }).finally(() => stack.close());
  for (const line of formatChaosReport(report)) console.log(line);
  console.log(`took ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${loadAverage()}`);
  const failed = !writePathHeld(report);
  process.exit(failed ? 1 : 0);
}

/** The machine's 1, 5 and 15 minute load averages: the figures are only as quiet as the machine. */
function loadAverage(): string {
  return os.loadavg().map((value) => value.toFixed(2)).join(', ');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
