/**
 * Documents in an S3-compatible object store (production). Objects are written as they stream in:
 * a small object in one PutObject, a larger one as a multipart upload of `partBytes` parts (S3's
 * minimum is 5 MiB), so memory holds one part at most; a failed upload is aborted.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import type { DocumentStore } from './document-store';

export interface S3DocumentStoreOptions {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style addressing (`endpoint/bucket/key`), which most self-hosted S3-compatible servers need. */
  forcePathStyle: boolean;
  /** Size of each part of a multipart upload; at least 5 MiB. */
  partBytes?: number;
}

const minimumPartBytes = 5 * 1024 * 1024;

export class S3DocumentStore implements DocumentStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly partBytes: number;

  constructor(options: S3DocumentStoreOptions) {
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.accessKeyId && options.secretAccessKey ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } : undefined,
    });
    this.bucket = options.bucket;
    this.partBytes = Math.max(minimumPartBytes, options.partBytes ?? 8 * 1024 * 1024);
  }

  /** Creates the bucket when it does not exist (embedded and test setups; production provisions it). */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    }
  }

  async put(objectKey: string, body: Readable): Promise<{ bytes: number }> {
    let parts: Buffer[] = [];
    let partLength = 0;
    let bytes = 0;
    let uploadId: string | undefined;
    const completed: Array<{ ETag: string | undefined; PartNumber: number }> = [];
    const sendPart = async (final: boolean) => {
      const all = Buffer.concat(parts);
      const size = final ? all.length : this.partBytes;
      const part = all.subarray(0, size);
      parts = [all.subarray(size)];
      partLength = all.length - size;
      if (uploadId === undefined) {
        const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: objectKey, ContentType: 'application/octet-stream' }));
        uploadId = created.UploadId;
      }
      const partNumber = completed.length + 1;
      const uploaded = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: objectKey, UploadId: uploadId, PartNumber: partNumber, Body: part, ContentLength: part.length }));
      completed.push({ ETag: uploaded.ETag, PartNumber: partNumber });
    };
    try {
      for await (const piece of body) {
        const buffer = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as Uint8Array);
        parts.push(buffer);
        partLength += buffer.length;
        bytes += buffer.length;
        // Keep one byte past a full part back: the last part may be small, the others may not.
        while (partLength > this.partBytes) await sendPart(false);
      }
      if (uploadId === undefined) {
        const whole = Buffer.concat(parts);
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: objectKey, Body: whole, ContentLength: whole.length, ContentType: 'application/octet-stream' }));
        return { bytes };
      }
      await sendPart(true);
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: objectKey, UploadId: uploadId, MultipartUpload: { Parts: completed } }));
      return { bytes };
    } catch (error) {
      if (uploadId !== undefined) await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: objectKey, UploadId: uploadId })).catch(() => undefined);
      throw error;
    }
  }

  async get(objectKey: string): Promise<Readable | null> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return object.Body instanceof Readable ? object.Body : Readable.from(object.Body as unknown as AsyncIterable<Uint8Array>);
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  }

  async delete(objectKey: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey }));
  }

  /** Closes the client's connections. */
  close(): void {
    this.client.destroy();
  }
}
