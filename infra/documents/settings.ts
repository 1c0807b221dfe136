/**
 * Document storage settings, parsed from the environment with the rest of the configuration
 * (infra/config.ts embeds this schema as `config.documents`): which store holds the bytes, how large
 * a document may be, and the object store's address and credentials (secrets also from `*_FILE`).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { documentStoreKinds } from './document-store';

export const documentSettingsSchema = z
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
    if (settings.store === 's3' && !settings.s3.bucket) ctx.addIssue({ code: 'custom', path: ['s3', 'bucket'], message: 'is required with DOCUMENT_STORE=s3' });
  });

export type DocumentSettings = z.infer<typeof documentSettingsSchema>;

export const documentEnvNames = {
  'documents.store': 'DOCUMENT_STORE',
  'documents.maxBytes': 'DOCUMENT_MAX_BYTES',
  'documents.s3.endpoint': 'DOCUMENT_S3_ENDPOINT',
  'documents.s3.region': 'DOCUMENT_S3_REGION',
  'documents.s3.bucket': 'DOCUMENT_S3_BUCKET',
  'documents.s3.accessKeyId': 'DOCUMENT_S3_ACCESS_KEY_ID',
  'documents.s3.secretAccessKey': 'DOCUMENT_S3_SECRET_ACCESS_KEY',
  'documents.s3.forcePathStyle': 'DOCUMENT_S3_FORCE_PATH_STYLE',
} as const;

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

/** The raw (unparsed) document settings from the environment; unset and empty both mean the default. */
export function documentEnv(env: NodeJS.ProcessEnv) {
  return {
    store: value(env, documentEnvNames['documents.store']),
    maxBytes: value(env, documentEnvNames['documents.maxBytes']),
    s3: {
      endpoint: value(env, documentEnvNames['documents.s3.endpoint']),
      region: value(env, documentEnvNames['documents.s3.region']),
      bucket: value(env, documentEnvNames['documents.s3.bucket']),
      accessKeyId: secret(env, documentEnvNames['documents.s3.accessKeyId']),
      secretAccessKey: secret(env, documentEnvNames['documents.s3.secretAccessKey']),
      forcePathStyle: value(env, documentEnvNames['documents.s3.forcePathStyle']),
    },
  };
}
