/**
 * Transfers between areas as requests, over the API with a real Temporal worker and PostgreSQL: the
 * sending area's manager asks; the case stays where it is until a manager of the receiving area
 * accepts (the case, its scope and its open tasks move) or refuses with a reason the sender reads;
 * an unanswered request can be withdrawn. Managers of other areas get "not found".
 */
import { expectProblem, json, startApiHarness, type ApiHarness } from './harness';
import type { CaseDetail, Page, TaskView } from '../support/api-types';

jest.setTimeout(60_000);

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

interface Transfer {
  transferId: string;
  caseId: string;
  reference: string;
  caseAreaId: string;
  fromAreaId: string;
  toAreaId: string;
  status: string;
  reason: string | null;
  requestedBy: string;
  answeredBy: string | null;
  answerReason: string | null;
}

let keys = 0;
async function startCase(): Promise<CaseDetail> {
  keys += 1;
  const response = await api.request('outreach-operator-livorno', {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': `transfer-start-${keys}` },
    payload: { pathwayKey: 'oss-integrated-pathway', areaId: 'livorno', data: { targetGroup: 'homeless' } },
  });
  expect(response.statusCode).toBe(201);
  return json<CaseDetail>(response);
}

const requestTransfer = (user: string, caseId: string, payload: unknown) => api.request(user, { method: 'POST', url: `/cases/${caseId}/transfer`, payload });
const caseTransfers = async (user: string, caseId: string) => json<{ items: Transfer[] }>(await api.request(user, { method: 'GET', url: `/cases/${caseId}/transfers` })).items;
const incoming = async (user: string) => json<{ items: Transfer[] }>(await api.request(user, { method: 'GET', url: '/transfers' })).items;
const answer = (user: string, caseId: string, transferId: string, verb: 'accept' | 'refuse' | 'withdraw', payload?: unknown, key?: string) =>
  api.request(user, { method: 'POST', url: `/cases/${caseId}/transfers/${transferId}/${verb}`, payload, ...(key ? { headers: { 'idempotency-key': key } } : {}) });

describe('a transfer is a request the receiving area answers', () => {
  it('keeps the case where it is until a manager of the receiving area accepts; then the case, its scope and its tasks move', async () => {
    const started = await startCase();
    const taskId = started.openTasks[0].taskId;
    expectProblem(await requestTransfer('supervisor-livorno', started.caseId, { areaId: 'atlantis', reason: 'Trasferimento' }), 422, 'invalid_data');
    const same = expectProblem(await requestTransfer('supervisor-livorno', started.caseId, { areaId: 'livorno', reason: 'Trasferimento' }), 422, 'invalid_data');
    expect(same.issues).toEqual([expect.objectContaining({ path: ['areaId'], location: 'body' })]);
    expectProblem(await requestTransfer('outreach-operator-livorno', started.caseId, { areaId: 'grosseto', reason: 'Cambio di domicilio' }), 403, 'forbidden');

    const asked = await requestTransfer('supervisor-livorno', started.caseId, { areaId: 'grosseto', reason: 'Cambio di domicilio' });
    expect(asked.statusCode).toBe(200);
    expect(json<CaseDetail>(asked).areaId).toBe('livorno');
    // Still in Livorno: its operators still see the case and its task; Grosseto's do not.
    expect((await api.request('outreach-operator-livorno', { method: 'GET', url: `/tasks/${taskId}` })).statusCode).toBe(200);
    expectProblem(await api.request('supervisor-grosseto', { method: 'GET', url: `/cases/${started.caseId}` }), 404, 'not_found');
    const [pending] = await caseTransfers('supervisor-livorno', started.caseId);
    expect(pending).toMatchObject({ status: 'pending', fromAreaId: 'livorno', toAreaId: 'grosseto', caseAreaId: 'livorno', reason: 'Cambio di domicilio', requestedBy: 'supervisor-livorno' });
    expectProblem(await requestTransfer('supervisor-livorno', started.caseId, { areaId: 'pistoia', reason: 'Ripensamento' }), 409, 'conflict');

    // The receiving area's managers find it waiting for them; other areas' managers do not, and cannot answer it.
    expect((await incoming('supervisor-grosseto')).find((t) => t.caseId === started.caseId)).toMatchObject({ transferId: pending.transferId, reference: started.reference, reason: 'Cambio di domicilio' });
    expect((await incoming('supervisor-pistoia')).some((t) => t.caseId === started.caseId)).toBe(false);
    expectProblem(await api.request('oss-operator-grosseto', { method: 'GET', url: '/transfers' }), 403, 'forbidden');
    expectProblem(await answer('supervisor-pistoia', started.caseId, pending.transferId, 'accept'), 404, 'not_found');
    expectProblem(await answer('supervisor-livorno', started.caseId, pending.transferId, 'accept'), 403, 'forbidden');
    expectProblem(await answer('supervisor-grosseto', started.caseId, 'transfer-999', 'accept'), 404, 'not_found');

    const accepted = await answer('supervisor-grosseto', started.caseId, pending.transferId, 'accept', undefined, 'accept-once');
    expect(accepted.statusCode).toBe(200);
    expect(json<Transfer>(accepted)).toMatchObject({ status: 'accepted', caseAreaId: 'grosseto', answeredBy: 'supervisor-grosseto' });
    // The same key is the same answer; another answer is a conflict.
    const repeated = await answer('supervisor-grosseto', started.caseId, pending.transferId, 'accept', undefined, 'accept-once');
    expect(repeated.statusCode).toBe(200);
    expect(json<Transfer>(repeated).status).toBe('accepted');
    expectProblem(await answer('supervisor-grosseto', started.caseId, pending.transferId, 'refuse', { reason: 'Troppo tardi' }), 409, 'conflict');

    expectProblem(await api.request('outreach-operator-livorno', { method: 'GET', url: `/cases/${started.caseId}` }), 404, 'not_found');
    expectProblem(await api.request('outreach-operator-livorno', { method: 'GET', url: `/tasks/${taskId}` }), 404, 'not_found');
    const there = json<CaseDetail>(await api.request('supervisor-grosseto', { method: 'GET', url: `/cases/${started.caseId}` }));
    expect(there.areaId).toBe('grosseto');
    expect(there.openTasks.map((t) => [t.taskId, t.areaId, t.assigneeId])).toEqual([[taskId, 'grosseto', null]]);
    const inbox = json<Page<TaskView>>(await api.request('outreach-operator-grosseto', { method: 'GET', url: '/tasks?limit=100' }));
    expect(inbox.items.map((t) => t.taskId)).toContain(taskId);
    expect((await incoming('supervisor-grosseto')).some((t) => t.caseId === started.caseId)).toBe(false);
    const timeline = json<Page<{ type: string; actor: { id: string }; details: Record<string, unknown> }>>(
      await api.request('supervisor-grosseto', { method: 'GET', url: `/cases/${started.caseId}/timeline?limit=100` }),
    );
    expect(timeline.items.filter((e) => e.type.startsWith('transfer_') || e.type === 'case_transferred').map((e) => [e.type, e.actor.id])).toEqual([
      ['transfer_requested', 'supervisor-livorno'],
      ['case_transferred', 'supervisor-grosseto'],
    ]);
  });

  it('refused, the case stays and the sender reads why; a bad answer is refused with its field; a new request may follow', async () => {
    const started = await startCase();
    expect((await requestTransfer('supervisor-livorno', started.caseId, { areaId: 'pistoia', reason: 'Residenza a Pistoia' })).statusCode).toBe(200);
    const [pending] = await caseTransfers('supervisor-livorno', started.caseId);

    const tooShort = expectProblem(await answer('supervisor-pistoia', started.caseId, pending.transferId, 'refuse', { reason: 'no' }), 400, 'validation_error');
    expect(tooShort.issues?.map((issue) => issue.path.join('.'))).toEqual(['reason']);
    expect((await caseTransfers('supervisor-livorno', started.caseId))[0].status).toBe('pending');

    const refused = await answer('supervisor-pistoia', started.caseId, pending.transferId, 'refuse', { reason: 'La persona non risiede qui' });
    expect(refused.statusCode).toBe(200);
    expect(json<Transfer>(refused)).toMatchObject({ status: 'refused', caseAreaId: 'livorno', answerReason: 'La persona non risiede qui' });
    // The refusing manager does not gain the case.
    expectProblem(await api.request('supervisor-pistoia', { method: 'GET', url: `/cases/${started.caseId}` }), 404, 'not_found');
    const seen = await caseTransfers('outreach-operator-livorno', started.caseId);
    expect(seen[0]).toMatchObject({ status: 'refused', answeredBy: 'supervisor-pistoia', answerReason: 'La persona non risiede qui' });
    const stillHere = json<CaseDetail>(await api.request('outreach-operator-livorno', { method: 'GET', url: `/cases/${started.caseId}` }));
    expect(stillHere.areaId).toBe('livorno');
    expect(stillHere.openTasks[0].areaId).toBe('livorno');

    expect((await requestTransfer('supervisor-livorno', started.caseId, { areaId: 'lucca', reason: 'Residenza a Lucca' })).statusCode).toBe(200);
    const transfers = await caseTransfers('supervisor-livorno', started.caseId);
    expect(transfers.map((t) => [t.toAreaId, t.status])).toEqual([
      ['lucca', 'pending'],
      ['pistoia', 'refused'],
    ]);
  });

  it('lets the sending area withdraw an unanswered request, and no one else', async () => {
    const started = await startCase();
    expect((await requestTransfer('supervisor-livorno', started.caseId, { areaId: 'lucca', reason: 'Residenza a Lucca' })).statusCode).toBe(200);
    const [pending] = await caseTransfers('supervisor-livorno', started.caseId);
    expectProblem(await answer('supervisor-lucca', started.caseId, pending.transferId, 'withdraw', {}), 403, 'forbidden');
    const withdrawn = await answer('supervisor-livorno', started.caseId, pending.transferId, 'withdraw', { reason: 'La persona resta a Livorno' });
    expect(withdrawn.statusCode).toBe(200);
    expect(json<Transfer>(withdrawn)).toMatchObject({ status: 'withdrawn', answerReason: 'La persona resta a Livorno' });
    expect((await incoming('supervisor-lucca')).some((t) => t.caseId === started.caseId)).toBe(false);
    expectProblem(await answer('supervisor-lucca', started.caseId, pending.transferId, 'accept'), 409, 'conflict');
  });
});
