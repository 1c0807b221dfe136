/**
 * The document store of the app (infra/documents): PostgreSQL by default, an S3-compatible store when
 * configured (DOCUMENT_STORE=s3 and its DOCUMENT_S3_* settings), with the upload size limit.
 * Settings are read from the environment at registration unless given (tests give a store).
 */
import fp from 'fastify-plugin';
import type { DocumentStore } from '../../infra/documents/document-store';
import { createDocumentStore, loadDocumentSettings, type DocumentSettings } from '../../infra/documents/settings';

declare module 'fastify' {
  interface FastifyInstance {
    documentStore: DocumentStore;
    documentSettings: DocumentSettings;
  }
}

export interface DocumentStoragePluginOptions {
  settings?: DocumentSettings;
  store?: DocumentStore;
}

export default fp<DocumentStoragePluginOptions>(
  async function documentStorage(fastify, options) {
    const settings = options.settings ?? loadDocumentSettings(process.env);
    fastify.decorate('documentSettings', settings);
    fastify.decorate('documentStore', options.store ?? createDocumentStore(settings, fastify.db));
  },
  { name: 'document-store', dependencies: ['dependencies'] },
);
