/**
 * Document metadata: what a document is (kind, type, size, expiry), whose it is (person, case,
 * step), where its encrypted bytes are (store and object key) and under which key. The file name is
 * sealed under the person's key; everything else is coded.
 */
import type { DocumentContentType, DocumentKind } from '../../domain/document-kinds';
import { openJson, personKeysOf, type SealedJson } from '../codec/personal-data';
import type { DocumentStoreKind } from '../documents/document-store';
import type { Queryable } from './pool';

/** A stored object of a document store. */
export interface StoredObject {
  store: DocumentStoreKind;
  objectKey: string;
}

export interface DocumentRecord extends StoredObject {
  documentId: string;
  personId: string;
  caseId: string | null;
  stepId: string | null;
  areaId: string;
  kind: DocumentKind;
  contentType: DocumentContentType;
  sizeBytes: number;
  expiresOn: string | null;
  keyId: string;
  uploadedBy: string;
  uploadedAt: string;
  erasedAt: string | null;
}

/** A document as stored: the record with its file name still sealed. */
export type StoredDocument = DocumentRecord & { fileName: SealedJson | null };

/** A document as the API shows it: the file name opened (null once the person's key is gone). */
export type DocumentView = Omit<DocumentRecord, 'store' | 'objectKey' | 'keyId'> & { fileName: string | null };

interface DocumentRow {
  document_id: string;
  person_id: string;
  case_id: string | null;
  step_id: string | null;
  area_id: string;
  kind: DocumentKind;
  content_type: DocumentContentType;
  size_bytes: string;
  file_name: SealedJson | null;
  expires_on: string | null;
  key_id: string;
  store: DocumentStoreKind;
  object_key: string;
  uploaded_by: string;
  uploaded_at: Date;
  erased_at: Date | null;
}

const columns = `document_id, person_id, case_id, step_id, area_id, kind, content_type, size_bytes, file_name,
  to_char(expires_on, 'YYYY-MM-DD') AS expires_on, key_id, store, object_key, uploaded_by, uploaded_at, erased_at`;

function storedOf(row: DocumentRow): StoredDocument {
  return {
    documentId: row.document_id,
    personId: row.person_id,
    caseId: row.case_id,
    stepId: row.step_id,
    areaId: row.area_id,
    kind: row.kind,
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
    expiresOn: row.expires_on,
    keyId: row.key_id,
    store: row.store,
    objectKey: row.object_key,
    uploadedBy: row.uploaded_by,
    uploadedAt: row.uploaded_at.toISOString(),
    erasedAt: row.erased_at ? row.erased_at.toISOString() : null,
    fileName: row.file_name,
  };
}

/** The view of a document already read (no query): its file name opened under the person's key. */
export async function documentViewOf(db: Queryable, document: StoredDocument): Promise<DocumentView> {
  const { store: _store, objectKey: _objectKey, keyId: _keyId, fileName: sealed, ...visible } = document;
  const fileName = sealed ? await openJson<string>(personKeysOf(db), sealed).catch(() => undefined) : undefined;
  return { ...visible, fileName: typeof fileName === 'string' ? fileName : null };
}

/** Records a stored document (after its bytes are in the store). */
export async function insertDocument(db: Queryable, record: Omit<StoredDocument, 'erasedAt'>): Promise<void> {
  await db.query(
    `INSERT INTO documents (document_id, person_id, case_id, step_id, area_id, kind, content_type, size_bytes, file_name, expires_on,
       key_id, store, object_key, uploaded_by, uploaded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [
      record.documentId,
      record.personId,
      record.caseId,
      record.stepId,
      record.areaId,
      record.kind,
      record.contentType,
      record.sizeBytes,
      record.fileName,
      record.expiresOn,
      record.keyId,
      record.store,
      record.objectKey,
      record.uploadedBy,
      record.uploadedAt,
    ],
  );
}

/** A document as stored, erased or not; null for an unknown id. */
export async function findDocument(db: Queryable, documentId: string): Promise<StoredDocument | null> {
  const { rows } = await db.query<DocumentRow>(`SELECT ${columns} FROM documents WHERE document_id = $1`, [documentId]);
  return rows[0] ? storedOf(rows[0]) : null;
}

/**
 * The documents of a case (its own and its steps') together with its person's own documents, or of
 * a person (all of theirs), newest first; erased ones are left out.
 */
export async function listDocuments(db: Queryable, of: { caseId: string; personId: string | null } | { personId: string }): Promise<DocumentView[]> {
  const { rows } =
    'caseId' in of
      ? await db.query<DocumentRow>(
          `SELECT ${columns} FROM documents WHERE erased_at IS NULL AND (case_id = $1 OR (case_id IS NULL AND person_id = $2))
           ORDER BY uploaded_at DESC, document_id LIMIT 500`,
          [of.caseId, of.personId],
        )
      : await db.query<DocumentRow>(`SELECT ${columns} FROM documents WHERE erased_at IS NULL AND person_id = $1 ORDER BY uploaded_at DESC, document_id LIMIT 500`, [
          of.personId,
        ]);
  return Promise.all(rows.map((row) => documentViewOf(db, storedOf(row))));
}

/** Erasure (in the caller's transaction): the person's documents are marked erased, their names dropped; returns their objects to delete. */
export async function eraseDocumentsOf(db: Queryable, personId: string, now: Date): Promise<StoredObject[]> {
  const { rows } = await db.query<{ store: DocumentStoreKind; object_key: string }>(
    `UPDATE documents SET erased_at = $2, file_name = NULL WHERE person_id = $1 AND erased_at IS NULL RETURNING store, object_key`,
    [personId, now],
  );
  return rows.map((row) => ({ store: row.store, objectKey: row.object_key }));
}
