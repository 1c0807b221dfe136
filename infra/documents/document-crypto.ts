/**
 * Documents are encrypted as they stream, in frames: the plaintext is cut into segments of
 * `segmentBytes`, each sealed with AES-256-GCM under the person's data key (infra/codec/aes-gcm.ts,
 * a fresh nonce per frame). A frame is `flag (1 byte: 1 = last) ‖ length (4 bytes) ‖ sealed`, and the
 * additional data binds it to its document, key, position and flag, so frames cannot be reordered,
 * moved to another document, dropped from the end or followed by extra ones without decryption
 * failing. Erasing the person's key makes every frame noise.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { open, seal } from '../codec/aes-gcm';
import type { DataKey } from '../codec/person-key-store';

const headerBytes = 5;
const tagOverhead = 12 + 16;
export const defaultSegmentBytes = 64 * 1024;

const aadOf = (documentId: string, keyId: string, seq: number, last: boolean) => `document:${documentId}:${keyId}:${seq}:${last ? 1 : 0}`;

function frame(key: DataKey, documentId: string, seq: number, last: boolean, plaintext: Buffer): Buffer {
  const sealed = seal(key.key, plaintext, aadOf(documentId, key.keyId, seq, last));
  const header = Buffer.alloc(headerBytes);
  header.writeUInt8(last ? 1 : 0, 0);
  header.writeUInt32BE(sealed.length, 1);
  return Buffer.concat([header, sealed]);
}

/** A transform that encrypts a document's bytes into frames; it holds at most one segment. */
export function encryptDocument(key: DataKey, documentId: string, segmentBytes = defaultSegmentBytes): Transform {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let seq = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      held.push(chunk);
      heldBytes += chunk.length;
      // A full segment goes out only once more bytes follow it: the last frame must be marked last.
      while (heldBytes > segmentBytes) {
        const all = Buffer.concat(held);
        this.push(frame(key, documentId, seq, false, all.subarray(0, segmentBytes)));
        seq += 1;
        held = [all.subarray(segmentBytes)];
        heldBytes = all.length - segmentBytes;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      this.push(frame(key, documentId, seq, true, Buffer.concat(held)));
      callback();
    },
  });
}

/**
 * A transform that decrypts frames back into the document's bytes; it fails on any altered,
 * reordered, missing or extra frame.
 */
export function decryptDocument(key: DataKey, documentId: string, maxSegmentBytes = defaultSegmentBytes): Transform {
  let buffered: Buffer = Buffer.alloc(0);
  let seq = 0;
  let ended = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      try {
        while (buffered.length >= headerBytes) {
          if (ended) throw new Error('document has bytes after its last frame');
          const last = buffered.readUInt8(0) === 1;
          const length = buffered.readUInt32BE(1);
          if (length > maxSegmentBytes + tagOverhead || length < tagOverhead) throw new Error('document frame has an impossible length');
          if (buffered.length < headerBytes + length) break;
          this.push(open(key.key, buffered.subarray(headerBytes, headerBytes + length), aadOf(documentId, key.keyId, seq, last)));
          buffered = buffered.subarray(headerBytes + length);
          seq += 1;
          ended = last;
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      callback(ended && buffered.length === 0 ? null : new Error('document is truncated'));
    },
  });
}
