/**
 * The short run of the write path's chaos test on the cluster mode (`npm run chaos:cluster` runs
 * 25 iterations): a history service, a matching service, one of two workers, one of two API
 * instances, PostgreSQL and the frontend are each SIGKILLed once with commands in flight over both
 * API instances; nothing may be lost, duplicated or diverge, keyed repeats answer as before, and
 * every command has a definite answer once the part is back. Prints the time to recover.
 */
import { startClusterChaosStack, type ClusterChaosStack } from '../chaos/cluster-chaos-stack';
import { formatChaosReport, runWritePathChaos } from '../chaos/write-path-chaos';

jest.setTimeout(600_000);

const started = Date.now();
/** Straight to the terminal: jest's console decorates every line with a stack location. */
function report(line: string): void {
  process.stdout.write(`  cluster chaos [${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`);
}

let stack: ClusterChaosStack | undefined;

beforeAll(async () => {
  stack = await startClusterChaosStack({ log: report });
}, 900_000);

afterAll(async () => {
  await stack?.close();
});

describe('write path on the cluster under SIGKILL', () => {
  it('loses nothing, duplicates nothing and converges, whichever service, worker, API instance or database dies mid-command', async () => {
    const system = stack as ClusterChaosStack;
    const iterations = Number(process.env.CHAOS_CLUSTER_TEST_ITERATIONS ?? 6);
    const result = await runWritePathChaos(system, { iterations, cases: 8, burst: 8, log: report });
    for (const line of formatChaosReport(result)) report(line);
    expect(result.iterations).toBe(iterations);
    expect(Object.keys(result.kills).sort()).toEqual([...new Set(system.victims.slice(0, iterations).map((victim) => victim.join('+')))].sort());
    // The kinds of part this test promises to kill, in the order the header gives, written here rather
    // than read from the stack's own victim list: a shorter or reordered list must not pass unnoticed.
    const promisedKinds = ['history', 'matching', 'worker', 'api', 'postgres', 'frontend'].slice(0, iterations);
    expect([...new Set(Object.keys(result.kills).map((part) => part.replace(/-\d+$/, '')))].sort()).toEqual([...promisedKinds].sort());
    expect(result.commandsInFlightAtKills).toBeGreaterThan(0);
    expect(result.lost).toEqual([]);
    expect(result.duplicated).toEqual([]);
    expect(result.diverged).toEqual([]);
    expect(result.answeredDifferently).toEqual([]);
    expect(result.unanswered).toBe(0);
  });
});
