/**
 * The read model under the API: projection batches are applied idempotently and in any order
 * (the workflow's activity delivers at least once; the API applies the same batch right after an
 * update), and with Temporal unreachable the API still reads and records new cases, but answers
 * commands with 503, never 500.
 */
import type pg from 'pg';
import { applyCommand } from '../../domain/case-command-handlers';
import { batchSince, createCase } from '../../domain/case-engine';
import type { CaseWorkflowInput } from '../../domain/case-messages';
import type { Actor, ProjectionBatch } from '../../domain/case-state';
import { pilotAreaLocalHolidays } from '../../domain/calendar';
import { findVersion } from '../../infra/db/pathway-repository';
import { openJson, personKeysOf } from '../../infra/codec/personal-data';
import { applyProjection } from '../../infra/db/projection-repository';
import { startApiHarness, json, type ApiHarness } from './harness';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness({ temporalDown: true });
}, 120_000);

afterAll(async () => {
  await api?.close();
});

const outreach: Actor = { id: 'outreach-operator-livorno', kind: 'user', roles: ['operator'], areas: ['livorno'], services: ['outreach'] };

/** A case computed by the real engine: its start batch, then a claim and a completion as later batches. */
async function engineBatches(caseId: string): Promise<{ start: ProjectionBatch; claim: ProjectionBatch; complete: ProjectionBatch }> {
  const version = await findVersion(api.pool, 'oss-integrated-pathway', 1);
  const definition = version!.definition;
  const input: CaseWorkflowInput = {
    caseId,
    reference: `RT-LI-${caseId.slice(-6).toUpperCase()}`,
    areaId: 'livorno',
    startedAt: new Date().toISOString(),
    startedBy: { id: outreach.id, kind: 'user' },
    caseData: { targetGroup: 'homeless' },
    pathway: { key: 'oss-integrated-pathway', version: 1, definition },
    localHolidays: pilotAreaLocalHolidays.livorno,
  };
  // Batches share objects with the state (the workflow serialises them at once): copy each as taken.
  const created = createCase(input);
  const { state } = created;
  const start = structuredClone(created.batch);
  const taskId = state.tasks[0].id;
  let seq = state.seq;
  applyCommand(state, definition, { actor: outreach, command: { kind: 'claimTask', taskId } }, new Date());
  const claim = structuredClone(batchSince(state, seq));
  seq = state.seq;
  applyCommand(state, definition, { actor: outreach, command: { kind: 'completeTask', taskId, data: { urgent: false }, idempotencyKey: 'k' } }, new Date());
  const complete = structuredClone(batchSince(state, seq));
  return { start, claim, complete };
}

async function rows(pool: pg.Pool, caseId: string) {
  const [cases, tasks, events] = await Promise.all([
    pool.query('SELECT status, version, open_step_ids, data FROM cases WHERE case_id = $1', [caseId]),
    pool.query('SELECT task_id, step_id, status, assignee_id, version FROM tasks WHERE case_id = $1 ORDER BY task_id', [caseId]),
    pool.query('SELECT seq, type, actor_id FROM case_events WHERE case_id = $1 ORDER BY seq', [caseId]),
  ]);
  // The collected data is sealed with a fresh nonce per write: compare what it opens to.
  const keys = personKeysOf(pool);
  const opened = await Promise.all(cases.rows.map(async (row: { data: unknown }) => ({ ...row, data: await openJson(keys, row.data) })));
  return { cases: opened, tasks: tasks.rows, events: events.rows };
}

describe('projection', () => {
  it('ends in the same state whatever the order and number of deliveries', async () => {
    const inOrder = 'a0000000-0000-4000-8000-000000000001';
    const shuffled = 'a0000000-0000-4000-8000-000000000002';
    const first = await engineBatches(inOrder);
    for (const batch of [first.start, first.claim, first.complete]) await applyProjection(api.pool, batch);

    const second = await engineBatches(shuffled);
    // Newest first, repeated, and concurrently: older batches must not roll anything back.
    await applyProjection(api.pool, second.complete);
    await Promise.all([second.start, second.claim, second.start, second.complete, second.claim].map((batch) => applyProjection(api.pool, batch)));

    const expected = await rows(api.pool, inOrder);
    const actual = await rows(api.pool, shuffled);
    const withoutIds = (r: typeof expected) => ({
      cases: r.cases,
      tasks: r.tasks.map(({ task_id: _taskId, ...rest }: Record<string, unknown>) => rest),
      events: r.events,
    });
    expect(withoutIds(actual)).toEqual(withoutIds(expected));
    expect(expected.cases[0]).toMatchObject({ status: 'active', open_step_ids: ['intake'] });
    expect(expected.tasks.map((t: { step_id: string; status: string }) => [t.step_id, t.status])).toEqual([
      ['outreach', 'completed'],
      ['intake', 'open'],
    ]);
    expect(expected.events.map((e: { seq: number }) => e.seq)).toEqual(expected.events.map((_: unknown, i: number) => i + 1));
  });
});

describe('with Temporal unreachable', () => {
  it('still serves the read model and records first contacts, and answers commands and readiness with 503', async () => {
    const caseId = 'a0000000-0000-4000-8000-000000000003';
    const { start } = await engineBatches(caseId);
    await applyProjection(api.pool, start);
    const taskId = start.tasks[0].id;

    expect((await api.request('supervisor-livorno', { method: 'GET', url: `/cases/${caseId}` })).statusCode).toBe(200);
    const ready = await api.request(null, { method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(json(ready)).toEqual({ status: 'not_ready', checks: { database: 'ok', temporal: 'unavailable' } });

    const claim = await api.request('outreach-operator-livorno', { method: 'POST', url: `/tasks/${taskId}/claim` });
    expect(claim.statusCode).toBe(503);
    expect(json(claim)).toMatchObject({ type: 'service_unavailable', status: 503 });
    expect(claim.headers['retry-after']).toBeDefined();

    // A first contact is still recorded: the case and its first task are visible at once, and its
    // workflow waits in the outbox until Temporal answers again.
    const startRequest = {
      method: 'POST' as const,
      url: '/cases',
      headers: { 'idempotency-key': 'while-down' },
      payload: { pathwayKey: 'oss-integrated-pathway', areaId: 'livorno', data: { targetGroup: 'homeless' } },
    };
    const started = await api.request('oss-operator-livorno', startRequest);
    expect(started.statusCode).toBe(201);
    const startedCase = json<{ caseId: string; openStepIds: string[] }>(started);
    expect(startedCase.openStepIds).toEqual(['outreach']);
    const pending = await api.pool.query('SELECT workflow_started_at FROM case_start_requests WHERE case_id = $1', [startedCase.caseId]);
    expect(pending.rows).toEqual([{ workflow_started_at: null }]);
    // Repeating the start tries to finish it, and says honestly that it cannot yet.
    const repeated = await api.request('oss-operator-livorno', startRequest);
    expect(repeated.statusCode).toBe(503);
    expect(json(repeated)).toMatchObject({ type: 'service_unavailable' });
  }, 60_000);
});
