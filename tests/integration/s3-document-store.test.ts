/**
 * The S3-compatible document store against a real local server (moto's, from PyPI): put, get and
 * delete, a file large enough to go up as a multipart upload in several parts, encrypted documents
 * round-tripping, an upload failing halfway leaving nothing behind, and the API storing, serving
 * and (on erasure) deleting documents in the object store.
 */
import { HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import { decryptDocument, encryptDocument } from '../../infra/documents/document-crypto';
import { S3DocumentStore } from '../../infra/documents/s3-document-store';
import { startApiHarness, type ApiHarness } from '../api/harness';
import { startMotoServer, type MotoServer } from '../support/moto-server';

jest.setTimeout(120_000);

const BUCKET = 'reticulate-documents-test';
const MiB = 1024 * 1024;
let moto: MotoServer;
let store: S3DocumentStore;
let s3: S3Client;

beforeAll(async () => {
  moto = await startMotoServer();
  const options = { endpoint: moto.endpoint, region: 'eu-south-1', bucket: BUCKET, accessKeyId: 'test', secretAccessKey: 'test', forcePathStyle: true };
  store = new S3DocumentStore({ ...options, partBytes: 5 * MiB });
  await store.ensureBucket();
  s3 = new S3Client({ endpoint: moto.endpoint, region: options.region, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}, 120_000);

afterAll(async () => {
  store?.close();
  s3?.destroy();
  await moto?.stop();
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** `size` random bytes as a stream of 64 KiB pieces (never one buffer), with their SHA-256 once read. */
function randomStream(size: number, failAfter?: number): { stream: Readable; digest: () => string } {
  const hash = createHash('sha256');
  let sent = 0;
  const stream = Readable.from(
    (function* pieces() {
      while (sent < size) {
        if (failAfter !== undefined && sent >= failAfter) throw new Error('the client went away');
        const piece = randomBytes(Math.min(64 * 1024, size - sent));
        hash.update(piece);
        sent += piece.length;
        yield piece;
      }
    })(),
  );
  return { stream, digest: () => hash.digest('hex') };
}

describe('S3 document store (moto server)', () => {
  it('puts, gets and deletes an object; a missing one reads as null and deletes quietly', async () => {
    const body = Buffer.from('%PDF-1.7 piccolo documento');
    expect(await store.put('documents/small', Readable.from([body]))).toEqual({ bytes: body.length });
    expect((await readAll((await store.get('documents/small'))!)).equals(body)).toBe(true);
    await store.delete('documents/small');
    expect(await store.get('documents/small')).toBeNull();
    await expect(store.delete('documents/never-there')).resolves.toBeUndefined();
  });

  it('streams a 12 MiB file up as a multipart upload of three parts and back unchanged', async () => {
    const source = randomStream(12 * MiB);
    expect(await store.put('documents/large', source.stream)).toEqual({ bytes: 12 * MiB });
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'documents/large' }));
    expect(head.ContentLength).toBe(12 * MiB);
    // A multipart object's ETag ends with its part count.
    expect(head.ETag).toMatch(/-3"?$/);
    const back = createHash('sha256');
    let length = 0;
    for await (const chunk of (await store.get('documents/large'))!) {
      back.update(chunk as Uint8Array);
      length += (chunk as Uint8Array).length;
    }
    expect({ length, digest: back.digest('hex') }).toEqual({ length: 12 * MiB, digest: source.digest() });
    await store.delete('documents/large');
  });

  it('round-trips an encrypted multi-frame document; another key cannot read it', async () => {
    const key = { keyId: 'p-test', key: randomBytes(32) };
    const plain = randomBytes(300 * 1024 + 17);
    await store.put('documents/encrypted', pipeline(Readable.from([plain]), encryptDocument(key, 'doc-1'), () => undefined));
    const stored = await readAll((await store.get('documents/encrypted'))!);
    expect(stored.includes(plain.subarray(0, 64))).toBe(false);
    const opened = await readAll(pipeline((await store.get('documents/encrypted'))!, decryptDocument(key, 'doc-1'), () => undefined));
    expect(opened.equals(plain)).toBe(true);
    const wrong = readAll(pipeline((await store.get('documents/encrypted'))!, decryptDocument({ keyId: 'p-test', key: randomBytes(32) }, 'doc-1'), () => undefined));
    await expect(wrong).rejects.toThrow();
  });

  it('leaves nothing behind when the upload fails halfway (the multipart upload is aborted)', async () => {
    const failing = randomStream(12 * MiB, 6 * MiB);
    await expect(store.put('documents/broken', failing.stream)).rejects.toThrow('the client went away');
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'documents/broken' }));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect({ objects: objects.KeyCount ?? 0, uploads: uploads.Uploads?.length ?? 0 }).toEqual({ objects: 0, uploads: 0 });
  });
});

describe('the API with DOCUMENT_STORE=s3', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApiHarness({
      env: {
        DOCUMENT_STORE: 's3',
        DOCUMENT_S3_ENDPOINT: moto.endpoint,
        DOCUMENT_S3_REGION: 'eu-south-1',
        DOCUMENT_S3_BUCKET: BUCKET,
        DOCUMENT_S3_ACCESS_KEY_ID: 'test',
        DOCUMENT_S3_SECRET_ACCESS_KEY: 'test',
        DOCUMENT_S3_FORCE_PATH_STYLE: 'true',
      },
    });
  }, 180_000);

  afterAll(async () => {
    await api?.close();
  });

  it('stores the encrypted bytes in the bucket, serves them back, and deletes them on erasure', async () => {
    const started = await api.request('oss-operator-livorno', {
      method: 'POST',
      url: '/cases',
      headers: { 'idempotency-key': 's3-case' },
      payload: { pathwayKey: 'oss-integrated-pathway', areaId: 'livorno', data: { targetGroup: 'homeless' } },
    });
    const { caseId, personId } = started.json<{ caseId: string; personId: string }>();
    const file = Buffer.concat([Buffer.from('%PDF-1.7\n% PATTO-FIRMATO\n'), randomBytes(700 * 1024)]);
    const boundary = 'reticulate-s3-test';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="pais.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const token = await api.tokenFor('oss-operator-livorno');
    const uploaded = await api.app.inject({
      method: 'POST',
      url: `/cases/${caseId}/documents?kind=pais_signed`,
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(uploaded.statusCode).toBe(201);
    const { documentId } = uploaded.json<{ documentId: string }>();
    const objectKey = `documents/${documentId}`;
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: objectKey }));
    expect(head.ContentLength).toBeGreaterThan(file.length);
    const { rows } = await api.pool.query<{ store: string; chunks: number }>(
      'SELECT store, (SELECT count(*)::int FROM document_chunks) AS chunks FROM documents WHERE document_id = $1',
      [documentId],
    );
    expect(rows[0]).toEqual({ store: 's3', chunks: 0 });
    const stored = await readAll((await store.get(objectKey))!);
    expect(stored.includes(Buffer.from('PATTO-FIRMATO'))).toBe(false);

    const download = await api.app.inject({ method: 'GET', url: `/documents/${documentId}/content`, headers: { authorization: `Bearer ${token}` } });
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(file)).toBe(true);

    const erased = await api.request('admin', { method: 'POST', url: `/persons/${personId}/erasure`, payload: { reason: 'data_subject_request' } });
    expect(erased.statusCode).toBe(200);
    expect(await store.get(objectKey)).toBeNull();
  });
});
