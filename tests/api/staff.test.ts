/**
 * The staff directory (GET /staff): colleagues of the caller's areas only, people only, with the
 * filters a reassignment picker needs.
 */
import { expectProblem, json, startApiHarness, type ApiHarness } from './harness';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness();
});

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

  it('is closed to auditors and refuses unknown roles with the field at fault', async () => {
    expectProblem(await api.request('auditor-grosseto', { method: 'GET', url: '/staff' }), 403, 'forbidden');
    const bad = expectProblem(await api.request('supervisor-grosseto', { method: 'GET', url: '/staff?role=boss' }), 400, 'validation_error');
    expect(bad.issues?.map((issue) => issue.path.join('.'))).toEqual(['role']);
  });
});
