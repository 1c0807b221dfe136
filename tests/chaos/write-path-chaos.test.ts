/**
 * The short run of the write path's chaos test (`npm run chaos` runs 50 iterations): each part of the
 * stack (worker, API, Temporal server, PostgreSQL) and then all of them at once is SIGKILLed with
 * commands in flight; nothing may be lost, duplicated or diverge, and keyed repeats answer as before.
 */
import { randomUUID } from 'node:crypto';
import { startChaosStack } from './chaos-stack';
import { formatChaosReport, runWritePathChaos } from './write-path-chaos';

jest.setTimeout(900_000);

describe('write path under SIGKILL', () => {
  it('loses nothing, duplicates nothing and converges, whatever is killed mid-command', async () => {
    const stack = await startChaosStack({ taskQueue: `chaos-${randomUUID().slice(0, 8)}` });
    const report = await runWritePathChaos(stack, { iterations: Number(process.env.CHAOS_TEST_ITERATIONS ?? 5), cases: 8, burst: 8 }).finally(() => stack.close());
    console.log(`chaos: ${formatChaosReport(report).join('\n')}`);
    expect(report.iterations).toBeGreaterThanOrEqual(5);
    expect(report.commandsInFlightAtKills).toBeGreaterThan(0);
    // A run that acknowledged nothing would prove nothing about lost commands.
    expect(report.acknowledged).toBeGreaterThan(0);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.diverged).toEqual([]);
    expect(report.answeredDifferently).toEqual([]);
  });
});
