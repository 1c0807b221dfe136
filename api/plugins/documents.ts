/**
 * The document store of the app (infra/documents): PostgreSQL by default, an S3-compatible store when
 * configured (`config.documents`: DOCUMENT_STORE=s3 and its DOCUMENT_S3_* settings).
 */
import fp from 'fastify-plugin';
import type { Queryable } from '../../infra/db/pool';
import type { DocumentStore } from '../../infra/documents/document-store';
import { PostgresDocumentStore } from '../../infra/documents/postgres-document-store';
import { S3DocumentStore } from '../../infra/documents/s3-document-store';
import type { DocumentSettings } from '../../infra/documents/settings';

declare module 'fastify' {
  interface FastifyInstance {
    documentStore: DocumentStore;
  }
}

/** The configured store: PostgreSQL (the read model's database) by default, or the S3-compatible one. */
function createDocumentStore(settings: DocumentSettings, db: Queryable): DocumentStore {
  if (settings.store === 'postgres') return new PostgresDocumentStore(db);
  return new S3DocumentStore({ ...settings.s3, bucket: settings.s3.bucket as string });
}

export default fp(
  async function documentStorage(fastify) {
    fastify.decorate('documentStore', createDocumentStore(fastify.appConfig.documents, fastify.db));
  },
  { name: 'document-store', dependencies: ['dependencies'] },
);
