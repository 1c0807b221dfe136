/**
 * Pathway lifecycle over the API: draft (JSON or YAML) → validate → publish → published versions
 * are immutable → retire; only coordinators and admins write; every problem carries its path.
 */
import YAML from 'yaml';
import { startApiHarness, json, type ApiHarness, expectProblem } from './harness';
import type { Problem } from '../support/api-types';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness();
}, 120_000);

afterAll(async () => {
  await api?.close();
});

const coordinator = 'coordinator-livorno';

/** A small valid definition: intake at the front desk, then the end. */
function definition(key: string, overrides: Record<string, unknown> = {}) {
  return {
    key,
    title: { it: 'Percorso di prova', en: 'Test pathway' },
    caseFields: [{ key: 'channel', type: 'select', label: { it: 'Canale' }, options: [{ value: 'desk', label: { it: 'Sportello' } }] }],
    start: 'intake',
    steps: {
      intake: {
        kind: 'task',
        title: { it: 'Accoglienza' },
        assignee: { service: 'oss' },
        deadline: { amount: 2, unit: 'workingDays' },
        form: { fields: [{ key: 'alias', type: 'text', required: true, label: { it: 'Alias' } }] },
        next: 'done',
      },
      done: { kind: 'end', title: { it: 'Fine' }, outcome: 'completed' },
    },
    ...overrides,
  };
}

describe('pathway lifecycle', () => {
  it('takes a draft through validation and publishing, then refuses to edit the published version, then retires it', async () => {
    const key = 'lifecycle-test';
    // A draft with a dangling `next` is well-formed: it saves, but cannot be published.
    const broken = definition(key);
    (broken.steps.intake as Record<string, unknown>).next = 'nowhere';
    const created = await api.request(coordinator, { method: 'POST', url: '/pathways', payload: broken });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe(`/pathways/${key}/draft`);
    expect(json(created)).toMatchObject({ key, createdBy: coordinator, document: { key, start: 'intake' } });

    const invalid = json<{ valid: boolean; issues: Problem['issues'] }>(
      await api.request(coordinator, { method: 'POST', url: `/pathways/${key}/draft/validate` }),
    );
    expect(invalid.valid).toBe(false);
    expect(invalid.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: ['steps', 'intake', 'next'], code: 'unknown_step' })]));

    const refused = expectProblem(await api.request(coordinator, { method: 'POST', url: `/pathways/${key}/draft/publish` }), 422, 'invalid_pathway');
    expect(refused.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: ['steps', 'intake', 'next'], code: 'unknown_step' })]));

    // Fixed in YAML, as a coordinator might write it.
    const fixed = await api.request(coordinator, {
      method: 'PUT',
      url: `/pathways/${key}/draft`,
      headers: { 'content-type': 'application/yaml' },
      payload: YAML.stringify(definition(key)),
    });
    expect(fixed.statusCode).toBe(200);
    expect(json(await api.request(coordinator, { method: 'POST', url: `/pathways/${key}/draft/validate` }))).toEqual({ valid: true, issues: [] });

    const published = await api.request(coordinator, { method: 'POST', url: `/pathways/${key}/draft/publish` });
    expect(published.statusCode).toBe(201);
    expect(published.headers.location).toBe(`/pathways/${key}/versions/1`);
    const version = json<{ version: number; status: string; definition: { steps: Record<string, { reminders?: unknown[] }> } }>(published);
    expect(version).toMatchObject({ version: 1, status: 'published', publishedBy: coordinator });
    // The published definition is the parsed one: defaults are filled in.
    expect(version.definition.steps.intake.reminders).toEqual([]);

    // The draft is gone and the published version cannot be edited.
    expectProblem(await api.request(coordinator, { method: 'GET', url: `/pathways/${key}/draft` }), 404, 'not_found');
    const immutable = expectProblem(await api.request(coordinator, { method: 'PUT', url: `/pathways/${key}/draft`, payload: definition(key) }), 409, 'conflict');
    expect(JSON.stringify(immutable)).toMatch(/immutable/);
    expect(json(await api.request('oss-operator-livorno', { method: 'GET', url: `/pathways/${key}/versions/1` }))).toMatchObject({ key, version: 1 });

    // A new draft of the same key publishes as version 2; version 1 stays as it was.
    expect((await api.request(coordinator, { method: 'POST', url: '/pathways', payload: definition(key, { title: { it: 'Seconda versione' } }) })).statusCode).toBe(201);
    expectProblem(await api.request(coordinator, { method: 'POST', url: '/pathways', payload: definition(key) }), 409, 'conflict');
    expect(json(await api.request(coordinator, { method: 'POST', url: `/pathways/${key}/draft/publish` }))).toMatchObject({ version: 2 });
    const versions = json<{ items: Array<{ version: number; title: { it: string } }> }>(await api.request(coordinator, { method: 'GET', url: `/pathways/${key}/versions` }));
    expect(versions.items.map((v) => [v.version, v.title.it])).toEqual([
      [2, 'Seconda versione'],
      [1, 'Percorso di prova'],
    ]);

    // Retire version 1 (idempotently): no new cases on it, version 2 is current.
    const retired = await api.request(coordinator, { method: 'POST', url: `/pathways/${key}/versions/1/retire` });
    expect(json(retired)).toMatchObject({ version: 1, status: 'retired', retiredBy: coordinator });
    expect(json(await api.request('admin', { method: 'POST', url: `/pathways/${key}/versions/1/retire` }))).toMatchObject({ status: 'retired', retiredBy: coordinator });
    expectProblem(
      await api.request('oss-operator-livorno', {
        method: 'POST',
        url: '/cases',
        headers: { 'idempotency-key': 'on-retired' },
        payload: { pathwayKey: key, version: 1, areaId: 'livorno', data: { channel: 'desk' } },
      }),
      409,
      'pathway_retired',
    );
    const list = json<{ items: Array<{ key: string; latestVersion: number; currentVersion: number; hasDraft: boolean }> }>(
      await api.request('oss-operator-livorno', { method: 'GET', url: '/pathways' }),
    );
    expect(list.items.find((p) => p.key === key)).toMatchObject({ latestVersion: 2, currentVersion: 2, hasDraft: false });
    expect(list.items.find((p) => p.key === 'oss-integrated-pathway')).toMatchObject({ latestVersion: 1, latestStatus: 'published' });

    // With every version retired, a case without an explicit version has nowhere to start.
    await api.request(coordinator, { method: 'POST', url: `/pathways/${key}/versions/2/retire` });
    expectProblem(
      await api.request('oss-operator-livorno', {
        method: 'POST',
        url: '/cases',
        headers: { 'idempotency-key': 'all-retired' },
        payload: { pathwayKey: key, areaId: 'livorno', data: { channel: 'desk' } },
      }),
      409,
      'pathway_retired',
    );
  });

  it('gives the path of every schema problem of a document', async () => {
    const document = definition('shape-test', { colour: 'blue' }) as Record<string, unknown> & { steps: Record<string, Record<string, unknown>> };
    document.steps.intake.assignee = { service: 'OSS!' };
    document.steps.intake.deadline = { amount: 2, unit: 'fortnights' };
    const body = expectProblem(await api.request(coordinator, { method: 'POST', url: '/pathways', payload: document }), 422, 'invalid_pathway');
    expect(body.issues?.map((issue) => issue.path)).toEqual(
      expect.arrayContaining([['colour'], ['steps', 'intake', 'assignee', 'service'], ['steps', 'intake', 'deadline', 'unit']]),
    );
  });

  it('checks services and keys at publish time', async () => {
    const key = 'service-test';
    const unknownService = definition(key);
    (unknownService.steps.intake as Record<string, unknown>).assignee = { service: 'housing' };
    expect((await api.request(coordinator, { method: 'POST', url: '/pathways', payload: unknownService })).statusCode).toBe(201);
    const refused = expectProblem(await api.request(coordinator, { method: 'POST', url: `/pathways/${key}/draft/publish` }), 422, 'invalid_pathway');
    expect(refused.issues).toEqual([expect.objectContaining({ path: ['steps', 'intake', 'assignee', 'service'], message: expect.stringContaining('housing') })]);
    // A document cannot move itself to another key.
    const moved = expectProblem(await api.request(coordinator, { method: 'PUT', url: `/pathways/${key}/draft`, payload: definition('other-key') }), 422, 'invalid_pathway');
    expect(moved.issues).toEqual([expect.objectContaining({ path: ['key'] })]);
    expectProblem(await api.request(coordinator, { method: 'PUT', url: '/pathways/never-created/draft', payload: definition('never-created') }), 404, 'not_found');
    expectProblem(await api.request(coordinator, { method: 'GET', url: '/pathways/never-created/versions' }), 404, 'not_found');
    expectProblem(await api.request(coordinator, { method: 'GET', url: '/pathways/oss-integrated-pathway/versions/99' }), 404, 'not_found');
    expectProblem(await api.request(coordinator, { method: 'GET', url: '/pathways/Not_A_Key/versions' }), 400, 'validation_error');
  });

  it('lets only coordinators and admins write pathways', async () => {
    for (const user of ['oss-operator-livorno', 'supervisor-livorno', 'auditor-livorno']) {
      expectProblem(await api.request(user, { method: 'POST', url: '/pathways', payload: definition('forbidden-test') }), 403, 'forbidden');
      expectProblem(await api.request(user, { method: 'POST', url: '/pathways/oss-integrated-pathway/versions/1/retire' }), 403, 'forbidden');
    }
    expect((await api.request('admin', { method: 'POST', url: '/pathways', payload: definition('admin-test') })).statusCode).toBe(201);
  });
});
