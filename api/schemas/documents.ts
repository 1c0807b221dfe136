/** Schemas of the documents routes: upload metadata, document views and the binary download. */
import { z } from 'zod';
import { documentContentTypes, documentKinds } from '../../domain/document-kinds';
import type { DocumentView } from '../../infra/db/document-repository';
import { isoDateTime, opaqueId } from './common';

export const documentKindSchema = z.enum(documentKinds).describe('isee, pad, pais_signed (the signed PaIS), identity_document, residenza_fittizia.');

const isoDate = z.iso.date();

/** Upload metadata travels in the query (codes and a date only); the multipart body carries the file. */
export const documentUploadQuerySchema = z.object({
  kind: documentKindSchema,
  stepId: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/).optional().describe("A step of the case the document belongs to (e.g. `eligibility` for an ISEE)."),
  expiresOn: isoDate.optional().describe('When the certificate expires; for an ISEE it defaults to 31 December of the upload year (Europe/Rome).'),
});

export const documentViewSchema = z
  .object({
    documentId: z.string(),
    personId: z.string(),
    caseId: z.string().nullable(),
    stepId: z.string().nullable(),
    areaId: z.string(),
    kind: documentKindSchema,
    contentType: z.enum(documentContentTypes).describe('Recognised from the content, not from what the client declared.'),
    sizeBytes: z.number().int(),
    fileName: z.string().nullable().describe("The uploaded file's name, sealed under the person's key."),
    expiresOn: isoDate.nullable(),
    uploadedBy: z.string(),
    uploadedAt: isoDateTime,
    erasedAt: isoDateTime.nullable(),
  })
  .meta({ id: 'Document' }) satisfies z.ZodType<DocumentView>;

export const documentListSchema = z.object({ items: z.array(documentViewSchema) }).meta({ id: 'DocumentList' });

export const documentParamsSchema = z.object({ documentId: opaqueId });

export const documentContentSchema = z
  .string()
  .meta({ format: 'binary' })
  .describe('The document as uploaded (PDF, JPEG or PNG), decrypted as it streams.');

export const multipartUploadDescription =
  'multipart/form-data with one part named `file` (PDF, JPEG or PNG, recognised from its first bytes; anything else 415 and nothing stored; over the size limit 413). Encrypted as it streams under the person\'s key (AES-256-GCM frames).';
