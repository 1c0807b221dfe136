/**
 * `npm run bench:cluster`: `npm run bench`'s figures (a)–(d) on the cluster mode, then the
 * sustained completions (d) with one case worker against two. The cluster (infra/cluster-stack.ts)
 * runs in a temporary folder: PostgreSQL (fsync on, as in `npm run bench`) holding Temporal's
 * databases and the read model, the Temporal services as separate processes, two workers and two
 * API instances. Every request goes to API instance 1; the floor workflows run on the same cluster's
 * frontend, with their own worker in this process. Nothing is asserted; it prints the machine's load
 * average before and after, since the figures are only as quiet as the machine.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeClusterStackPorts, startClusterStack } from '../infra/cluster-stack';
import { createPool } from '../infra/db/pool';
import { TEMPORAL_SERVER_VERSION } from '../infra/temporal-server-build';
import { benchSettings, runBench, type CompletionFigures } from './run';

const loadAverage = () => os.loadavg().map((value) => value.toFixed(2)).join(', ');

/** One line of the workers comparison. */
function completionLine(label: string, figures: CompletionFigures): string {
  const rate = figures.completions / figures.elapsedSeconds;
  return (
    `    ${label.padEnd(30)} ${rate.toFixed(1).padStart(6)} completions/s (${figures.completions} in ${figures.elapsedSeconds.toFixed(1)} s, ${figures.errors.length} errors); ` +
    `complete p50 ${figures.latency.p50.toFixed(2)} ms p99 ${figures.latency.p99.toFixed(2)} ms; ` +
    `CPU per completion API ${figures.cpu.api.toFixed(2)} + workers ${figures.cpu.worker.toFixed(2)} ms, Temporal services ${figures.cpu.temporal.toFixed(2)} ms`
  );
}

async function main(): Promise<void> {
  console.log(`Reticulate benchmark on the cluster; load average before ${loadAverage()}`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'reticulate-bench-cluster-'));
  // PostgreSQL runs as the unprivileged `postgres` user when we are root: it must reach its data dir.
  chmodSync(dataDir, 0o755);
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const cluster = await startClusterStack({
      dataDir,
      ports: await freeClusterStackPorts(),
      // A Ctrl-C that kills the benchmark takes the whole cluster with it.
      ownProcessGroups: false,
      // The sustained phases are a few clients sending as fast as they can: far beyond any person's rate limit.
      appEnv: { RATE_LIMIT_MAX: '100000000' },
      log: (line) => console.log(`  ${line}`),
    });
    stops.push(() => cluster.stop());
    const pool = createPool(cluster.databaseUrl);
    stops.push(() => pool.end());
    const [api] = cluster.apis;
    const { services } = cluster.temporal;
    const session = await runBench({
      description:
        `temporal-server ${TEMPORAL_SERVER_VERSION} cluster (${Object.keys(services).join(', ')} as separate processes; PostgreSQL persistence, SQL visibility); ` +
        `embedded PostgreSQL (Temporal's databases and the read model); ${cluster.workers.length} workers and ${cluster.apis.length} API instances as separate processes, ` +
        `measured through ${api.name}; client in another process, all on loopback`,
      baseUrl: api.url,
      temporalAddress: cluster.temporal.address,
      namespace: cluster.temporal.namespace,
      env: cluster.appEnv,
      pool,
      pids: () => ({
        api: [api.pid],
        worker: cluster.workers.filter((worker) => worker.running()).map((worker) => worker.pid),
        temporal: Object.values(services).map((service) => service.pid),
      }),
      cpuNames: { worker: `${cluster.workers.length} workers`, temporal: 'Temporal services (all four)' },
      defer: (stop) => stops.push(stop),
    });

    // One worker against two: the second is stopped (SIGTERM, as a scale-down would), then started again.
    const [, second] = cluster.workers;
    await second.stop();
    const one = await session.sustainedCompletions();
    await second.restart();
    const twoAgain = await session.sustainedCompletions();
    const rate = (figures: CompletionFigures) => figures.completions / figures.elapsedSeconds;
    console.log(`(e) sustained task completions (d) with one case worker and with two, ${benchSettings.completionClients} clients, ${benchSettings.completionSeconds} s each, on fresh cases`);
    console.log(completionLine('two workers (d above)', session.completions));
    console.log(completionLine(`one worker (${second.name} stopped)`, one));
    console.log(completionLine('two workers again', twoAgain));
    console.log(`    two workers / one: ${(rate(session.completions) / rate(one)).toFixed(2)}x, then ${(rate(twoAgain) / rate(one)).toFixed(2)}x; machine: ${os.cpus().length} cores for everything`);
    console.log(`load average after ${loadAverage()}`);
    process.exitCode = session.failed || one.errors.length > 0 || twoAgain.errors.length > 0 ? 1 : 0;
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(`stop failed: ${(error as Error).message}`));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
