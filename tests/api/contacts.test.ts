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
