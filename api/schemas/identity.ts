/**
 * The embedded issuer's public documents (OIDC discovery, JWKS), the client-credentials token
 * exchange, and service accounts.
 */
import { z } from 'zod';
import { roleSchema } from '../../domain/pathway-schema';
import { areaIdSchema, isoDateTime } from './common';

export const discoveryDocumentSchema = z
  .object({
    issuer: z.string(),
    jwks_uri: z.string(),
    token_endpoint: z.string(),
    grant_types_supported: z.array(z.string()),
    token_endpoint_auth_methods_supported: z.array(z.string()),
    id_token_signing_alg_values_supported: z.array(z.string()),
    response_types_supported: z.array(z.string()),
    subject_types_supported: z.array(z.string()),
  })
  .meta({ id: 'OpenIdConfiguration' });

export const jwksSchema = z
  .object({
    keys: z.array(z.looseObject({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.string() })),
  })
  .meta({ id: 'JsonWebKeySet' });

/** A client id: a service account's id in the users table. */
export const clientIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{2,62}$/, 'lower-case letters, digits and dashes, 3 to 63 characters, starting with a letter');

// Secrets we issue are 43 characters; a longer one is not ours and is refused before any hashing.
const clientSecretSchema = z.string().min(1).max(200);

export const tokenRequestSchema = z
  .object({
    grant_type: z.literal('client_credentials', { error: 'only client_credentials is supported' }),
    client_id: z.string().min(1).max(100),
    client_secret: clientSecretSchema,
    scope: z.string().max(1_000).optional().describe('Ignored: what a service account may do comes from its roles.'),
  })
  .meta({ id: 'TokenRequest', description: 'RFC 6749 §4.4, as application/x-www-form-urlencoded or JSON.' });

export const tokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
  })
  .meta({ id: 'TokenResponse' });

const serviceKeySchema = z.string().regex(/^[a-z][a-z0-9_-]{0,40}$/, 'service keys are lower case');

export const serviceAccountCreateSchema = z
  .strictObject({
    id: clientIdSchema.describe('The client id, chosen by the admin (e.g. `shelter-intake-bridge`); never reused.'),
    name: z.string().trim().min(1).max(200),
    roles: z.array(roleSchema).min(1).max(5),
    areas: z.array(areaIdSchema).max(50).default([]),
    services: z.array(serviceKeySchema).max(50).default([]),
  })
  .meta({ id: 'ServiceAccountCreate' });

export const serviceAccountSchema = z
  .object({
    id: z.string(),
    kind: z.literal('service'),
    name: z.string(),
    roles: z.array(roleSchema),
    areas: z.array(z.string()),
    services: z.array(z.string()),
    createdAt: isoDateTime,
    createdBy: z.string().nullable(),
  })
  .meta({ id: 'ServiceAccount' });

export const serviceAccountWithSecretSchema = z
  .object({
    account: serviceAccountSchema,
    clientSecret: z.string().describe('Shown once: only its hash is stored.'),
  })
  .meta({ id: 'ServiceAccountWithSecret' });

export const serviceAccountListSchema = z.object({ items: z.array(serviceAccountSchema) }).meta({ id: 'ServiceAccountList' });

export const serviceAccountParamsSchema = z.object({ id: z.string().min(1).max(100) });
