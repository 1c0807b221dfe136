/**
 * The person registry over the API: codice fiscale checks (checksum, omocodia), identity sealed and
 * indexed blindly (no plaintext search column), search by codice fiscale, name with birth year and
 * alias, a person of another area never disclosed (only "known in area X, contact service Y"), the
 * inbox's short alias, case search by reference and by person, audit of every registry read, and
 * erasure removing the person's index entries.
 */
import { codiceFiscaleProblem } from '../../domain/codice-fiscale';
import { normalisedTokens } from '../../infra/codec/blind-index';
import type { CaseDetail, Page, TaskView } from '../support/api-types';
import { expectProblem, json, startApiHarness, type ApiHarness } from './harness';

jest.setTimeout(60_000);

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness();
}, 180_000);

afterAll(async () => {
  await api?.close();
});

const PATHWAY = 'oss-integrated-pathway';
let keys = 0;

async function startCase(user: string, areaId: string, personId?: string): Promise<CaseDetail> {
  keys += 1;
  const response = await api.request(user, {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': `registry-${keys}` },
    payload: { pathwayKey: PATHWAY, areaId, data: { targetGroup: 'homeless' }, ...(personId ? { personId } : {}) },
  });
  expect(response.statusCode).toBe(201);
  return json<CaseDetail>(response);
}

interface PersonView {
  personId: string;
  shortAlias: string | null;
  codiceFiscale: string | null;
  givenName: string | null;
  familyName: string | null;
  birthYear: number | null;
  aliases: string[];
  cases: Array<{ caseId: string; reference: string; areaId: string }>;
}
interface SearchResult {
  matches: PersonView[];
  elsewhere: Array<{ areaId: string; areaName: string; contactServices: Array<{ service: string; name: string }> }>;
}

const search = (user: string, payload: Record<string, unknown>) => api.request(user, { method: 'POST', url: '/persons/search', payload });
const record = (user: string, personId: string, payload: Record<string, unknown>) => api.request(user, { method: 'PUT', url: `/persons/${personId}/identity`, payload });

// Check characters computed by hand with the Agenzia delle Entrate algorithm (odd/even tables, mod 26).
const CF = 'RSSMRA85T10A562S';
const CF_OMOCODIC = 'RSSMRA85T1LA562V';

describe('codice fiscale', () => {
  it('accepts valid and omocodic codes, refuses a wrong check character, an impossible day or a non-omocodic letter', () => {
    expect(codiceFiscaleProblem(CF)).toBeNull();
    expect(codiceFiscaleProblem(CF_OMOCODIC)).toBeNull();
    // Every digit of the date and place replaced (the seventh omocode), check letter recomputed.
    expect(codiceFiscaleProblem('RSSMRAURTMLARNSY')).toBeNull();
    expect(codiceFiscaleProblem('BNCLRA92E47H501G')).toBeNull();
    expect(codiceFiscaleProblem('BNCLRA92E47H501V')).toBe('checksum');
    expect(codiceFiscaleProblem('RSSMRA85T10A562T')).toBe('checksum');
    expect(codiceFiscaleProblem('RSSMRA85T99A562U')).toBe('day');
    expect(codiceFiscaleProblem('RSSMRA85T10A56AZ')).toBe('format');
    expect(codiceFiscaleProblem('RSSMRA85Z10A562B')).toBe('format');
  });

  it('folds names for the blind index: case, accents and apostrophes', () => {
    expect(normalisedTokens("  Niccolò D'Àngelo-Rossi ")).toEqual(['niccolo', 'dangelo', 'rossi']);
  });

  it('answers 422 with the field path for a mistyped code', async () => {
    const person = (await startCase('oss-operator-livorno', 'livorno')).personId!;
    const wrong = expectProblem(await record('oss-operator-livorno', person, { codiceFiscale: 'RSSMRA85T10A562T' }), 422, 'invalid_data');
    expect(wrong.issues).toEqual([expect.objectContaining({ path: ['codiceFiscale'], code: 'codice_fiscale_checksum', location: 'body' })]);
    const searched = expectProblem(await search('oss-operator-livorno', { codiceFiscale: 'RSSMRA85T99A562U' }), 422, 'invalid_data');
    expect(searched.issues).toEqual([expect.objectContaining({ path: ['codiceFiscale'], code: 'codice_fiscale_day' })]);
    expectProblem(await search('oss-operator-livorno', { name: 'Mario Rossi' }), 400, 'validation_error');
    expectProblem(await search('oss-operator-livorno', { codiceFiscale: CF, alias: 'Mario' }), 400, 'validation_error');
  });
});

describe('the registry', () => {
  let mario: { personId: string; caseId: string; reference: string };

  beforeAll(async () => {
    const started = await startCase('oss-operator-livorno', 'livorno');
    mario = { personId: started.personId!, caseId: started.caseId, reference: started.reference };
    const recorded = await record('oss-operator-livorno', mario.personId, { codiceFiscale: ' rssmra85t10a562s ', givenName: 'Mario', familyName: 'Rossì', birthYear: 1985, aliases: ['Il Biondo'] });
    expect(recorded.statusCode).toBe(200);
    expect(json<PersonView>(recorded)).toMatchObject({ personId: mario.personId, codiceFiscale: CF, shortAlias: 'Il Biondo', cases: [{ caseId: mario.caseId }] });
  });

  it('finds the person by codice fiscale, by name words with the birth year (any case and accents), and by alias', async () => {
    for (const query of [{ codiceFiscale: CF }, { name: 'rossi MARIO', birthYear: 1985 }, { name: 'Rossì', birthYear: 1985 }, { alias: 'biondo' }]) {
      const result = json<SearchResult>(await search('social-worker-livorno', query));
      expect({ query, ids: result.matches.map((match) => match.personId), elsewhere: result.elsewhere }).toEqual({ query, ids: [mario.personId], elsewhere: [] });
    }
    const found = json<SearchResult>(await search('supervisor-livorno', { codiceFiscale: CF })).matches[0];
    expect(found).toMatchObject({ givenName: 'Mario', familyName: 'Rossì', birthYear: 1985, aliases: ['Il Biondo'], cases: [{ caseId: mario.caseId, reference: mario.reference, areaId: 'livorno' }] });
    // Another year, another word, or an omocode of the same code: nobody.
    for (const query of [{ name: 'Mario Rossi', birthYear: 1986 }, { name: 'Mario Bianchi', birthYear: 1985 }, { codiceFiscale: CF_OMOCODIC }]) {
      expect(json<SearchResult>(await search('oss-operator-livorno', query))).toEqual({ matches: [], elsewhere: [] });
    }
  });

  it('stores no searchable plaintext: the identity is sealed and the index holds HMACs only', async () => {
    const { rows } = await api.pool.query<{ text: string }>(
      `SELECT row_to_json(i)::text AS text FROM person_identities i WHERE person_id = $1
       UNION ALL SELECT row_to_json(x)::text FROM person_index x WHERE person_id = $1`,
      [mario.personId],
    );
    expect(rows.length).toBeGreaterThan(4);
    const everything = rows.map((row) => row.text).join('\n').toLowerCase();
    for (const secret of ['rssmra', 'mario', 'rossi', 'rossì', 'biondo', '1985']) expect(everything).not.toContain(secret);
    const { rows: kinds } = await api.pool.query<{ kind: string; n: number }>('SELECT kind, count(*)::int AS n FROM person_index WHERE person_id = $1 GROUP BY kind ORDER BY kind', [mario.personId]);
    expect(kinds).toEqual([
      { kind: 'alias', n: 2 },
      { kind: 'codice_fiscale', n: 1 },
      { kind: 'name', n: 2 },
    ]);
  });

  it('never discloses a person of another area: only where they are known and whom to contact', async () => {
    for (const [user, query] of [
      ['oss-operator-grosseto', { codiceFiscale: CF }],
      ['supervisor-grosseto', { name: 'Mario Rossi', birthYear: 1985 }],
      ['social-worker-grosseto', { alias: 'Il Biondo' }],
    ] as const) {
      const response = await search(user, query);
      expect(response.statusCode).toBe(200);
      expect(json<SearchResult>(response)).toEqual({
        matches: [],
        // The OSS desk that recorded who the person is, and the street unit holding their case now.
        elsewhere: [
          {
            areaId: 'livorno',
            areaName: expect.any(String),
            contactServices: [
              { service: 'oss', name: expect.any(String) },
              { service: 'outreach', name: expect.any(String) },
            ],
          },
        ],
      });
      for (const mark of [mario.personId, mario.caseId, mario.reference, 'Mario', 'Ross', 'Biondo', CF]) expect(response.body).not.toContain(mark);
    }
    expectProblem(await api.request('oss-operator-grosseto', { method: 'GET', url: `/persons/${mario.personId}` }), 404, 'not_found');
    expectProblem(await record('oss-operator-grosseto', mario.personId, { aliases: ['Altro'] }), 404, 'not_found');
    // Coordinators and auditors look nobody up.
    expectProblem(await search('coordinator-livorno', { codiceFiscale: CF }), 403, 'forbidden');
    expectProblem(await search('auditor-livorno', { codiceFiscale: CF }), 403, 'forbidden');
  });

  it('refuses a codice fiscale already recorded for another person, without naming them', async () => {
    const other = await startCase('oss-operator-livorno', 'livorno');
    const conflict = expectProblem(await record('oss-operator-livorno', other.personId!, { codiceFiscale: CF }), 409, 'conflict');
    expect(JSON.stringify(conflict)).not.toContain(mario.personId);
    // The omocodic code is another person's code: recorded without conflict.
    expect((await record('oss-operator-livorno', other.personId!, { codiceFiscale: CF_OMOCODIC, givenName: 'Marco', familyName: 'Rossi', birthYear: 1985 })).statusCode).toBe(200);
    const byName = json<SearchResult>(await search('oss-operator-livorno', { name: 'Rossi', birthYear: 1985 }));
    expect(byName.matches.map((match) => match.personId).sort()).toEqual([mario.personId, other.personId].sort());
  });

  it('starts a second case for the person found, and finds cases by reference and by person', async () => {
    const second = await startCase('outreach-operator-livorno', 'livorno', mario.personId);
    expect(second.personId).toBe(mario.personId);
    const found = json<SearchResult>(await search('oss-operator-livorno', { codiceFiscale: CF })).matches[0];
    expect(found.cases.map((item) => item.caseId).sort()).toEqual([mario.caseId, second.caseId].sort());

    const byReference = await api.request('auditor-livorno', { method: 'POST', url: '/cases/search', payload: { reference: mario.reference.toLowerCase() } });
    expect(json<{ items: Array<{ caseId: string; personAlias: string | null }> }>(byReference).items).toEqual([expect.objectContaining({ caseId: mario.caseId, personAlias: null })]);
    const bySuffix = await api.request('oss-operator-livorno', { method: 'POST', url: '/cases/search', payload: { reference: mario.reference.slice(-6) } });
    expect(json<{ items: Array<{ caseId: string; personAlias: string | null }> }>(bySuffix).items).toEqual([expect.objectContaining({ caseId: mario.caseId, personAlias: 'Il Biondo' })]);
    const byPerson = await api.request('social-worker-livorno', { method: 'POST', url: '/cases/search', payload: { person: { alias: 'biondo' } } });
    expect(json<{ items: Array<{ caseId: string }> }>(byPerson).items.map((item) => item.caseId).sort()).toEqual([mario.caseId, second.caseId].sort());
    // Auditors search by reference only; other areas find nothing.
    expectProblem(await api.request('auditor-livorno', { method: 'POST', url: '/cases/search', payload: { person: { codiceFiscale: CF } } }), 403, 'forbidden');
    expect(json<{ items: unknown[] }>(await api.request('supervisor-grosseto', { method: 'POST', url: '/cases/search', payload: { reference: mario.reference } })).items).toEqual([]);
    expect(json<{ items: unknown[] }>(await api.request('supervisor-grosseto', { method: 'POST', url: '/cases/search', payload: { person: { codiceFiscale: CF } } })).items).toEqual([]);
  });

  it('shows the short alias in the inbox', async () => {
    const inbox = json<Page<TaskView & { personAlias?: string | null }>>(
      await api.request('outreach-operator-livorno', { method: 'GET', url: `/tasks?areaId=livorno&caseId=${mario.caseId}` }),
    );
    expect(inbox.items.length).toBeGreaterThan(0);
    expect(inbox.items.map((task) => task.personAlias)).toEqual(inbox.items.map(() => 'Il Biondo'));
  });

  it('shows aliases only to roles that may see people, and records each inbox read that showed them', async () => {
    const before = Number((await api.pool.query<{ max: string | null }>('SELECT max(id) AS max FROM audit_log')).rows[0].max ?? 0);
    await api.request('outreach-operator-livorno', { method: 'GET', url: `/tasks?caseId=${mario.caseId}` });
    const audited = await api.pool.query<{ actor_id: string; route: string; fields: string[] }>('SELECT actor_id, route, fields FROM audit_log WHERE id > $1 ORDER BY id', [before]);
    expect(audited.rows).toEqual([{ actor_id: 'outreach-operator-livorno', route: '/tasks', fields: ['person.shortAlias'] }]);
    // An auditor reads the same inbox rows without the alias, and that list read leaves no row.
    const seen = json<Page<TaskView & { personAlias?: string | null }>>(await api.request('auditor-livorno', { method: 'GET', url: `/tasks?caseId=${mario.caseId}` }));
    expect(seen.items.length).toBeGreaterThan(0);
    expect(seen.items.every((task) => task.personAlias === undefined)).toBe(true);
    const after = await api.pool.query('SELECT 1 FROM audit_log WHERE id > $1', [before]);
    expect(after.rows).toHaveLength(1);
  });

  it('audits every registry read with who, whom and what was searched (never the values)', async () => {
    const before = Number((await api.pool.query<{ max: string | null }>('SELECT max(id) AS max FROM audit_log')).rows[0].max ?? 0);
    await search('oss-operator-livorno', { codiceFiscale: CF });
    await search('oss-operator-grosseto', { codiceFiscale: CF });
    await api.request('oss-operator-livorno', { method: 'GET', url: `/persons/${mario.personId}` });
    const { rows } = await api.pool.query<{ actor_id: string; action: string; route: string; person_id: string | null; fields: string[]; outcome: number }>(
      'SELECT actor_id, action, route, person_id, fields, outcome FROM audit_log WHERE id > $1 ORDER BY id',
      [before],
    );
    expect(rows).toEqual([
      { actor_id: 'oss-operator-livorno', action: 'persons.search', route: '/persons/search', person_id: mario.personId, fields: ['person.search.codiceFiscale', `person.${mario.personId}`].sort(), outcome: 200 },
      { actor_id: 'oss-operator-grosseto', action: 'persons.search', route: '/persons/search', person_id: null, fields: ['person.search.codiceFiscale'], outcome: 200 },
      { actor_id: 'oss-operator-livorno', action: 'persons.read', route: '/persons/:personId', person_id: mario.personId, fields: ['person.identity'], outcome: 200 },
    ]);
    expect(JSON.stringify(rows)).not.toContain(CF);
  });

  it('erasure removes the index entries and the sealed identity: nobody finds the person any more', async () => {
    const { rows: before } = await api.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM person_index WHERE person_id = $1', [mario.personId]);
    const erased = await api.request('admin', { method: 'POST', url: `/persons/${mario.personId}/erasure`, payload: { reason: 'data_subject_request' } });
    expect(erased.statusCode).toBe(200);
    expect(json(erased)).toMatchObject({ indexEntriesRemoved: before[0].n, keysDestroyed: 1 });
    const { rows } = await api.pool.query<{ index: number; identity: number }>(
      'SELECT (SELECT count(*)::int FROM person_index WHERE person_id = $1) AS index, (SELECT count(*)::int FROM person_identities WHERE person_id = $1) AS identity',
      [mario.personId],
    );
    expect(rows[0]).toEqual({ index: 0, identity: 0 });
    for (const user of ['oss-operator-livorno', 'oss-operator-grosseto', 'admin']) {
      expect(json<SearchResult>(await search(user, { codiceFiscale: CF }))).toEqual({ matches: [], elsewhere: [] });
    }
    const inbox = json<Page<TaskView & { personAlias?: string | null }>>(await api.request('admin', { method: 'GET', url: `/tasks?caseId=${mario.caseId}` }));
    expect(inbox.items.every((task) => task.personAlias === null)).toBe(true);
    // The code is free again for a real person recorded anew.
    const next = await startCase('oss-operator-livorno', 'livorno');
    expect((await record('oss-operator-livorno', next.personId!, { codiceFiscale: CF })).statusCode).toBe(200);
  });
});
