/**
 * The cluster mode (infra/cluster-stack.ts) as a `ChaosStack`: PostgreSQL (fsync on, as a crash test
 * needs), the Temporal services as separate processes, two case workers and two API instances, in a
 * temporary folder of its own. Each of them can be SIGKILLed and started again on the same data and
 * ports. The victims, in turn: a history service, a matching service, one of the two workers, one of
 * the two API instances, PostgreSQL, the frontend; the first six iterations kill each kind once.
 */
import { mkdtempSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClusterProcess } from '../../infra/cluster-process';
import { freeClusterStackPorts, startClusterStack, type ClusterStack } from '../../infra/cluster-stack';
import { ensurePersonKeys } from '../../infra/codec/personal-data';
import { loadConfig } from '../../infra/config';
import { createPool } from '../../infra/db/pool';
import { connectTemporalClient } from '../../infra/temporal-connection';
import type { ChaosStack } from './chaos-stack';

/** Dependency order: what a restart brings back first. */
const clusterParts = ['postgres', 'history', 'matching', 'frontend', 'worker-1', 'worker-2', 'api-1', 'api-2'] as const;

const clusterVictims: ReadonlyArray<readonly string[]> = [
  ['history'],
  ['matching'],
  ['worker-1'],
  ['api-1'],
  ['postgres'],
  ['frontend'],
  ['history'],
  ['matching'],
  ['worker-2'],
  ['api-2'],
  ['postgres'],
  ['frontend'],
];

export interface ClusterChaosStack extends ChaosStack {
  cluster: ClusterStack;
}

/** Starts a throwaway cluster for the chaos test; `close` stops it and removes its folder. */
export async function startClusterChaosStack({ log = () => undefined }: { log?: (line: string) => void } = {}): Promise<ClusterChaosStack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'reticulate-cluster-chaos-'));
  // PostgreSQL runs as the unprivileged `postgres` user when we are root: it must reach its data dir.
  chmodSync(dataDir, 0o755);
  let cluster: ClusterStack;
  try {
    cluster = await startClusterStack({
      dataDir,
      ports: await freeClusterStackPorts(),
      // Not ephemeral: with synchronous_commit off a SIGKILLed PostgreSQL forgets commits it acknowledged.
      ephemeral: false,
      // A Ctrl-C that kills the runner takes the whole cluster with it.
      ownProcessGroups: false,
      // Notifications are not under test; their dispatchers would only add load.
      appEnv: { NOTIFICATIONS_ENABLED: 'false' },
      log,
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const system = cluster;
  const pool = createPool(system.databaseUrl);
  const config = loadConfig(system.appEnv);
  const temporal = await connectTemporalClient(config, ensurePersonKeys(pool, config));

  const processOf = (part: string): ClusterProcess => {
    const { services } = system.temporal;
    if (part === 'history' || part === 'matching' || part === 'frontend') return services[part];
    const match = /^(worker|api)-(\d+)$/.exec(part);
    const found = match ? (match[1] === 'worker' ? system.workers : system.apis)[Number(match[2]) - 1] : undefined;
    if (!found) throw new Error(`the cluster has no part ${part}`);
    return found;
  };
  const down = new Set<string>();

  return {
    cluster: system,
    description:
      `Temporal cluster (pinned server, PostgreSQL persistence, ${Object.keys(system.temporal.services).join(', ')} as separate processes), ` +
      `${system.workers.length} workers, ${system.apis.length} API instances, one embedded PostgreSQL (fsync on)`,
    apiUrls: system.apis.map((api) => api.url),
    pool,
    temporal,
    token: (userId) => system.token(userId),
    // The whole log of every API instance, killed incarnations included (a ClusterProcess's output is only its current one's tail).
    apiOutput: () => system.apis.map((api) => readFileSync(api.logFile, 'utf8')).join('\n'),
    parts: clusterParts,
    victims: clusterVictims,
    async kill(parts) {
      await Promise.all(
        parts.map(async (part) => {
          if (down.has(part)) return;
          down.add(part);
          await (part === 'postgres' ? system.postgres.kill() : processOf(part).kill('SIGKILL'));
        }),
      );
    },
    async restart() {
      for (const part of clusterParts.filter((p) => down.has(p))) {
        await (part === 'postgres' ? system.postgres.restart() : processOf(part).restart());
        down.delete(part);
      }
    },
    async close() {
      await temporal.connection.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await system.stop().catch((error: unknown) => log(`could not stop the cluster cleanly: ${(error as Error).message}`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
