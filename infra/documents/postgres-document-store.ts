/**
 * The embedded document store: each object is a run of rows of at most `chunkBytes`, written as the
 * stream arrives and read back one row at a time, so neither side holds a whole file.
 */
import { Readable } from 'node:stream';
import type { Queryable } from '../db/pool';
import type { DocumentStore } from './document-store';

export class PostgresDocumentStore implements DocumentStore {
  readonly kind = 'postgres' as const;

  constructor(
    private readonly db: Queryable,
    private readonly chunkBytes = 256 * 1024,
  ) {}

  async put(objectKey: string, body: Readable): Promise<{ bytes: number }> {
    let seq = 0;
    let bytes = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (size: number) => {
      const all = Buffer.concat(pending);
      const chunk = all.subarray(0, size);
      pending = [all.subarray(size)];
      pendingBytes = all.length - size;
      await this.db.query('INSERT INTO document_chunks (object_key, seq, data) VALUES ($1, $2, $3)', [objectKey, seq, chunk]);
      seq += 1;
    };
    try {
      for await (const piece of body) {
        const buffer = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as Uint8Array);
        pending.push(buffer);
        pendingBytes += buffer.length;
        bytes += buffer.length;
        while (pendingBytes >= this.chunkBytes) await flush(this.chunkBytes);
      }
      if (pendingBytes > 0 || seq === 0) await flush(pendingBytes);
      return { bytes };
    } catch (error) {
      // Half an object is no object: what was written goes.
      await this.delete(objectKey).catch(() => undefined);
      throw error;
    }
  }

  async get(objectKey: string): Promise<Readable | null> {
    const first = await this.chunk(objectKey, 0);
    if (first === null) return null;
    const next = (seq: number) => this.chunk(objectKey, seq);
    return Readable.from(
      (async function* chunks() {
        let current: Buffer | null = first;
        for (let seq = 1; current !== null; seq += 1) {
          yield current;
          current = await next(seq);
        }
      })(),
    );
  }

  async delete(objectKey: string): Promise<void> {
    await this.db.query('DELETE FROM document_chunks WHERE object_key = $1', [objectKey]);
  }

  private async chunk(objectKey: string, seq: number): Promise<Buffer | null> {
    const { rows } = await this.db.query<{ data: Buffer }>('SELECT data FROM document_chunks WHERE object_key = $1 AND seq = $2', [objectKey, seq]);
    return rows[0]?.data ?? null;
  }
}
