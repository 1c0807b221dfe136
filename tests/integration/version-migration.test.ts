/**
 * Migration of running cases to a newer pathway version, on the real stack (Temporal dev server,
 * PostgreSQL, a real worker): cases on v1 with open tasks and pending timers, v2 published with a
 * renamed step, a changed escalation ladder and a removed step; the dry run names the one case
 * that cannot move and why; the real migration moves the others, which keep their deadlines and
 * history, show v2 in the read model, keep (or rebuild) their timers — one of which then fires with
 * v2's ladder — and keep interpreting v2 after continuing as new.
 */
import { randomUUID } from 'node:crypto';
import { tsToMs } from '@temporalio/common/lib/time';
import type { CaseWorkflowInput } from '../../domain/case-messages';
import { caseSnapshotQuery, caseWorkflowId, openTasksQuery, workflowTypes } from '../../domain/case-messages';
import type { CaseSnapshot, CaseTask } from '../../domain/case-state';
import type { PathwayDefinition } from '../../domain/pathway-schema';
import { expectProblem, json, startApiHarness, type ApiHarness } from '../api/harness';
import type { CaseDetail, Page, TaskView } from '../support/api-types';

jest.setTimeout(240_000);

let api: ApiHarness;
const KEY = 'migration-pilot';
const coordinator = 'coordinator-livorno';
const text = (it: string) => ({ it });

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

const longTask = (title: string) => ({
  kind: 'task',
  title: text(title),
  assignee: { service: 'outreach' },
  form: { fields: [{ key: 'note', type: 'text', label: text('Nota') }] },
  deadline: { amount: 30, unit: 'calendarDays' },
  reminders: [{ before: { amount: 5, unit: 'calendarDays' } }],
  escalation: [{ after: { amount: 1, unit: 'calendarDays' }, role: 'supervisor' }],
  next: 'closing',
});
// Due one minute after it is raised, escalating at once: the timer that must still fire after the migration.
const quickTask = (role: 'supervisor' | 'coordinator') => ({
  kind: 'task',
  title: text('Rapido'),
  assignee: { service: 'outreach' },
  deadline: { amount: 1, unit: 'minutes' },
  escalation: [{ after: { amount: 0, unit: 'minutes' }, role }],
  next: 'closing',
});
const routeField = {
  key: 'route',
  type: 'select',
  required: true,
  label: text('Percorso'),
  options: ['standard', 'quick', 'legacy'].map((value) => ({ value, label: text(value) })),
};
const rule = (value: string, next: string) => ({ when: { field: 'case.route', op: 'eq', value }, next });

const v1 = {
  key: KEY,
  title: text('Percorso pilota'),
  caseFields: [routeField],
  start: 'triage',
  steps: {
    triage: { kind: 'decision', title: text('Smistamento'), rules: [rule('quick', 'quick'), rule('legacy', 'legacy')], otherwise: 'first' },
    first: longTask('Primo contatto'),
    quick: quickTask('supervisor'),
    legacy: longTask('Vecchio passo'),
    closing: { kind: 'end', title: text('Chiuso'), outcome: 'autonomy' },
  },
};
// v2: "first" is renamed "welcome" (same timers), "quick" escalates to the coordinator, "legacy" is gone.
const v2 = {
  ...v1,
  title: text('Percorso pilota v2'),
  steps: {
    triage: { kind: 'decision', title: text('Smistamento'), rules: [rule('quick', 'quick')], otherwise: 'welcome' },
    welcome: longTask('Benvenuto'),
    quick: quickTask('coordinator'),
    closing: { kind: 'end', title: text('Chiuso'), outcome: 'autonomy' },
  },
};

async function publish(definition: unknown): Promise<{ version: number; definition: PathwayDefinition }> {
  const created = await api.request(coordinator, { method: 'POST', url: '/pathways', payload: definition });
  expect(created.statusCode).toBe(201);
  const published = await api.request(coordinator, { method: 'POST', url: `/pathways/${KEY}/draft/publish` });
  expect(published.statusCode).toBe(201);
  return json(published);
}

let keys = 0;
async function startCase(route: string): Promise<CaseDetail> {
  keys += 1;
  const response = await api.request('outreach-operator-livorno', {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': `migration-${keys}` },
    payload: { pathwayKey: KEY, areaId: 'livorno', data: { route } },
  });
  expect(response.statusCode).toBe(201);
  return json<CaseDetail>(response);
}

const handleOf = (caseId: string) => api.temporal.workflow.getHandle(caseWorkflowId(caseId));
const openTasksOf = (caseId: string) => handleOf(caseId).query(openTasksQuery);
const caseOf = async (caseId: string) => json<CaseDetail>(await api.request('supervisor-livorno', { method: 'GET', url: `/cases/${caseId}` }));

/** Timers the workflow has started and neither fired nor cancelled, with the moment each fires. */
async function pendingTimers(caseId: string): Promise<Date[]> {
  const { events } = await handleOf(caseId).fetchHistory();
  const pending = new Map<string, Date>();
  for (const event of events ?? []) {
    if (event.timerStartedEventAttributes) {
      const { timerId, startToFireTimeout } = event.timerStartedEventAttributes;
      pending.set(timerId!, new Date(tsToMs(event.eventTime) + tsToMs(startToFireTimeout)));
    }
    if (event.timerFiredEventAttributes) pending.delete(event.timerFiredEventAttributes.timerId!);
    if (event.timerCanceledEventAttributes) pending.delete(event.timerCanceledEventAttributes.timerId!);
  }
  return [...pending.values()];
}

/** Every clock of a task that has not gone off yet. */
const pendingAlerts = (task: CaseTask) => [...task.reminders, ...task.escalations].filter((alert) => alert.firedAt === null).map((alert) => Date.parse(alert.at));

interface MigrationReport {
  caseId: string;
  canMove: boolean;
  problems: Array<{ code: string; stepId: string | null; message: string }>;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('migrating running cases to a newer pathway version', () => {
  it('dry-runs, migrates the cases that can move with their deadlines, history and timers, and leaves the one that cannot on v1', async () => {
    const first = await publish(v1);
    expect(first.version).toBe(1);
    const standard = [await startCase('standard'), await startCase('standard')];
    const quick = await startCase('quick');
    const legacy = await startCase('legacy');
    expect(legacy.openTasks.map((t) => t.stepId)).toEqual(['legacy']);

    // A case started straight on the workflow with a tiny history budget, so that it continues as new after the migration.
    const restless = randomUUID();
    const restlessInput: CaseWorkflowInput = {
      caseId: restless,
      reference: 'RT-LI-MIGR01',
      areaId: 'livorno',
      startedAt: new Date().toISOString(),
      startedBy: { id: 'outreach-operator-livorno', kind: 'user' },
      caseData: { route: 'standard' },
      pathway: { key: KEY, version: 1, definition: first.definition },
      localHolidays: [],
      historyLimit: 14,
    };
    await api.temporal.workflow.start(workflowTypes.case, { workflowId: caseWorkflowId(restless), taskQueue: api.config.taskQueue, args: [restlessInput] });
    await until(() => api.request('supervisor-livorno', { method: 'GET', url: `/cases/${restless}` }), (response) => response.statusCode === 200);

    const movable = [...standard, quick].map((c) => c.caseId);
    const before = new Map<string, CaseTask[]>();
    for (const caseId of [...movable, restless]) before.set(caseId, await openTasksOf(caseId));
    // Each case waits on a real timer for its next alert before anything moves.
    for (const caseId of movable) {
      const next = Math.min(...before.get(caseId)!.flatMap(pendingAlerts));
      const timers = await pendingTimers(caseId);
      expect(timers).toHaveLength(1);
      expect(Math.abs(timers[0].getTime() - next)).toBeLessThan(5_000);
    }
    const firstRun = (await handleOf(restless).describe()).runId;

    await publish(v2);
    const request = { fromVersion: 1, toVersion: 2, stepMapping: { first: 'welcome' }, reason: 'Nuove linee guida regionali' };

    // Bad requests never reach a case.
    const unknownMapping = expectProblem(
      await api.request(coordinator, { method: 'POST', url: `/pathways/${KEY}/migrations`, payload: { ...request, stepMapping: { nowhere: 'welcome' }, dryRun: true } }),
      422,
      'invalid_data',
    );
    expect(unknownMapping.issues).toEqual([expect.objectContaining({ path: ['stepMapping', 'nowhere'] })]);
    expectProblem(await api.request(coordinator, { method: 'POST', url: `/pathways/${KEY}/migrations`, payload: { ...request, toVersion: 1, dryRun: true } }), 422, 'invalid_data');
    expectProblem(await api.request('supervisor-livorno', { method: 'POST', url: `/pathways/${KEY}/migrations`, payload: { ...request, dryRun: true } }), 403, 'forbidden');

    const dry = await api.request(coordinator, { method: 'POST', url: `/pathways/${KEY}/migrations`, payload: { ...request, dryRun: true } });
    expect(dry.statusCode).toBe(200);
    const report = json<{ total: number; movable: number; cases: MigrationReport[] }>(dry);
    expect(report.total).toBe(5);
    expect(report.movable).toBe(4);
    expect(report.cases.filter((c) => c.canMove).map((c) => c.caseId).sort()).toEqual([...movable, restless].sort());
    expect(report.cases.find((c) => !c.canMove)).toEqual({
      caseId: legacy.caseId,
      reference: legacy.reference,
      areaId: 'livorno',
      canMove: false,
      problems: [{ code: 'unmapped_step', stepId: 'legacy', message: expect.stringContaining('not in version 2') }],
    });
    // The dry run changed nothing.
    expect((await caseOf(standard[0].caseId)).pathwayVersion).toBe(1);

    expect((await handleOf(restless).describe()).runId).toBe(firstRun);
    const accepted = await api.request(coordinator, { method: 'POST', url: `/pathways/${KEY}/migrations`, payload: request });
    expect(accepted.statusCode).toBe(202);
    const { jobId } = json<{ jobId: string }>(accepted);
    const job = await until(
      async () => json<{ status: string; counts: Record<string, number>; items: Array<{ caseId: string; status: string; error: { message: string } | null }> }>(
        await api.request(coordinator, { method: 'GET', url: `/interventions/${jobId}` }),
      ),
      (value) => value.status !== 'running',
    );
    expect(job.counts).toMatchObject({ total: 5, done: 4, refused: 1, failed: 0 });
    expect(job.items.find((item) => item.caseId === legacy.caseId)).toMatchObject({ status: 'refused', error: { message: expect.stringContaining('legacy') } });

    for (const caseId of movable) {
      const detail = await caseOf(caseId);
      expect(detail.pathwayVersion).toBe(2);
      const [task] = detail.openTasks;
      const [old] = before.get(caseId)!;
      // Same task, same deadline; the inbox shows it under its v2 step.
      expect(task).toMatchObject({ taskId: old.id, dueAt: old.dueAt, pathwayVersion: 2 });
      const migrated = await openTasksOf(caseId);
      expect(migrated).toHaveLength(1);
      expect((await handleOf(caseId).query(caseSnapshotQuery)).pathwayVersion).toBe(2);
      // History kept: the events before the migration are as they were, the migration is the newest, by the coordinator.
      const timeline = json<Page<{ seq: number; type: string; actor: { id: string }; details: Record<string, unknown> }>>(
        await api.request('supervisor-livorno', { method: 'GET', url: `/cases/${caseId}/timeline?limit=100` }),
      );
      expect(timeline.items.map((e) => e.type)).toEqual(['case_started', 'decision_taken', 'task_created', 'case_migrated']);
      expect(timeline.items[3]).toMatchObject({ actor: { id: coordinator }, details: { fromVersion: 1, toVersion: 2, reason: request.reason } });
      // The workflow sleeps on a timer for the next alert of the (possibly rebuilt) ladder.
      const next = Math.min(...pendingAlerts(migrated[0]));
      const timers = await pendingTimers(caseId);
      expect(timers).toHaveLength(1);
      expect(Math.abs(timers[0].getTime() - next)).toBeLessThan(5_000);
    }
    for (const { caseId } of standard) {
      const [task] = await openTasksOf(caseId);
      const [old] = before.get(caseId)!;
      // Same reminders and ladder in v2: the alerts are exactly the ones the case had.
      expect({ stepId: task.stepId, reminders: task.reminders, escalations: task.escalations }).toEqual({ stepId: 'welcome', reminders: old.reminders, escalations: old.escalations });
      const view = json<TaskView & { step: { title: { it: string } } }>(await api.request('supervisor-livorno', { method: 'GET', url: `/tasks/${task.id}` }));
      expect(view.step.title.it).toBe('Benvenuto');
    }
    // The quick case's ladder changed: rebuilt from v2 against the same due date.
    const [quickTaskNow] = await openTasksOf(quick.caseId);
    expect(quickTaskNow.escalations).toEqual([expect.objectContaining({ level: 1, role: 'coordinator', at: before.get(quick.caseId)![0].escalations[0].at, firedAt: null })]);

    // The unmovable case stays on v1, untouched.
    const legacyNow = await caseOf(legacy.caseId);
    expect(legacyNow).toMatchObject({ pathwayVersion: 1, openStepIds: ['legacy'] });
    expect((await handleOf(legacy.caseId).query(caseSnapshotQuery)).pathwayVersion).toBe(1);

    // Continue-as-new carries the new version: the restless case has a new run that still interprets v2.
    // Each note adds a few history events; the run continues as new once it passes its budget.
    expect((await handleOf(restless).query(caseSnapshotQuery)).pathwayVersion).toBe(2);
    while ((await handleOf(restless).describe()).runId === firstRun) {
      const noted = await api.request('supervisor-livorno', { method: 'POST', url: `/cases/${restless}/notes`, payload: { text: 'Promemoria interno' } });
      expect(noted.statusCode).toBe(200);
    }
    const [restlessTask] = await openTasksOf(restless);
    expect(restlessTask.stepId).toBe('welcome');
    const completed = await api.request('outreach-operator-livorno', { method: 'POST', url: `/tasks/${restlessTask.id}/complete`, payload: { data: { note: 'ok' } } });
    expect(completed.statusCode).toBe(200);
    expect(await until(() => caseOf(restless), (detail) => detail.status !== 'active')).toMatchObject({ status: 'closed', outcome: 'autonomy', pathwayVersion: 2 });

    // The rebuilt timer fires with v2's ladder: the coordinator is alerted (about a minute after the case started).
    const escalated = await until(() => caseOf(quick.caseId), (detail) => detail.escalationLevel >= 1);
    expect(escalated.pathwayVersion).toBe(2);
    const timeline = json<Page<{ type: string; details: Record<string, unknown> }>>(await api.request('supervisor-livorno', { method: 'GET', url: `/cases/${quick.caseId}/timeline?limit=100` }));
    expect(timeline.items.find((event) => event.type === 'task_escalated')?.details).toMatchObject({ level: 1, role: 'coordinator' });
    const snapshot: CaseSnapshot = await handleOf(quick.caseId).query(caseSnapshotQuery);
    expect(snapshot.escalationLevel).toBe(1);
  });
});
