/**
 * Records the history of a reference-pathway case on a real Temporal dev server, for the replay
 * test. Run it again (`npx tsx tests/replay/record-history.ts <new-file>.json`) only on purpose, to a
 * new file: a history recorded by an older workflow version is exactly what must keep replaying.
 */
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { NativeConnection, Worker } from '@temporalio/worker';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { createCaseActivities } from '../../activities/case-activities';
import { caseUpdates, openTasksQuery, caseWorkflowId, workflowTypes, type CaseWorkflowInput } from '../../domain/case-messages';
import type { Actor } from '../../domain/case-state';
import { pathwayDefinitionSchema } from '../../domain/pathway-schema';
import { ossReferencePathway } from '../../infra/reference-pathway';
import { startTemporalDevServer } from '../../infra/temporal-dev-server';
import { referenceJourneyToJointPlan } from '../support/reference-journey';

const RECORDED_HISTORY = path.join(__dirname, 'histories', process.argv[2] ?? 'oss-reference-to-joint-plan.json');

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'reticulate-record-'));
  const server = await startTemporalDevServer({ dbFile: path.join(dir, 'temporal.db'), port: 17_233 });
  try {
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    const activities: ReturnType<typeof createCaseActivities> = { async projectCase() {} };
    const worker = await Worker.create({ connection: nativeConnection, taskQueue: 'record', workflowsPath: require.resolve('../../workflows'), activities });
    await worker.runUntil(async () => {
      const definition = pathwayDefinitionSchema.parse(ossReferencePathway);
      const input: CaseWorkflowInput = {
        caseId: '00000000-0000-4000-8000-00000000a11c',
        reference: 'RT-GR-REPLAY',
        areaId: 'grosseto',
        startedAt: new Date().toISOString(),
        startedBy: { id: 'u-outreach-gr', kind: 'user' },
        caseData: { targetGroup: 'homeless' },
        pathway: { key: definition.key, version: 1, definition },
        localHolidays: [{ month: 8, day: 10, name: 'S. Lorenzo' }],
      };
      const handle = await client.workflow.start(workflowTypes.case, { taskQueue: 'record', workflowId: caseWorkflowId(input.caseId), args: [input] });
      for (const step of referenceJourneyToJointPlan()) {
        const actor: Actor = { id: `u-${step.service}-gr`, kind: 'user', roles: ['operator'], areas: ['grosseto'], services: [step.service] };
        const taskId = await openTaskId(handle, step.stepId);
        await handle.executeUpdate(caseUpdates.completeTask, { args: [{ actor, command: { kind: 'completeTask', taskId, data: step.data } }] });
      }
      const supervisor: Actor = { id: 'u-sup-gr', kind: 'user', roles: ['supervisor'], areas: ['grosseto'], services: [] };
      await handle.executeUpdate(caseUpdates.addNote, { args: [{ actor: supervisor, command: { kind: 'addNote', text: 'Piano firmato da entrambi i servizi' } }] });
      await handle.executeUpdate(caseUpdates.suspendCase, { args: [{ actor: supervisor, command: { kind: 'suspendCase', reason: 'irreperibile' } }] });
      await handle.executeUpdate(caseUpdates.resumeCase, { args: [{ actor: supervisor, command: { kind: 'resumeCase' } }] });
      const history = await handle.fetchHistory();
      writeFileSync(RECORDED_HISTORY, historyToJSON(history));
      await handle.terminate('recorded');
      console.log(`recorded ${history.events?.length} events to ${RECORDED_HISTORY}`);
    });
    await nativeConnection.close();
    await connection.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The id of the open task of a step, as the workflow itself reports it. */
async function openTaskId(handle: ReturnType<Client['workflow']['getHandle']>, stepId: string): Promise<string> {
  const task = (await handle.query(openTasksQuery)).find((candidate) => candidate.stepId === stepId);
  if (!task) throw new Error(`no open task for ${stepId}`);
  return task.id;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
