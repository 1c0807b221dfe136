/**
 * Pathway ownership: a pathway belongs to an area (its coordinators change it) or to the region
 * (shared by every area, such as the reference pathway: only admins change it).
 */
import { startApiHarness, json, type ApiHarness, expectProblem } from './harness';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness();
}, 120_000);

afterAll(async () => {
  await api?.close();
});

const REFERENCE = 'oss-integrated-pathway';

function definition(key: string) {
  return {
    key,
    title: { it: 'Percorso di zona' },
    start: 'intake',
    steps: {
      intake: { kind: 'task', title: { it: 'Accoglienza' }, assignee: { service: 'oss' }, next: 'done' },
      done: { kind: 'end', title: { it: 'Fine' }, outcome: 'completed' },
    },
  };
}

interface Summary {
  key: string;
  ownerArea: string | null;
}

const ownerOf = async (key: string) => json<{ items: Summary[] }>(await api.request('admin', { method: 'GET', url: '/pathways' })).items.find((p) => p.key === key)?.ownerArea;

describe('the reference pathway is regional', () => {
  it('is listed as regional, and no area coordinator may open a draft of it, edit, publish or retire it', async () => {
    expect(await ownerOf(REFERENCE)).toBeNull();
    for (const coordinator of ['coordinator-livorno', 'coordinator-lucca']) {
      expectProblem(await api.request(coordinator, { method: 'POST', url: '/pathways', payload: { ...definition(REFERENCE), title: { it: 'Mio' } } }), 403, 'forbidden');
      expectProblem(await api.request(coordinator, { method: 'POST', url: `/pathways/${REFERENCE}/versions/1/retire` }), 403, 'forbidden');
    }
  });

  it('lets an admin open a draft, and still no coordinator edit or publish it', async () => {
    const created = await api.request('admin', { method: 'POST', url: '/pathways', payload: { ...definition(REFERENCE) } });
    expect(created.statusCode).toBe(201);
    const edit = expectProblem(await api.request('coordinator-livorno', { method: 'PUT', url: `/pathways/${REFERENCE}/draft`, payload: definition(REFERENCE) }), 403, 'forbidden');
    expect(edit.detail).toContain('regional');
    expectProblem(await api.request('coordinator-livorno', { method: 'POST', url: `/pathways/${REFERENCE}/draft/publish` }), 403, 'forbidden');
    expect((await api.request('admin', { method: 'PUT', url: `/pathways/${REFERENCE}/draft`, payload: definition(REFERENCE) })).statusCode).toBe(200);
  });
});

describe('an area pathway', () => {
  it("belongs to its creator's area: its coordinators change it, other areas' coordinators get 403, admins may", async () => {
    const key = 'livorno-street-pathway';
    expect((await api.request('coordinator-livorno', { method: 'POST', url: '/pathways', payload: definition(key) })).statusCode).toBe(201);
    expect(await ownerOf(key)).toBe('livorno');

    expectProblem(await api.request('coordinator-lucca', { method: 'PUT', url: `/pathways/${key}/draft`, payload: definition(key) }), 403, 'forbidden');
    expectProblem(await api.request('coordinator-lucca', { method: 'POST', url: `/pathways/${key}/draft/publish` }), 403, 'forbidden');
    expect((await api.request('coordinator-livorno', { method: 'PUT', url: `/pathways/${key}/draft`, payload: definition(key) })).statusCode).toBe(200);
    expect((await api.request('coordinator-livorno', { method: 'POST', url: `/pathways/${key}/draft/publish` })).statusCode).toBe(201);

    expectProblem(await api.request('coordinator-lucca', { method: 'POST', url: `/pathways/${key}/versions/1/retire` }), 403, 'forbidden');
    expectProblem(await api.request('coordinator-lucca', { method: 'POST', url: '/pathways', payload: definition(key) }), 403, 'forbidden');
    expect((await api.request('admin', { method: 'POST', url: '/pathways', payload: definition(key) })).statusCode).toBe(201);
    expect((await api.request('coordinator-livorno', { method: 'POST', url: `/pathways/${key}/versions/1/retire` })).statusCode).toBe(200);
    // Ownership is set once: the admin's draft did not move the pathway to the region.
    expect(await ownerOf(key)).toBe('livorno');
  });

  it('is created for the area asked for: a coordinator may ask only for an own area, only admins for the region', async () => {
    expectProblem(await api.request('coordinator-livorno', { method: 'POST', url: '/pathways?owner=lucca', payload: definition('for-lucca') }), 403, 'forbidden');
    expectProblem(await api.request('coordinator-livorno', { method: 'POST', url: '/pathways?owner=region', payload: definition('for-region') }), 403, 'forbidden');
    expect((await api.request('admin', { method: 'POST', url: '/pathways?owner=lucca', payload: definition('for-lucca') })).statusCode).toBe(201);
    expect(await ownerOf('for-lucca')).toBe('lucca');
    expect((await api.request('admin', { method: 'POST', url: '/pathways', payload: definition('admin-shared') })).statusCode).toBe(201);
    expect(await ownerOf('admin-shared')).toBeNull();
    expect((await api.request('coordinator-lucca', { method: 'PUT', url: '/pathways/for-lucca/draft', payload: definition('for-lucca') })).statusCode).toBe(200);
  });

  it('answers 404 for a pathway nobody created, whoever asks', async () => {
    expectProblem(await api.request('coordinator-lucca', { method: 'PUT', url: '/pathways/never-created/draft', payload: definition('never-created') }), 404, 'not_found');
    expectProblem(await api.request('coordinator-lucca', { method: 'POST', url: '/pathways/never-created/draft/publish' }), 404, 'not_found');
    expectProblem(await api.request('coordinator-lucca', { method: 'POST', url: '/pathways/never-created/versions/1/retire' }), 404, 'not_found');
  });
});
