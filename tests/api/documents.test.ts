/**
 * Documents over the API: multipart upload of a case's, a step's and a person's documents, the type
 * recognised from the content (PDF, JPEG, PNG; anything else 415 with nothing stored), the size cap
 * (413, nothing stored), encryption at rest in frames under the person's key (a multi-chunk file
 * comes back byte for byte), audited downloads, scope (other areas: 404; roles without documents:
 * 403), the ISEE's expiry, and erasure making the documents unreadable.
 */
import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import type { CaseDetail } from '../support/api-types';
import { expectProblem, json, startApiHarness, type ApiHarness, type ApiResponse } from './harness';

jest.setTimeout(60_000);

const MAX_BYTES = 2 * 1024 * 1024;
let api: ApiHarness;

beforeAll(async () => {
  // A small cap keeps the over-the-limit upload small; the store is the default (PostgreSQL).
  api = await startApiHarness({ env: { DOCUMENT_MAX_BYTES: String(MAX_BYTES) } });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

interface DocumentView {
  documentId: string;
  personId: string;
  caseId: string | null;
  stepId: string | null;
  kind: string;
  contentType: string;
  sizeBytes: number;
  fileName: string | null;
  expiresOn: string | null;
}

const PATHWAY = 'oss-integrated-pathway';
let keys = 0;

async function startCase(user: string, areaId: string): Promise<CaseDetail> {
  keys += 1;
  const response = await api.request(user, {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': `documents-${keys}` },
    payload: { pathwayKey: PATHWAY, areaId, data: { targetGroup: 'homeless' } },
  });
  expect(response.statusCode).toBe(201);
  return json<CaseDetail>(response);
}

/** A PDF-looking file of exactly `size` bytes (file-type reads the signature), with a marker to look for at rest. */
function pdfOf(size: number, marker = 'MARKER-ISEE-2026'): Buffer {
  const head = Buffer.from(`%PDF-1.7\n% ${marker}\n`);
  const tail = Buffer.from('\n%%EOF\n');
  return Buffer.concat([head, randomBytes(Math.max(0, size - head.length - tail.length)), tail]).subarray(0, size);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real 1×1 PNG. */
function png(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0]))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const jpeg = () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), randomBytes(200), Buffer.from([0xff, 0xd9])]);

/** A multipart/form-data body with one file part. */
function multipart(file: Buffer, { name = 'file', fileName = 'documento.pdf', type = 'application/pdf' } = {}): { body: Buffer; contentType: string } {
  const boundary = `----reticulate${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`);
  return { body: Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function send(user: string, method: 'GET' | 'POST', url: string, body?: { body: Buffer; contentType: string }): Promise<ApiResponse & { raw: Buffer }> {
  const response = await api.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${await api.tokenFor(user)}`, ...(body ? { 'content-type': body.contentType } : {}) },
    payload: body?.body,
  });
  const headers = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, String(value)]));
  return { statusCode: response.statusCode, headers, body: response.body, raw: response.rawPayload, json: <T>() => JSON.parse(response.body) as T };
}

const upload = (user: string, caseId: string, file: Buffer, query = 'kind=isee', options?: Parameters<typeof multipart>[1]) =>
  send(user, 'POST', `/cases/${caseId}/documents?${query}`, multipart(file, options));

async function storedCounts(): Promise<{ documents: number; chunks: number }> {
  const { rows } = await api.pool.query<{ documents: number; chunks: number }>(
    'SELECT (SELECT count(*)::int FROM documents) AS documents, (SELECT count(*)::int FROM document_chunks) AS chunks',
  );
  return rows[0];
}

describe('documents', () => {
  let livorno: CaseDetail;

  beforeAll(async () => {
    livorno = await startCase('oss-operator-livorno', 'livorno');
  });

  it('stores a multi-chunk PDF encrypted and gives it back byte for byte', async () => {
    const file = pdfOf(1_500_000);
    const response = await upload('oss-operator-livorno', livorno.caseId, file, 'kind=isee&stepId=eligibility', { fileName: 'ISEE Rossi Mario 2026.pdf', type: 'application/octet-stream' });
    expect(response.statusCode).toBe(201);
    const document = json<DocumentView>(response);
    expect(document).toMatchObject({
      personId: livorno.personId,
      caseId: livorno.caseId,
      stepId: 'eligibility',
      kind: 'isee',
      contentType: 'application/pdf',
      sizeBytes: file.length,
      fileName: 'ISEE Rossi Mario 2026.pdf',
      expiresOn: `${new Date().getFullYear()}-12-31`,
    });
    expect(response.headers.location).toBe(`/documents/${document.documentId}`);

    // At rest: several chunk rows, no plaintext (neither the marker nor the file name), the key named.
    const { rows } = await api.pool.query<{ chunks: number; marker: number; name: number }>(
      `SELECT count(*)::int AS chunks, count(*) FILTER (WHERE position('MARKER-ISEE-2026'::bytea IN data) > 0)::int AS marker,
         (SELECT count(*)::int FROM documents WHERE document_id = $2 AND file_name::text ILIKE '%rossi%') AS name
       FROM document_chunks WHERE object_key = $1`,
      [`documents/${document.documentId}`, document.documentId],
    );
    expect(rows[0].chunks).toBeGreaterThanOrEqual(6);
    expect({ marker: rows[0].marker, name: rows[0].name }).toEqual({ marker: 0, name: 0 });

    const download = await send('social-worker-livorno', 'GET', `/documents/${document.documentId}/content`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-length']).toBe(String(file.length));
    expect(download.headers['content-disposition']).toContain("filename*=UTF-8''ISEE%20Rossi%20Mario%202026.pdf");
    expect(download.raw.equals(file)).toBe(true);
  });

  it('accepts JPEG and PNG by their content, and a person-level document shows on the case', async () => {
    const photo = await upload('oss-operator-livorno', livorno.caseId, jpeg(), 'kind=identity_document', { fileName: 'doc.bin', type: 'application/octet-stream' });
    expect(json<DocumentView>(photo)).toMatchObject({ contentType: 'image/jpeg', expiresOn: null });
    const scan = await send('oss-operator-livorno', 'POST', `/persons/${livorno.personId}/documents?kind=residenza_fittizia`, multipart(png(), { fileName: 'residenza.png', type: 'image/png' }));
    expect(scan.statusCode).toBe(201);
    expect(json<DocumentView>(scan)).toMatchObject({ contentType: 'image/png', caseId: null, personId: livorno.personId });
    const listed = json<{ items: DocumentView[] }>(await send('supervisor-livorno', 'GET', `/cases/${livorno.caseId}/documents`));
    expect(listed.items.map((item) => item.kind).sort()).toEqual(['identity_document', 'isee', 'residenza_fittizia']);
    const ofPerson = json<{ items: DocumentView[] }>(await send('oss-operator-livorno', 'GET', `/persons/${livorno.personId}/documents`));
    expect(ofPerson.items).toHaveLength(3);
  });

  it('refuses any other type with 415 and stores nothing, whatever the declared type', async () => {
    const before = await storedCounts();
    const refused = [
      Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'),
      Buffer.from('<html><script>alert(1)</script></html>'),
      Buffer.concat([Buffer.from('MZ'), randomBytes(300)]),
      Buffer.from('PK\x03\x04\x14\x00\x06\x00', 'latin1'),
      Buffer.from('just text pretending to be a PDF'),
      Buffer.alloc(0),
    ];
    for (const file of refused) {
      const response = await upload('oss-operator-livorno', livorno.caseId, file, 'kind=pad', { fileName: 'pad.pdf', type: 'application/pdf' });
      expectProblem(response, 415, 'unsupported_media_type');
    }
    // Not multipart at all.
    expectProblem(await api.request('oss-operator-livorno', { method: 'POST', url: `/cases/${livorno.caseId}/documents?kind=pad`, payload: { file: 'x' } }), 415, 'unsupported_media_type');
    expect(await storedCounts()).toEqual(before);
  });

  it('refuses a file over the size limit with 413 and stores nothing; exactly the limit passes', async () => {
    const before = await storedCounts();
    expectProblem(await upload('oss-operator-livorno', livorno.caseId, pdfOf(MAX_BYTES + 1), 'kind=pais_signed'), 413, 'payload_too_large');
    expect(await storedCounts()).toEqual(before);
    // A body declared far larger is refused before it is read.
    const declared = await api.app.inject({
      method: 'POST',
      url: `/cases/${livorno.caseId}/documents?kind=pad`,
      headers: { authorization: `Bearer ${await api.tokenFor('oss-operator-livorno')}`, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(50 * MAX_BYTES) },
      payload: Buffer.from('--x--\r\n'),
    });
    expect(declared.statusCode).toBe(413);
    expect(await storedCounts()).toEqual(before);
    expect((await upload('oss-operator-livorno', livorno.caseId, pdfOf(MAX_BYTES), 'kind=pais_signed')).statusCode).toBe(201);
  });

  it('answers a broken multipart body with 4xx, never 5xx, and stores nothing', async () => {
    const before = await storedCounts();
    const token = await api.tokenFor('oss-operator-livorno');
    const bodies = [
      { type: 'multipart/form-data; boundary=abc', body: Buffer.from('--abc\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.7 truncated') },
      { type: 'multipart/form-data; boundary=abc', body: Buffer.from('no boundary anywhere') },
      { type: 'multipart/form-data', body: Buffer.from('--x\r\n') },
      { type: 'multipart/form-data; boundary=abc', body: Buffer.from('--abc\r\nContent-Disposition: form-data; name="other"\r\n\r\nvalue\r\n--abc--\r\n') },
    ];
    for (const { type, body } of bodies) {
      const response = await api.app.inject({ method: 'POST', url: `/cases/${livorno.caseId}/documents?kind=pad`, headers: { authorization: `Bearer ${token}`, 'content-type': type }, payload: body });
      expect({ type, status: response.statusCode >= 400 && response.statusCode < 500 }).toEqual({ type, status: true });
    }
    expect(await storedCounts()).toEqual(before);
  });

  it('checks the metadata at the edge: unknown kind or date is 400 with its path', async () => {
    const wrongKind = expectProblem(await upload('oss-operator-livorno', livorno.caseId, pdfOf(2000), 'kind=cv'), 400, 'validation_error');
    expect(wrongKind.issues).toEqual([expect.objectContaining({ path: ['kind'], location: 'querystring' })]);
    const wrongDate = expectProblem(await upload('oss-operator-livorno', livorno.caseId, pdfOf(2000), 'kind=isee&expiresOn=31/12/2026'), 400, 'validation_error');
    expect(wrongDate.issues).toEqual([expect.objectContaining({ path: ['expiresOn'], location: 'querystring' })]);
  });

  it('keeps documents to the areas and roles that work the case; other areas get 404, coordinators and auditors 403', async () => {
    const { items } = json<{ items: DocumentView[] }>(await send('oss-operator-livorno', 'GET', `/cases/${livorno.caseId}/documents`));
    const documentId = items[0].documentId;
    expectProblem(await send('supervisor-grosseto', 'GET', `/documents/${documentId}/content`), 404, 'not_found');
    expectProblem(await send('supervisor-grosseto', 'GET', `/documents/${documentId}`), 404, 'not_found');
    expectProblem(await send('oss-operator-grosseto', 'GET', `/cases/${livorno.caseId}/documents`), 404, 'not_found');
    expectProblem(await upload('oss-operator-grosseto', livorno.caseId, pdfOf(2000)), 404, 'not_found');
    expectProblem(await send('oss-operator-grosseto', 'GET', `/persons/${livorno.personId}/documents`), 404, 'not_found');
    expectProblem(await send('auditor-livorno', 'GET', `/documents/${documentId}/content`), 403, 'forbidden');
    expectProblem(await send('coordinator-livorno', 'GET', `/cases/${livorno.caseId}/documents`), 403, 'forbidden');
  });

  it('audits every download (who, which document, whose), refusals included', async () => {
    const { items } = json<{ items: DocumentView[] }>(await send('oss-operator-livorno', 'GET', `/cases/${livorno.caseId}/documents`));
    const isee = items.find((item) => item.kind === 'isee')!;
    const before = Number((await api.pool.query<{ max: string | null }>('SELECT max(id) AS max FROM audit_log')).rows[0].max ?? 0);
    expect((await send('social-worker-livorno', 'GET', `/documents/${isee.documentId}/content`)).statusCode).toBe(200);
    await send('supervisor-grosseto', 'GET', `/documents/${isee.documentId}/content`);
    const { rows } = await api.pool.query<{ actor_id: string; action: string; route: string; case_id: string | null; person_id: string | null; fields: string[]; outcome: number }>(
      'SELECT actor_id, action, route, case_id, person_id, fields, outcome FROM audit_log WHERE id > $1 ORDER BY id',
      [before],
    );
    expect(rows).toEqual([
      {
        actor_id: 'social-worker-livorno',
        action: 'documents.read',
        route: '/documents/:documentId/content',
        case_id: livorno.caseId,
        person_id: livorno.personId,
        fields: ['document.content', `document.${isee.documentId}`].sort(),
        outcome: 200,
      },
      { actor_id: 'supervisor-grosseto', action: 'documents.read', route: '/documents/:documentId/content', case_id: null, person_id: null, fields: [], outcome: 404 },
    ]);
  });

  it("erasure makes the person's documents unreadable and deletes their bytes", async () => {
    const { items } = json<{ items: DocumentView[] }>(await send('oss-operator-livorno', 'GET', `/cases/${livorno.caseId}/documents`));
    expect(items.length).toBeGreaterThanOrEqual(4);
    const { rows: keysBefore } = await api.pool.query<{ key_id: string }>('SELECT DISTINCT key_id FROM documents WHERE person_id = $1', [livorno.personId]);
    const erased = await api.request('admin', { method: 'POST', url: `/persons/${livorno.personId}/erasure`, payload: { reason: 'data_subject_request' } });
    expect(erased.statusCode).toBe(200);
    expect(json(erased)).toMatchObject({ documents: items.length });
    for (const item of items) expectProblem(await send('admin', 'GET', `/documents/${item.documentId}/content`), 404, 'not_found');
    // No key to decrypt with, no bytes left, no file names.
    for (const { key_id: keyId } of keysBefore) expect(await api.app.personKeys.keyById(keyId)).toBeNull();
    const { rows } = await api.pool.query<{ chunks: number; named: number; erased: number }>(
      `SELECT (SELECT count(*)::int FROM document_chunks WHERE object_key = ANY($2)) AS chunks,
         (SELECT count(*)::int FROM documents WHERE person_id = $1 AND file_name IS NOT NULL) AS named,
         (SELECT count(*)::int FROM documents WHERE person_id = $1 AND erased_at IS NOT NULL) AS erased`,
      [livorno.personId, items.map((item) => `documents/${item.documentId}`)],
    );
    expect(rows[0]).toEqual({ chunks: 0, named: 0, erased: items.length });
    expect(json<{ items: unknown[] }>(await send('admin', 'GET', `/cases/${livorno.caseId}/documents`)).items).toEqual([]);
  });
});

describe('ISEE renewal', () => {
  afterEach(() => {
    api.clock.now = null;
  });

  it('raises isee_expiring 30 days before 31 December (default rule) and clears it when a renewed ISEE is uploaded', async () => {
    api.clock.now = new Date('2026-12-10T10:00:00Z');
    const started = await startCase('oss-operator-pistoia', 'pistoia');
    const stalled = async () =>
      json<{ items: Array<{ case: { caseId: string }; reasons: Array<{ type: string; since: string; threshold: number; expiresOn?: string; owners: unknown[] }> }> }>(
        await api.request('supervisor-pistoia', { method: 'GET', url: '/supervision/stalled?kind=isee_expiring&areaId=pistoia' }),
      ).items.filter((item) => item.case.caseId === started.caseId);
    // No ISEE yet: nothing to renew.
    expect(await stalled()).toEqual([]);

    const first = await upload('oss-operator-pistoia', started.caseId, pdfOf(5000), 'kind=isee&stepId=eligibility');
    expect(json<DocumentView>(first).expiresOn).toBe('2026-12-31');
    const [item] = await stalled();
    expect(item.reasons.find((reason) => reason.type === 'isee_expiring')).toEqual({
      type: 'isee_expiring',
      // 1 January 00:00 in Rome, 30 days back.
      since: '2026-12-01T23:00:00.000Z',
      threshold: 30,
      expiresOn: '2026-12-31',
      owners: expect.any(Array),
    });

    // Well before the window the rule is quiet.
    api.clock.now = new Date('2026-11-15T10:00:00Z');
    expect(await stalled()).toEqual([]);

    api.clock.now = new Date('2026-12-10T10:00:00Z');
    expect((await upload('oss-operator-pistoia', started.caseId, pdfOf(5000), 'kind=isee&expiresOn=2027-12-31')).statusCode).toBe(201);
    expect(await stalled()).toEqual([]);
  });
});
