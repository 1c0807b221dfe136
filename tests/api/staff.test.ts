/**
 * The staff directory (GET /staff): colleagues of the caller's areas only, people only, with the
 * filters a reassignment picker needs, including "who could be given this task".
 */
import { expectProblem, json, startApiHarness, type ApiHarness } from './harness';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness({ worker: true });
  // A worker, so a started case raises its first task.
}, 180_000);

afterAll(async () => {
  await api?.close();
});

type StaffList = { items: Array<{ id: string; name: string; roles: string[]; areas: string[]; services: string[] }> };
const staff = async (userId: string, query = '') => json<StaffList>(await api.request(userId, { method: 'GET', url: `/staff${query}` })).items;

describe('GET /staff', () => {
  it("lists the people of the caller's areas, and never a service account", async () => {
    const items = await staff('supervisor-grosseto');
    const ids = items.map((item) => item.id);
    expect(ids).toEqual(expect.arrayContaining(['oss-operator-grosseto', 'social-worker-grosseto', 'cpi-counsellor-grosseto', 'coordinator-grosseto', 'admin']));
    expect(ids.some((id) => id.endsWith('-livorno'))).toBe(false);
    expect(ids).not.toContain('demo-shelter-integration');
    expect(items.every((item) => item.areas.includes('grosseto'))).toBe(true);
  });

  it('filters by service and role, and answers nothing for an area the caller does not work in', async () => {
    const social = await staff('supervisor-grosseto', '?service=social&role=operator');
    expect(social.map((item) => item.id)).toEqual(['social-worker-grosseto']);
    expect(await staff('oss-operator-grosseto', '?areaId=livorno')).toEqual([]);
    const livorno = await staff('admin', '?areaId=livorno&role=supervisor');
    expect(livorno.map((item) => item.id)).toEqual(['supervisor-livorno']);
  });

  it('offers for a task only the people the reassign command would accept, and hides tasks outside the scope', async () => {
    const started = await api.request('outreach-operator-grosseto', {
      method: 'POST',
      url: '/cases',
      payload: { pathwayKey: 'oss-integrated-pathway', areaId: 'grosseto', data: { targetGroup: 'homeless' } },
      headers: { 'idempotency-key': 'staff-test-task' },
    });
    expect(started.statusCode).toBe(201);
    const { openTasks } = json<{ openTasks: Array<{ taskId: string; service: string }> }>(started);
    expect(openTasks.map((task) => task.service)).toEqual(['outreach']);
    const taskId = openTasks[0].taskId;
    const eligible = (await staff('supervisor-grosseto', `?taskId=${taskId}`)).map((item) => item.id).sort();
    // The outreach operator works it; the area's supervisor and the admin may take any task of the area; nobody else.
    expect(eligible).toEqual(['admin', 'outreach-operator-grosseto', 'supervisor-grosseto']);
    for (const id of eligible) {
      const answer = await api.request('supervisor-grosseto', { method: 'POST', url: `/tasks/${taskId}/reassign`, payload: { assigneeId: id, reason: 'prova' } });
      expect(answer.statusCode).toBe(200);
    }
    for (const id of ['coordinator-grosseto', 'auditor-grosseto', 'social-worker-grosseto']) {
      const refused = expectProblem(await api.request('supervisor-grosseto', { method: 'POST', url: `/tasks/${taskId}/reassign`, payload: { assigneeId: id, reason: 'prova' } }), 422, 'invalid_data');
      expect(refused.issues?.map((issue) => issue.path.join('.'))).toEqual(['assigneeId']);
    }
    expectProblem(await api.request('supervisor-livorno', { method: 'GET', url: `/staff?taskId=${taskId}` }), 404, 'not_found');
    expectProblem(await api.request('supervisor-grosseto', { method: 'GET', url: '/staff?taskId=no-such-task' }), 404, 'not_found');
  });

  it('is closed to auditors and refuses unknown roles with the field at fault', async () => {
    expectProblem(await api.request('auditor-grosseto', { method: 'GET', url: '/staff' }), 403, 'forbidden');
    const bad = expectProblem(await api.request('supervisor-grosseto', { method: 'GET', url: '/staff?role=boss' }), 400, 'validation_error');
    expect(bad.issues?.map((issue) => issue.path.join('.'))).toEqual(['role']);
  });
});
