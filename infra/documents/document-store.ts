/**
 * Where document bytes live. The bytes a store sees are already encrypted (infra/documents/
 * document-crypto.ts): a store only keeps and returns opaque objects, as streams, so no file is ever
 * held whole in memory.
 */
import type { Readable } from 'node:stream';

export const documentStoreKinds = ['postgres', 's3'] as const;
export type DocumentStoreKind = (typeof documentStoreKinds)[number];

export interface DocumentStore {
  readonly kind: DocumentStoreKind;
  /** Stores the stream under the key (replacing nothing: keys are fresh); resolves with the bytes stored. */
  put(objectKey: string, body: Readable): Promise<{ bytes: number }>;
  /** The stored bytes as a stream; null when no object has the key. */
  get(objectKey: string): Promise<Readable | null>;
  /** Deletes the object; deleting a missing object is not an error. */
  delete(objectKey: string): Promise<void>;
}
