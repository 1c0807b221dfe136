/**
 * Simultaneous commands on one case, with a real Temporal worker and PostgreSQL: many completions of
 * one task with different keys give exactly one 200 and a 409 for every other (several rounds: the
 * race is timing-dependent), and a mixed burst of every kind of command on one case answers only 2xx
 * or 4xx, never a 5xx, with the read model agreeing with the workflow afterwards.
 */
import { caseSnapshotQuery, caseWorkflowId } from '../../domain/case-messages';
import type { CaseDetail } from '../support/api-types';
import { referenceJourneyToJointPlan } from '../support/reference-journey';
import { json, startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(180_000);

let api: ApiHarness;
let keys = 0;

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

const AREA = 'pistoia';
const outreach = `outreach-operator-${AREA}`;
const supervisor = `supervisor-${AREA}`;
const post = (user: string, url: string, payload?: unknown, key?: string) =>
  api.request(user, { method: 'POST', url, payload, headers: key === undefined ? undefined : { 'idempotency-key': key } });

async function newCase(): Promise<CaseDetail> {
  keys += 1;
  const response = await post(outreach, '/cases', { pathwayKey: 'oss-integrated-pathway', areaId: AREA, data: { targetGroup: 'homeless' } }, `concurrency-${keys}-${Date.now()}`);
  expect(response.statusCode).toBe(201);
  return json<CaseDetail>(response);
}

describe('simultaneous commands on one case', () => {
  it('answers twenty concurrent completions of one task with one 200 and nineteen 409, round after round', async () => {
    const [outreachStep] = referenceJourneyToJointPlan();
    const rounds: string[] = [];
    for (let round = 0; round < 6; round += 1) {
      const started = await newCase();
      const [task] = started.openTasks;
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => post(outreach, `/tasks/${task.taskId}/complete`, { data: outreachStep.data }, `race-${round}-${i}-${Date.now()}`)),
      );
      const statuses = answers.map((answer) => answer.statusCode).sort((a, b) => a - b);
      rounds.push(statuses.join(','));
      expect(statuses).toEqual([200, ...Array<number>(19).fill(409)]);
      // One completion in the timeline, and the next step's task created once.
      const timeline = json<{ items: Array<{ type: string; taskId: string | null }> }>(await api.request(supervisor, { method: 'GET', url: `/cases/${started.caseId}/timeline?limit=100` }));
      expect(timeline.items.filter((event) => event.type === 'task_completed')).toHaveLength(1);
    }
    console.log(`concurrency: 6 rounds of 20 completions of one task: ${rounds.map((r) => (r === ['200', ...Array(19).fill('409')].join(',') ? '1×200+19×409' : r)).join('; ')}`);
  });

  it('answers a mixed burst on one case with 2xx and 4xx only, and the read model then agrees with the workflow', async () => {
    const started = await newCase();
    const [task] = started.openTasks;
    const url = `/tasks/${task.taskId}`;
    const burst = [
      ...Array.from({ length: 4 }, () => post(outreach, `${url}/claim`)),
      ...Array.from({ length: 3 }, () => post(outreach, `${url}/release`)),
      ...Array.from({ length: 3 }, (_, i) => post(supervisor, `${url}/extend`, { by: { amount: i + 1, unit: 'calendarDays' }, reason: 'documenti in arrivo' })),
      ...Array.from({ length: 3 }, () => post(supervisor, `${url}/reassign`, { assigneeId: outreach, reason: 'copertura' })),
      ...Array.from({ length: 4 }, (_, i) => post(outreach, `/cases/${started.caseId}/contacts`, { outcome: 'failed_attempt', channel: 'phone', at: new Date().toISOString(), note: `tentativo ${i}` })),
      ...Array.from({ length: 3 }, () => post(supervisor, `/cases/${started.caseId}/notes`, { text: 'nota' })),
      post(supervisor, `/cases/${started.caseId}/suspend`, { reason: 'irreperibile' }),
      post(supervisor, `/cases/${started.caseId}/resume`, {}),
    ];
    const statuses = (await Promise.all(burst)).map((answer) => answer.statusCode);
    console.log(`concurrency: mixed burst of ${statuses.length} commands on one case: ${statuses.sort().join(',')}`);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(statuses.filter((status) => status < 300).length).toBeGreaterThan(0);

    const snapshot = await api.temporal.workflow.getHandle(caseWorkflowId(started.caseId)).query(caseSnapshotQuery);
    const { rows } = await api.pool.query<{ version: number; events: number }>(
      'SELECT c.version, (SELECT count(*)::int FROM case_events e WHERE e.case_id = c.case_id) AS events FROM cases c WHERE c.case_id = $1',
      [started.caseId],
    );
    expect(rows[0]).toEqual({ version: snapshot.version, events: snapshot.version });
  });
});
