/**
 * Smoke test of the cluster mode (`npm run test:cluster`, not part of `npm test`): the Temporal
 * services as separate processes on PostgreSQL, two case workers and two API instances, the same
 * stack `npm run start:cluster` runs. A case is started through one API instance and worked through
 * the other; then the worker that ran the case's last workflow task and the matching service die
 * with SIGKILL, matching comes back, and the case must go on, on the other worker, with nothing lost
 * and nothing done twice. Prints each check as it passes.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ClusterProcess } from '../../infra/cluster-process';
import { freeClusterStackPorts, startClusterStack, type ApiInstance, type ClusterStack } from '../../infra/cluster-stack';
import { referenceJourneyToJointPlan } from '../support/reference-journey';
import type { Page, TaskView } from '../support/api-types';

jest.setTimeout(300_000);

let stack: ClusterStack | undefined;
let connection: Connection | undefined;
let dataDir: string;
const started = Date.now();

/** Straight to the terminal: jest's console decorates every line with a stack location. */
function report(line: string): void {
  process.stdout.write(`  cluster smoke [${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'reticulate-cluster-'));
  // PostgreSQL runs as the unprivileged `postgres` user when we are root: it must reach its data dir.
  await chmod(dataDir, 0o755);
  // Cold, this builds the Temporal server first (minutes); `npm run setup:cluster` caches it.
  stack = await startClusterStack({ dataDir, ports: await freeClusterStackPorts(), ephemeral: true, ownProcessGroups: false, log: report });
  const { services } = stack.temporal;
  report(`up: Temporal frontend ${stack.temporal.address} (pids frontend ${services.frontend.pid}, history ${services.history.pid}, matching ${services.matching.pid}, worker ${services.worker.pid}); workers ${stack.workers.map((w) => w.pid).join(', ')}; APIs ${stack.apis.map((a) => a.url).join(', ')}`);
}, 900_000);

afterAll(async () => {
  await connection?.close();
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function call<T>(api: ApiInstance, method: 'GET' | 'POST', url: string, token: string, body?: unknown, idempotencyKey?: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${api.url}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('cluster mode', () => {
  it('runs a case across two API instances and two workers, and survives SIGKILL of a worker and of matching', async () => {
    const system = stack as ClusterStack;
    const [api1, api2] = system.apis;
    const outreach = await system.token('outreach-operator-livorno');
    const desk = await system.token('oss-operator-livorno');
    const supervisor = await system.token('supervisor-livorno');
    const [outreachStep, intakeStep] = referenceJourneyToJointPlan();
    const inbox = async (api: ApiInstance, caseId: string) => {
      const { status, body } = await call<Page<TaskView>>(api, 'GET', `/tasks?areaId=livorno&caseId=${caseId}`, desk);
      expect(status).toBe(200);
      return body.items;
    };
    const nextTaskInBothInboxes = async (caseId: string, stepId: string) => {
      const [task] = await eventually(`the ${stepId} task in api-1's inbox`, async () => {
        const items = await inbox(api1, caseId);
        return items.some((t) => t.stepId === stepId) ? items : undefined;
      });
      const fromApi2 = await inbox(api2, caseId);
      expect(fromApi2.map((t) => [t.taskId, t.stepId])).toEqual([[task.taskId, stepId]]);
      return task;
    };

    // A first contact through API instance 1.
    const start = await call<{ caseId: string; openTasks: TaskView[] }>(api1, 'POST', '/cases', outreach, { pathwayKey: 'oss-integrated-pathway', areaId: 'livorno', data: { targetGroup: 'homeless' } }, randomUUID());
    expect(start.status).toBe(201);
    const { caseId } = start.body;
    expect(start.body.openTasks.map((t) => t.stepId)).toEqual(['outreach']);
    report(`api-1 started case ${caseId}: its first task is outreach`);

    // The workflow runs on the cluster: history holds it, SQL visibility finds it by its search attributes.
    const temporalClient = await Connection.connect({ address: system.temporal.address });
    connection = temporalClient;
    const workflowId = `case-${caseId}`;
    const { namespace } = system.temporal;
    await eventually('the case workflow running on the cluster', async () => {
      const { workflowExecutionInfo } = await temporalClient.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId } });
      return workflowExecutionInfo?.status === temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING ? true : undefined;
    });
    await eventually('the case in SQL visibility by ReticulateArea', async () => {
      const { executions } = await temporalClient.workflowService.listWorkflowExecutions({ namespace, query: `WorkflowId = '${workflowId}' AND ReticulateArea = 'livorno' AND ReticulateStatus = 'active'` });
      return (executions ?? []).length === 1 ? true : undefined;
    });
    report(`workflow case-${caseId} runs on the cluster and SQL visibility finds it by ReticulateArea and ReticulateStatus`);
    /** The worker process that completed the case's latest workflow task (its SDK identity is `<pid>@<host>`). */
    const workerOfLastTask = async () => {
      const { history } = await temporalClient.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId }, maximumPageSize: 1000 });
      const completed = (history?.events ?? []).filter((event) => event.workflowTaskCompletedEventAttributes);
      const identity = completed.at(-1)?.workflowTaskCompletedEventAttributes?.identity ?? '';
      return system.workers.find((worker) => identity.startsWith(`${worker.pid}@`));
    };

    // Its first task completed through API instance 2.
    const outreachDone = await call(api2, 'POST', `/tasks/${start.body.openTasks[0].taskId}/complete`, outreach, { data: outreachStep.data }, randomUUID());
    expect(outreachDone.status).toBe(200);
    report('api-2 completed the outreach task');
    const intake = await nextTaskInBothInboxes(caseId, 'intake');
    report(`the intake task ${intake.taskId} is in the inbox of both API instances`);

    // The worker that holds the case (its sticky queue and cache) and the matching service crash; matching comes back.
    const holder = await eventually('the worker of the case\'s last workflow task', workerOfLastTask);
    const survivor = system.workers.find((worker) => worker !== holder) as ClusterProcess;
    const oldMatchingPid = system.temporal.services.matching.pid;
    await holder.kill();
    await system.temporal.services.matching.kill();
    expect(holder.running()).toBe(false);
    report(`SIGKILLed ${holder.name} (pid ${holder.pid}), which ran the case's last workflow task, and matching (pid ${oldMatchingPid})`);
    const restartedAt = Date.now();
    await system.temporal.services.matching.restart();
    expect(system.temporal.services.matching.pid).not.toBe(oldMatchingPid);
    await eventually(`${survivor.name} polling through the restarted matching`, async () => ((await system.workerPolling(survivor)) ? true : undefined), 120_000);
    report(`matching restarted (pid ${system.temporal.services.matching.pid}); ${survivor.name} polls through it ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the restart`);

    // The next completion goes through the surviving worker; a client retries with the same key, as it should.
    const intakeKey = randomUUID();
    let attempts = 0;
    await eventually(
      'completing the intake after the crash',
      async () => {
        attempts += 1;
        const { status } = await call(api1, 'POST', `/tasks/${intake.taskId}/complete`, desk, { data: intakeStep.data }, intakeKey);
        if (status >= 400 && status < 500) throw new Error(`the intake completion was refused with HTTP ${status}`);
        return status === 200 ? true : undefined;
      },
      120_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message} (${attempts} attempts)`);
    });
    report(`api-1 completed the intake task after the crash (${attempts} attempt${attempts === 1 ? '' : 's'}, ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the restart)`);
    expect(await workerOfLastTask()).toBe(survivor);
    report(`${survivor.name} ran the workflow task that completed the intake`);

    // The case went on exactly once.
    const eligibility = await nextTaskInBothInboxes(caseId, 'eligibility');
    const timeline = await call<{ items: Array<{ type: string; taskId: string | null; seq: number }> }>(api2, 'GET', `/cases/${caseId}/timeline?limit=100`, supervisor);
    expect(timeline.status).toBe(200);
    expect(timeline.body.items.filter((e) => e.type === 'task_completed' && e.taskId === intake.taskId)).toHaveLength(1);
    expect(timeline.body.items.filter((e) => e.type === 'task_created' && e.taskId === eligibility.taskId)).toHaveLength(1);
    const seqs = timeline.body.items.map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => index + 1));
    const detail = await call<{ data: Record<string, Record<string, unknown>> }>(api2, 'GET', `/cases/${caseId}`, supervisor);
    expect(detail.body.data.intake.alias).toBe(intakeStep.data.alias);
    report(`the case went on: eligibility task ${eligibility.taskId} in both inboxes, one intake completion, ${seqs.length} events without gaps, the intake data readable`);
  });
});
