/**
 * Documents of a case, a step or a person (ISEE with its expiry, PAD, signed PaIS, identity document,
 * residenza fittizia certificate): multipart upload, list, download. The type is recognised from the
 * first bytes (PDF, JPEG, PNG; anything else 415 before a byte is stored), the size is capped (413),
 * and the bytes are encrypted as they stream under the person's key, so erasing the person makes
 * them unreadable. Every list and download is audited.
 */
import multipart from '@fastify/multipart';
import { randomUUID } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { fromBuffer } from 'file-type';
import type { z } from 'zod';
import { caseHasEnded } from '../../../domain/case-state';
import { defaultIseeExpiry, documentContentTypes, type DocumentContentType } from '../../../domain/document-kinds';
import { PersonErasedError } from '../../../infra/codec/person-key-store';
import { sealJson } from '../../../infra/codec/personal-data';
import { findCase } from '../../../infra/db/case-repository';
import { documentViewOf, findDocument, insertDocument, listDocuments, type DocumentRecord, type StoredDocument } from '../../../infra/db/document-repository';
import { decryptDocument, encryptDocument } from '../../../infra/documents/document-crypto';
import type { AuthenticatedActor } from '../../auth/actor-cache';
import { readScopeOf, seesArea } from '../../auth/permissions';
import { reportAccess } from '../../plugins/audit';
import { actorOf } from '../../plugins/auth';
import { ProblemError, loggable, problem } from '../../plugins/problems';
import { caseParamsSchema } from '../../schemas/cases';
import { bearerSecurity } from '../../schemas/common';
import {
  documentContentSchema,
  documentListSchema,
  documentParamsSchema,
  documentUploadQuerySchema,
  documentViewSchema,
  multipartUploadDescription,
} from '../../schemas/documents';
import { personParamsSchema } from '../../schemas/persons';
import { problemResponses, problemTypes } from '../../schemas/problem';
import { recordingAreaOf, visiblePlacement } from '../persons/registry';

/** How many bytes file-type needs to recognise the allowed types (it reads at most this many). */
const sniffBytes = 4100;
/** Headers and boundaries of a multipart body around the file: a declared length beyond limit + this is refused unread. */
const multipartOverhead = 64 * 1024;

const extensionOf: Record<DocumentContentType, string> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };

type UploadQuery = z.infer<typeof documentUploadQuerySchema>;

interface UploadTarget {
  personId: string;
  caseId: string | null;
  areaId: string;
}

const tooLarge = (maxBytes: number) => new ProblemError(413, problemTypes.payloadTooLarge, `the file is larger than ${maxBytes} bytes`);
const unsupportedType = () => new ProblemError(415, problemTypes.unsupportedMediaType, `only ${documentContentTypes.join(', ')} files are accepted (recognised from their content)`);

/** A multipart or stream error as the problem it is for the caller (never a 500: the caller sent it); `reading`: any error while parsing the body is the caller's. */
function uploadProblem(error: unknown, maxBytes: number, reading = false): unknown {
  if (error instanceof ProblemError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return tooLarge(maxBytes);
  const status = (error as { statusCode?: unknown }).statusCode;
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return unsupportedType();
  if (typeof status === 'number' && status >= 400 && status < 500) return problem.badRequest('the multipart body could not be read');
  // busboy's own parse errors carry no status: a malformed body is the caller's.
  if (reading || (error instanceof Error && /multipart|boundary|Unexpected end/i.test(error.message))) return problem.badRequest('the multipart body could not be read');
  return error;
}

/** The next piece of the uploaded file; a broken body is the caller's problem (400), never a 500. */
async function nextPiece(iterator: AsyncIterator<Buffer>): Promise<IteratorResult<Buffer>> {
  try {
    return await iterator.next();
  } catch (error) {
    if (error instanceof ProblemError) throw error;
    throw problem.badRequest('the multipart body could not be read');
  }
}

/** The first `bytes` of a stream (or all of it when shorter), and an iterator over the rest. */
async function readHead(iterator: AsyncIterator<Buffer>, bytes: number): Promise<{ head: Buffer; done: boolean }> {
  const pieces: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await nextPiece(iterator);
    if (next.done) return { head: Buffer.concat(pieces), done: true };
    pieces.push(next.value);
    length += next.value.length;
  }
  return { head: Buffer.concat(pieces), done: false };
}

/** The head again, then the rest of the file, failing once more than `maxBytes` have passed. */
function countedFile(head: Buffer, done: boolean, rest: AsyncIterator<Buffer>, maxBytes: number, isTruncated: () => boolean): Readable & { total: () => number } {
  let total = 0;
  const stream = Readable.from(
    (async function* file() {
      total += head.length;
      if (total > maxBytes) throw tooLarge(maxBytes);
      if (head.length > 0) yield head;
      if (done) return;
      for (let next = await nextPiece(rest); !next.done; next = await nextPiece(rest)) {
        total += next.value.length;
        if (total > maxBytes) throw tooLarge(maxBytes);
        yield next.value;
      }
      if (isTruncated()) throw tooLarge(maxBytes);
    })(),
  ) as Readable & { total: () => number };
  stream.total = () => total;
  return stream;
}

/** A safe Content-Disposition for the download: the stored name when there is one, else kind and type. */
function dispositionOf(record: DocumentRecord, fileName: string | null): string {
  const fallback = `${record.kind}.${extensionOf[record.contentType]}`;
  const name = (fileName ?? fallback).replace(/[\r\n"\\/]/g, '_');
  const ascii = name.replace(/[^\x20-\x7e]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

const documentRoutes: FastifyPluginAsyncZod = async (fastify) => {
  // Only here: every other route keeps refusing multipart bodies with 415.
  await fastify.register(multipart, { throwFileSizeLimit: false });

  const maxBytes = fastify.appConfig.documents.maxBytes;

  async function caseTarget(actor: AuthenticatedActor, caseId: string): Promise<UploadTarget & { status: string }> {
    const found = await findCase(fastify.db, readScopeOf(actor), caseId);
    const personId = found ? await fastify.personKeys.personOfCase(caseId) : null;
    if (!found || personId === null) throw problem.notFound(`no case ${caseId}`);
    return { personId, caseId, areaId: found.areaId, status: found.status };
  }

  /** The person in the actor's scope, with the ids of their cases the actor sees. */
  async function personTarget(actor: AuthenticatedActor, personId: string): Promise<UploadTarget & { visibleCases: Set<string> }> {
    const placement = await visiblePlacement(fastify.db, actor, personId);
    const areaId = placement ? recordingAreaOf(actor, placement) : undefined;
    if (!placement || !areaId) throw problem.notFound(`no person ${personId}`);
    const visibleCases = new Set(placement.cases.filter((item) => seesArea(actor, item.areaId)).map((item) => item.caseId));
    return { personId, caseId: null, areaId, visibleCases };
  }

  /** Whether the actor may see the document: through its case when it has one, else through its person. */
  async function visibleDocument(actor: AuthenticatedActor, documentId: string): Promise<StoredDocument> {
    const record = await findDocument(fastify.db, documentId);
    if (!record || record.erasedAt !== null) throw problem.notFound(`no document ${documentId}`);
    const visible = record.caseId !== null ? (await findCase(fastify.db, readScopeOf(actor), record.caseId)) !== null : (await visiblePlacement(fastify.db, actor, record.personId)) !== null;
    if (!visible) throw problem.notFound(`no document ${documentId}`);
    return record;
  }

  async function upload(request: FastifyRequest, reply: FastifyReply, target: UploadTarget, query: UploadQuery) {
    const actor = actorOf(request);
    reportAccess(request, { caseId: target.caseId, areaId: target.areaId, personId: target.personId, fields: [`document.${query.kind}`] });
    if (!request.isMultipart()) throw unsupportedType();
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes + multipartOverhead) throw tooLarge(maxBytes);
    let key;
    try {
      key = await fastify.personKeys.keyOfPerson(target.personId);
    } catch (error) {
      if (error instanceof PersonErasedError) throw problem.conflict('this person was erased: nothing more is stored about them');
      throw error;
    }
    const documentId = randomUUID();
    // Nothing personal in the object key: it may appear in object store logs.
    const objectKey = `documents/${documentId}`;
    let stored = false;
    let document: StoredDocument;
    try {
      const part = await request.file({ limits: { fileSize: maxBytes + 1, files: 1, fields: 0, parts: 1 } }).catch((error: unknown) => {
        throw uploadProblem(error, maxBytes, true);
      });
      if (!part) throw problem.invalidBody('no file in the body', [{ path: ['file'], message: 'send one part named file' }]);
      if (part.fieldname !== 'file') throw problem.invalidBody('the file part must be named file', [{ path: [part.fieldname], message: 'send one part named file' }]);
      const iterator = part.file[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const { head, done } = await readHead(iterator, sniffBytes);
      const sniffed = head.length > 0 ? await fromBuffer(head) : undefined;
      const contentType = sniffed?.mime as DocumentContentType | undefined;
      if (!contentType || !(documentContentTypes as readonly string[]).includes(contentType)) {
        part.file.resume();
        throw unsupportedType();
      }
      const file = countedFile(head, done, iterator, maxBytes, () => part.file.truncated);
      stored = true;
      // pipeline, not pipe: a source error (too large, a broken body) destroys the encrypted stream, so the store's read fails with it.
      await fastify.documentStore.put(objectKey, pipeline(file, encryptDocument(key, documentId), () => undefined));
      const uploadedAt = fastify.now();
      const expiresOn = query.expiresOn ?? (query.kind === 'isee' ? defaultIseeExpiry(uploadedAt) : null);
      const fileName = part.filename ? part.filename.split(/[\\/]/).pop()!.slice(0, 200) : '';
      document = {
        documentId,
        personId: target.personId,
        caseId: target.caseId,
        stepId: query.stepId ?? null,
        areaId: target.areaId,
        kind: query.kind,
        contentType,
        sizeBytes: file.total(),
        expiresOn,
        keyId: key.keyId,
        store: fastify.documentStore.kind,
        objectKey,
        uploadedBy: actor.id,
        uploadedAt: uploadedAt.toISOString(),
        fileName: fileName === '' ? null : sealJson(key, fileName),
        erasedAt: null,
      };
      await insertDocument(fastify.db, document);
    } catch (error) {
      if (stored) await fastify.documentStore.delete(objectKey).catch((failure: unknown) => request.log.warn({ err: loggable(failure) }, 'partial document not deleted'));
      throw uploadProblem(error, maxBytes);
    }
    reportAccess(request, { fields: [`document.${documentId}`] });
    const view = await documentViewOf(fastify.db, document);
    return reply.code(201).header('location', `/documents/${documentId}`).send(view);
  }

  const uploadResponses = { 201: documentViewSchema, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 503) };

  fastify.post('/cases/:caseId/documents', {
    config: { action: 'documents.upload', audit: 'write' },
    schema: {
      tags: ['documents'],
      summary: 'Attach a document to a case (or one of its steps, with stepId)',
      description: multipartUploadDescription,
      consumes: ['multipart/form-data'],
      security: bearerSecurity,
      params: caseParamsSchema,
      querystring: documentUploadQuerySchema,
      response: uploadResponses,
    },
    handler: async (request, reply) => {
      const target = await caseTarget(actorOf(request), request.params.caseId);
      if (caseHasEnded(target.status)) throw problem.conflict(`the case is ${target.status}`, problemTypes.caseNotActive);
      return upload(request, reply, target, request.query);
    },
  });

  fastify.post('/persons/:personId/documents', {
    config: { action: 'documents.upload', audit: 'write' },
    schema: {
      tags: ['documents'],
      summary: "Attach a document to a person of your areas (e.g. an identity document), seen from each of their cases",
      description: multipartUploadDescription,
      consumes: ['multipart/form-data'],
      security: bearerSecurity,
      params: personParamsSchema,
      querystring: documentUploadQuerySchema.omit({ stepId: true }),
      response: uploadResponses,
    },
    handler: async (request, reply) => upload(request, reply, await personTarget(actorOf(request), request.params.personId), request.query),
  });

  fastify.get('/cases/:caseId/documents', {
    config: { action: 'documents.read', audit: 'read' },
    schema: {
      tags: ['documents'],
      summary: "A case's documents (its own, its steps' and its person's), newest first",
      security: bearerSecurity,
      params: caseParamsSchema,
      response: { 200: documentListSchema, ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request) => {
      const target = await caseTarget(actorOf(request), request.params.caseId);
      const items = await listDocuments(fastify.db, { caseId: request.params.caseId, personId: target.personId });
      reportAccess(request, { caseId: target.caseId, areaId: target.areaId, personId: target.personId, fields: items.map((item) => `document.${item.documentId}`) });
      return { items };
    },
  });

  fastify.get('/persons/:personId/documents', {
    config: { action: 'documents.read', audit: 'read' },
    schema: {
      tags: ['documents'],
      summary: "A person's documents (all their cases'), newest first",
      security: bearerSecurity,
      params: personParamsSchema,
      response: { 200: documentListSchema, ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request) => {
      const target = await personTarget(actorOf(request), request.params.personId);
      // Documents of the person's cases outside the actor's areas stay out.
      const items = (await listDocuments(fastify.db, { personId: target.personId })).filter((item) => item.caseId === null || target.visibleCases.has(item.caseId));
      reportAccess(request, { personId: target.personId, areaId: target.areaId, fields: items.map((item) => `document.${item.documentId}`) });
      return { items };
    },
  });

  fastify.get('/documents/:documentId', {
    config: { action: 'documents.read', audit: 'read' },
    schema: {
      tags: ['documents'],
      summary: "A document's description (kind, type, size, expiry, name)",
      security: bearerSecurity,
      params: documentParamsSchema,
      response: { 200: documentViewSchema, ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request) => {
      const record = await visibleDocument(actorOf(request), request.params.documentId);
      reportAccess(request, { caseId: record.caseId, areaId: record.areaId, personId: record.personId, fields: [`document.${record.documentId}`] });
      return documentViewOf(fastify.db, record);
    },
  });

  fastify.get('/documents/:documentId/content', {
    config: { action: 'documents.read', audit: 'read' },
    schema: {
      tags: ['documents'],
      summary: 'Download a document (decrypted as it streams); every download is audited',
      security: bearerSecurity,
      params: documentParamsSchema,
      response: { 200: documentContentSchema, ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request, reply) => {
      const record = await visibleDocument(actorOf(request), request.params.documentId);
      reportAccess(request, { caseId: record.caseId, areaId: record.areaId, personId: record.personId, fields: [`document.${record.documentId}`, 'document.content'] });
      const key = await fastify.personKeys.keyById(record.keyId);
      const stored = key ? await fastify.documentStore.get(record.objectKey) : null;
      // The person's key destroyed or the bytes gone: there is nothing left to read.
      if (!key || !stored) throw problem.notFound(`no document ${record.documentId}`);
      const { fileName } = await documentViewOf(fastify.db, record);
      const plaintext = stored.pipe(decryptDocument({ keyId: record.keyId, key }, record.documentId));
      // A failure mid-download (a frame that does not decrypt, the store gone) breaks the transfer rather than ending it cleanly.
      stored.on('error', (error) => plaintext.destroy(error));
      plaintext.on('error', (error) => request.log.warn({ err: loggable(error) }, 'document download aborted'));
      return reply
        .type(record.contentType)
        .header('content-length', String(record.sizeBytes))
        .header('content-disposition', dispositionOf(record, fileName))
        .header('cache-control', 'no-store')
        // The zod type provider types bodies by the schema (a string); a stream is sent as it is.
        .send(plaintext as unknown as string);
    },
  });
};

export default documentRoutes;
