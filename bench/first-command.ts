/**
 * `npx tsx bench/first-command.ts`: does the first command on a case cost more than the next? Each
 * case of a four-step pathway takes four completions back to back, each through the API's own
 * functions from this process (bench/command-path.ts: the task read with the intent, the Update, the
 * result), beside a bare executeUpdate before each on the same server. Prints, by the command's
 * place in its case, the whole command and the case's Update (p50), and the workflow task that
 * answered it (from the histories: the server's timestamps, start to completion). The fourth
 * completion ends the case, so its task does more (the closing search-attribute upsert).
 * Knob: FIRST_COMMAND_CASES (60; the first 10 are warm-up).
 */
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { caseWorkflowId } from '../domain/case-messages';
import { loadConfig } from '../infra/config';
import { openLocalIssuer } from '../infra/local-issuer';
import { spawnScript, waitFor } from '../tests/support/processes';
import { startBenchStack } from './bench-stack';
import { apiClient, caseWorkflowReady, chainPathway, msSince, stats, updateTaskTimes } from './capacity-tools';
import { openDirectCommands } from './command-path';
import { finishSignal, pingUpdate } from './floor-workflows';

const steps = 4;
const cases = Number(process.env.FIRST_COMMAND_CASES ?? 60);
const warmup = 10;

async function main(): Promise<void> {
  const stack = await startBenchStack({ prefix: 'reticulate-first-command-', taskQueue: 'bench-cases' });
  try {
    const floorWorker = spawnScript('bench/floor-worker.ts', { TEMPORAL_ADDRESS: stack.temporalAddress });
    stack.defer(() => floorWorker.stop());
    await waitFor(async () => floorWorker.output().includes('RUNNING'), 'floor worker running', 90_000, floorWorker);
    const config = loadConfig(stack.env);
    const connection = await NativeConnection.connect({ address: stack.temporalAddress });
    stack.defer(() => connection.close());
    const client = new Client({ connection });
    const issuer = await openLocalIssuer(config);
    const coordinator = `Bearer ${await issuer.issueUserToken('coordinator-grosseto')}`;
    const desk = `Bearer ${await issuer.issueUserToken('oss-operator-grosseto')}`;
    const api = apiClient(stack.baseUrl, 4);
    stack.defer(async () => api.close());
    await api.call('POST', '/pathways', coordinator, chainPathway('bench-first-command', steps));
    await api.call('POST', '/pathways/bench-first-command/draft/publish', coordinator, {});
    const direct = await openDirectCommands({ connection, namespace: 'default', pool: stack.pool, config, userId: 'oss-operator-grosseto' });
    const floor = await client.workflow.start('benchFloor', { taskQueue: 'bench-floor', workflowId: `floor-${randomUUID()}` });
    await floor.executeUpdate(pingUpdate, { args: ['warm'] });

    const bare: number[] = [];
    const whole: number[][] = Array.from({ length: steps }, () => []);
    const update: number[][] = Array.from({ length: steps }, () => []);
    const measuredCases: string[] = [];
    for (let c = 0; c < cases; c++) {
      const created = (await api.call('POST', '/cases', desk, { pathwayKey: 'bench-first-command', areaId: 'grosseto', data: {} }, { 'idempotency-key': randomUUID() })) as {
        caseId: string;
      };
      await caseWorkflowReady(client, created.caseId);
      if (c >= warmup) measuredCases.push(created.caseId);
      for (let i = 0; i < steps; i++) {
        const page = (await api.call('GET', `/tasks?caseId=${created.caseId}&stepId=s${i + 1}`, desk)) as { items: Array<{ taskId: string }> };
        const taskId = page.items[0]?.taskId;
        if (!taskId) throw new Error(`step s${i + 1} of case ${created.caseId} is not in the inbox`);
        const start = process.hrtime.bigint();
        await floor.executeUpdate(pingUpdate, { args: [String(i)] });
        if (c >= warmup) bare.push(msSince(start));
        const sample = await direct.complete(taskId, { note: 'x' });
        if (c >= warmup) {
          whole[i].push(sample.total);
          update[i].push(sample.total - sample.read - sample.write);
        }
      }
    }
    const tasks: number[][] = Array.from({ length: steps }, () => []);
    for (const caseId of measuredCases) {
      updateTaskTimes(await client.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory()).forEach((ms, i) => tasks[i]?.push(ms));
    }
    await floor.signal(finishSignal);

    console.log(`\nFirst command vs the next: ${measuredCases.length} cases of ${steps} completions (after ${warmup} warm-up cases), p50 in ms`);
    console.log(`bare executeUpdate (floor): ${stats(bare).p50.toFixed(2)} (n=${bare.length})`);
    console.log('command   whole    the Update   its workflow task (server timestamps)');
    for (let i = 0; i < steps; i++) {
      console.log(`${String(i + 1).padStart(7)} ${stats(whole[i]).p50.toFixed(2).padStart(7)} ${stats(update[i]).p50.toFixed(2).padStart(12)} ${stats(tasks[i]).p50.toFixed(2).padStart(12)}${i === steps - 1 ? '   (ends the case)' : ''}`);
    }
  } finally {
    await stack.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
