/**
 * Shared harness for workflow tests on Temporal's time-skipping test server: one server and one
 * workflow bundle per test file, a fresh task queue per test, and a recording projection activity.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import type { createCaseActivities } from '../../activities/case-activities';
import { caseWorkflowId, workflowTypes, type CaseWorkflowInput } from '../../domain/case-messages';
import type { Actor, CaseEvent, ProjectionBatch } from '../../domain/case-state';
import { workflowBundlerOptions } from '../../workers/worker';
import { pathwayDefinitionSchema, type PathwayDefinitionInput } from '../../domain/pathway-schema';
import { timeSkippingServerPath } from '../support/stack';

export const DAY = 86_400_000;
const t = (it: string) => ({ it });

export const desk: Actor = { id: 'u-desk', kind: 'user', roles: ['operator'], areas: ['livorno'], services: ['oss'] };
export const cpi: Actor = { id: 'u-cpi', kind: 'user', roles: ['operator'], areas: ['livorno'], services: ['employment'] };

/** Intake with a working-day deadline, reminder and two-level ladder, then `times` monthly follow-ups. */
export const followUpPathway = (times: number): PathwayDefinitionInput => ({
  key: 'follow-up-only',
  title: t('Solo monitoraggio'),
  start: 'intake',
  steps: {
    intake: {
      kind: 'task',
      title: t('Accoglienza'),
      assignee: { service: 'oss' },
      form: { fields: [{ key: 'alias', label: t('Alias'), type: 'text', required: true }] },
      deadline: { amount: 2, unit: 'workingDays' },
      reminders: [{ before: { amount: 1, unit: 'workingDays' } }],
      escalation: [
        { after: { amount: 1, unit: 'calendarDays' }, role: 'supervisor' },
        { after: { amount: 5, unit: 'calendarDays' }, role: 'coordinator' },
      ],
      next: 'follow_up',
    },
    follow_up: { kind: 'recurring', title: t('Monitoraggio'), every: { amount: 30, unit: 'calendarDays' }, times, body: 'checkin', next: 'done' },
    checkin: { kind: 'wait', title: t('Verifica automatica'), for: { amount: 1, unit: 'hours' } },
    done: { kind: 'end', title: t('Fine'), outcome: 'autonomy' },
  },
});

export interface TimeSkippingHarness {
  env: TestWorkflowEnvironment;
  /** Runs `fn` with a worker on a fresh task queue; cases it started are terminated afterwards. */
  withWorker<T>(fn: (ctx: WorkerContext) => Promise<T>): Promise<T>;
  /** A workflow input on the test server's clock. */
  caseInput(definition: PathwayDefinitionInput, extra?: Partial<CaseWorkflowInput>): Promise<CaseWorkflowInput>;
}

export interface WorkerContext {
  taskQueue: string;
  batches: ProjectionBatch[];
  /** Every projected event once, by sequence number. */
  events: () => CaseEvent[];
  start: (input: CaseWorkflowInput) => ReturnType<TestWorkflowEnvironment['client']['workflow']['start']>;
}

/** Registers beforeAll/afterAll hooks that start the test server and bundle the workflows once. */
export function useTimeSkippingServer(): TimeSkippingHarness {
  let env: TestWorkflowEnvironment | undefined;
  let bundle: WorkflowBundleWithSourceMap;
  const logger = new DefaultLogger((process.env.TEST_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN');

  beforeAll(async () => {
    Runtime.install({ logger });
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } } });
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger, ...workflowBundlerOptions });
  }, 120_000);

  afterAll(async () => {
    await env?.teardown();
  });

  const harness: TimeSkippingHarness = {
    get env() {
      if (!env) throw new Error('the time-skipping server is not up');
      return env;
    },
    async withWorker(fn) {
      const testEnv = harness.env;
      const taskQueue = `test-${randomUUID()}`;
      const batches: ProjectionBatch[] = [];
      const started: string[] = [];
      const activities: ReturnType<typeof createCaseActivities> = {
        async projectCase(batch) {
          batches.push(batch);
        },
      };
      const worker = await Worker.create({ connection: testEnv.nativeConnection, taskQueue, workflowBundle: bundle, activities });
      const ctx: WorkerContext = {
        taskQueue,
        batches,
        events: () => {
          const bySeq = new Map<number, CaseEvent>();
          for (const batch of batches) for (const event of batch.events) bySeq.set(event.seq, event);
          return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
        },
        start: (input) => {
          const workflowId = caseWorkflowId(input.caseId);
          started.push(workflowId);
          return testEnv.client.workflow.start(workflowTypes.case, { taskQueue, workflowId, args: [input] });
        },
      };
      try {
        return await worker.runUntil(fn(ctx));
      } finally {
        // A case left running keeps timers whose tasks no worker polls any more.
        for (const workflowId of started) {
          await testEnv.client.workflow.getHandle(workflowId).terminate('test finished').catch(() => undefined);
        }
      }
    },
    async caseInput(definition, extra = {}) {
      return {
        caseId: randomUUID(),
        reference: 'RT-LI-WF0001',
        areaId: 'livorno',
        startedAt: new Date(await harness.env.currentTimeMs()).toISOString(),
        startedBy: { id: desk.id, kind: 'user' },
        caseData: {},
        pathway: { key: definition.key, version: 1, definition: pathwayDefinitionSchema.parse(definition) },
        localHolidays: [],
        // The time-skipping server has no custom search attributes; the dev-server tests cover them.
        indexSearchAttributes: false,
        ...extra,
      };
    },
  };
  return harness;
}
