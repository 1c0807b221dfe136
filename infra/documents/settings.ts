/**
 * Document storage settings, parsed from the environment once at the edge (like infra/config.ts):
 * which store holds the bytes, how large a document may be, and the object store's address and
 * credentials (secrets also from `*_FILE`).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Queryable } from '../db/pool';
import { documentStoreKinds, type DocumentStore } from './document-store';
import { PostgresDocumentStore } from './postgres-document-store';
import { S3DocumentStore } from './s3-document-store';

const settingsSchema = z
  .object({
    store: z.enum(documentStoreKinds).default('postgres'),
    maxBytes: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(10 * 1024 * 1024),
    s3: z.object({
      endpoint: z.url({ protocol: /^https?$/ }).optional(),
      region: z.string().min(1).default('eu-south-1'),
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name').optional(),
      accessKeyId: z.string().min(1).optional(),
      secretAccessKey: z.string().min(1).optional(),
      forcePathStyle: z.stringbool({ error: 'must be true or false' }).default(false),
    }),
  })
  .superRefine((settings, ctx) => {
    if (settings.store === 's3' && !settings.s3.bucket) ctx.addIssue({ code: 'custom', path: ['s3', 'bucket'], message: 'DOCUMENT_S3_BUCKET is required with DOCUMENT_STORE=s3' });
  });

export type DocumentSettings = z.infer<typeof settingsSchema>;

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function secret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const inline = value(env, name);
  if (inline !== undefined) return inline;
  const file = value(env, `${name}_FILE`);
  return file === undefined ? undefined : readFileSync(file, 'utf8').trim();
}

const envNames: Record<string, string> = {
  store: 'DOCUMENT_STORE',
  maxBytes: 'DOCUMENT_MAX_BYTES',
  's3.endpoint': 'DOCUMENT_S3_ENDPOINT',
  's3.region': 'DOCUMENT_S3_REGION',
  's3.bucket': 'DOCUMENT_S3_BUCKET',
  's3.forcePathStyle': 'DOCUMENT_S3_FORCE_PATH_STYLE',
};

/** The document settings of the environment; throws one readable error naming every bad variable. */
export function loadDocumentSettings(env: NodeJS.ProcessEnv = process.env): DocumentSettings {
  const parsed = settingsSchema.safeParse({
    store: value(env, 'DOCUMENT_STORE'),
    maxBytes: value(env, 'DOCUMENT_MAX_BYTES'),
    s3: {
      endpoint: value(env, 'DOCUMENT_S3_ENDPOINT'),
      region: value(env, 'DOCUMENT_S3_REGION'),
      bucket: value(env, 'DOCUMENT_S3_BUCKET'),
      accessKeyId: secret(env, 'DOCUMENT_S3_ACCESS_KEY_ID'),
      secretAccessKey: secret(env, 'DOCUMENT_S3_SECRET_ACCESS_KEY'),
      forcePathStyle: value(env, 'DOCUMENT_S3_FORCE_PATH_STYLE'),
    },
  });
  if (parsed.success) return parsed.data;
  // Values are never echoed: a secret may be among them.
  const lines = parsed.error.issues.map((issue) => `${envNames[issue.path.join('.')] ?? issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid document storage configuration:\n${lines.join('\n')}`);
}

/** The configured store: PostgreSQL (the read model's database) by default, or the S3-compatible one. */
export function createDocumentStore(settings: DocumentSettings, db: Queryable): DocumentStore {
  if (settings.store === 'postgres') return new PostgresDocumentStore(db);
  return new S3DocumentStore({ ...settings.s3, bucket: settings.s3.bucket as string });
}
