/**
 * Contacts with the person over the API with a real Temporal worker and PostgreSQL: operators
 * record contacts and failed attempts; the timeline shows each, and only a successful contact
 * moves the case's last contact (the read-model column the "no contact for N days" rule reads).
 */
import type { CaseDetail, Page } from '../support/api-types';
import { expectProblem, json, startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(60_000);

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

const AREA = 'livorno';
const outreach = `outreach-operator-${AREA}`;
let keys = 0;

async function startCase(): Promise<CaseDetail> {
  keys += 1;
  const response = await api.request(outreach, {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': `contacts-test-${keys}` },
    payload: { pathwayKey: 'oss-integrated-pathway', areaId: AREA, data: { targetGroup: 'homeless' } },
  });
  expect(response.statusCode).toBe(201);
  return json<CaseDetail>(response);
}

const contact = (user: string, caseId: string, payload: unknown) => api.request(user, { method: 'POST', url: `/cases/${caseId}/contacts`, payload });
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

async function lastContactColumn(caseId: string): Promise<string | null> {
  const { rows } = await api.pool.query<{ last_contact_at: Date | null }>('SELECT last_contact_at FROM cases WHERE case_id = $1', [caseId]);
  return rows[0].last_contact_at?.toISOString() ?? null;
}

describe('contacts with the person', () => {
  it('records a failed attempt and a contact on the timeline; only the contact sets lastContactAt', async () => {
    const { caseId, lastContactAt } = await startCase();
    expect(lastContactAt).toBeNull();

    const failed = await contact(outreach, caseId, { outcome: 'failed_attempt', channel: 'phone', at: minutesAgo(30) });
    expect(failed.statusCode).toBe(200);
    expect(json<CaseDetail>(failed).lastContactAt).toBeNull();
    expect(await lastContactColumn(caseId)).toBeNull();

    const reachedAt = minutesAgo(10);
    const reached = await contact(`oss-operator-${AREA}`, caseId, { outcome: 'reached', channel: 'visit', at: reachedAt, note: 'Incontrato al dormitorio' });
    expect(reached.statusCode).toBe(200);
    expect(json<CaseDetail>(reached).lastContactAt).toBe(reachedAt);
    expect(await lastContactColumn(caseId)).toBe(reachedAt);
    // An older contact recorded afterwards does not move the last contact back.
    await contact(outreach, caseId, { outcome: 'reached', channel: 'phone', at: minutesAgo(60) });
    expect(await lastContactColumn(caseId)).toBe(reachedAt);

    const list = json<Page<CaseDetail>>(await api.request(`supervisor-${AREA}`, { method: 'GET', url: '/cases?pathwayKey=oss-integrated-pathway&limit=100' }));
    expect(list.items.find((c) => c.caseId === caseId)?.lastContactAt).toBe(reachedAt);

    const timeline = json<Page<{ type: string; actor: { id: string }; details: Record<string, unknown> }>>(
      await api.request(`supervisor-${AREA}`, { method: 'GET', url: `/cases/${caseId}/timeline?limit=100` }),
    );
    const contacts = timeline.items.filter((e) => e.type === 'contact_recorded');
    expect(contacts.map((e) => [e.actor.id, e.details.outcome, e.details.channel])).toEqual([
      [outreach, 'failed_attempt', 'phone'],
      [`oss-operator-${AREA}`, 'reached', 'visit'],
      [outreach, 'reached', 'phone'],
    ]);
    expect(contacts[1].details).toMatchObject({ at: reachedAt, note: 'Incontrato al dormitorio' });
  });

  it('refuses a contact in the future, unknown codes and a missing time, each with its path', async () => {
    const { caseId } = await startCase();
    const future = expectProblem(await contact(outreach, caseId, { outcome: 'reached', channel: 'phone', at: new Date(Date.now() + 3_600_000).toISOString() }), 422, 'invalid_data');
    expect(future.issues).toEqual([expect.objectContaining({ path: ['at'], location: 'body' })]);
    const malformed = expectProblem(await contact(outreach, caseId, { outcome: 'maybe', channel: 'pigeon' }), 400, 'validation_error');
    expect(malformed.issues?.map((issue) => issue.path.join('.')).sort()).toEqual(['at', 'channel', 'outcome']);
    // Nothing was recorded by the refused requests.
    const timeline = json<Page<{ type: string }>>(await api.request(outreach, { method: 'GET', url: `/cases/${caseId}/timeline?limit=100` }));
    expect(timeline.items.some((e) => e.type === 'contact_recorded')).toBe(false);
  });

  it('lets only operators and supervisors of the area record contacts, and not on a closed case', async () => {
    const { caseId } = await startCase();
    const body = { outcome: 'reached', channel: 'office', at: minutesAgo(5) };
    expectProblem(await contact(`auditor-${AREA}`, caseId, body), 403, 'forbidden');
    expectProblem(await contact('outreach-operator-grosseto', caseId, body), 404, 'not_found');
    expect((await contact(`supervisor-${AREA}`, caseId, body)).statusCode).toBe(200);
    const cancelled = await api.request(`supervisor-${AREA}`, { method: 'POST', url: `/cases/${caseId}/cancel`, payload: { reason: 'Trasferito fuori regione' } });
    expect(cancelled.statusCode).toBe(200);
    expectProblem(await contact(outreach, caseId, body), 409, 'case_not_active');
  });
});

describe('failed contacts in a row pause the internal clocks', () => {
  interface Clocks {
    internalClocksPaused: boolean;
    pausedSince: string | null;
    pauseAfterFailedAttempts: number | null;
  }
  type TimelineEvent = { type: string; actor: { id: string }; details: Record<string, unknown> };
  const clocks = async (caseId: string) => json<Clocks>(await api.request(outreach, { method: 'GET', url: `/cases/${caseId}/clocks` }));
  const timeline = async (caseId: string) =>
    json<Page<TimelineEvent>>(await api.request(`supervisor-${AREA}`, { method: 'GET', url: `/cases/${caseId}/timeline?limit=100` })).items;
  const dueAtOf = async (caseId: string) => json<CaseDetail>(await api.request(outreach, { method: 'GET', url: `/cases/${caseId}` })).openTasks[0].dueAt;
  const failed = { outcome: 'failed_attempt', channel: 'phone' };

  it('pauses after the rule’s N failed attempts (3 by default) and resumes on a contact, the deadline moved by the pause', async () => {
    const { caseId } = await startCase();
    const dueBefore = await dueAtOf(caseId);
    expect(dueBefore).not.toBeNull();
    expect(await clocks(caseId)).toEqual({ internalClocksPaused: false, pausedSince: null, pauseAfterFailedAttempts: 3 });
    for (const minutes of [30, 20]) expect((await contact(outreach, caseId, { ...failed, at: minutesAgo(minutes) })).statusCode).toBe(200);
    expect((await clocks(caseId)).internalClocksPaused).toBe(false);
    expect((await contact(outreach, caseId, { ...failed, at: minutesAgo(10) })).statusCode).toBe(200);
    const paused = await clocks(caseId);
    expect(paused).toMatchObject({ internalClocksPaused: true, pauseAfterFailedAttempts: 3 });
    expect(paused.pausedSince).not.toBeNull();
    expect(await dueAtOf(caseId)).toBe(dueBefore);

    expect((await contact(outreach, caseId, { outcome: 'reached', channel: 'visit', at: minutesAgo(1) })).statusCode).toBe(200);
    expect(await clocks(caseId)).toMatchObject({ internalClocksPaused: false, pausedSince: null });
    const events = await timeline(caseId);
    expect(events.filter((e) => e.type === 'clocks_paused').map((e) => e.details)).toEqual([{ failedAttempts: 3, threshold: 3 }]);
    const resumed = events.filter((e) => e.type === 'clocks_resumed');
    expect(resumed).toHaveLength(1);
    const pausedMs = resumed[0].details.pausedMs as number;
    expect(pausedMs).toBeGreaterThan(0);
    expect(Date.parse((await dueAtOf(caseId))!) - Date.parse(dueBefore!)).toBe(pausedMs);
  });

  it('follows the area’s own rule, and a disabled rule pauses nothing', async () => {
    const rules = (body: unknown) => api.request(`coordinator-${AREA}`, { method: 'PUT', url: '/supervision/stall-rules', payload: body });
    expect((await rules({ rules: [{ pathwayKey: null, areaId: AREA, kind: 'contact_failures', threshold: 1, enabled: true }] })).statusCode).toBe(200);
    const once = await startCase();
    expect((await contact(outreach, once.caseId, { ...failed, at: minutesAgo(5) })).statusCode).toBe(200);
    expect(await clocks(once.caseId)).toMatchObject({ internalClocksPaused: true, pauseAfterFailedAttempts: 1 });

    expect((await rules({ rules: [{ pathwayKey: null, areaId: AREA, kind: 'contact_failures', threshold: 1, enabled: false }] })).statusCode).toBe(200);
    const off = await startCase();
    for (const minutes of [5, 4, 3, 2]) expect((await contact(outreach, off.caseId, { ...failed, at: minutesAgo(minutes) })).statusCode).toBe(200);
    expect(await clocks(off.caseId)).toEqual({ internalClocksPaused: false, pausedSince: null, pauseAfterFailedAttempts: null });
    expect((await timeline(off.caseId)).some((e) => e.type === 'clocks_paused')).toBe(false);
    const tooMany = expectProblem(await rules({ rules: [{ pathwayKey: null, areaId: AREA, kind: 'contact_failures', threshold: 101, enabled: true }] }), 400, 'validation_error');
    expect(tooMany.issues?.[0].path.join('.')).toMatch(/^rules\.0\.threshold$/);
  });
});
