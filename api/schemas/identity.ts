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
    authorization_endpoint: z.string().optional(),
    code_challenge_methods_supported: z.array(z.string()).optional(),
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

const clientCredentialsRequestSchema = z.object({
  grant_type: z.literal('client_credentials'),
  client_id: z.string().min(1).max(100),
  client_secret: clientSecretSchema,
  scope: z.string().max(1_000).optional().describe('Ignored: what a service account may do comes from its roles.'),
});

/** The console's public client at the embedded issuer; its only redirect URI is the console's callback on the issuer's origin. */
export const CONSOLE_CLIENT_ID = 'reticulate-console';
export const CONSOLE_CALLBACK_PATH = '/console/callback';

const redirectUriSchema = z.url({ protocol: /^https?$/ }).max(2_000);
// RFC 7636 §4.1: 43 to 128 unreserved characters.
const pkceVerifierSchema = z.string().regex(/^[A-Za-z0-9\-._~]{43,128}$/, 'must be 43 to 128 unreserved characters (RFC 7636)');

const authorizationCodeRequestSchema = z.object({
  grant_type: z.literal('authorization_code'),
  code: z.string().min(1).max(200),
  redirect_uri: redirectUriSchema,
  client_id: z.string().min(1).max(100),
  code_verifier: pkceVerifierSchema,
});

export const tokenRequestSchema = z
  .discriminatedUnion('grant_type', [clientCredentialsRequestSchema, authorizationCodeRequestSchema], {
    error: 'must be client_credentials (service accounts) or authorization_code (the console, with PKCE)',
  })
  .meta({ id: 'TokenRequest', description: 'RFC 6749 §4.4 (client credentials) or §4.1 with PKCE (RFC 7636), as application/x-www-form-urlencoded or JSON.' });

/** An authorization request of the console (RFC 6749 §4.1.1 with PKCE): only the S256 method, only public clients we know. */
export const authorizationRequestSchema = z
  .object({
    response_type: z.literal('code', { error: 'only the authorization code flow ("code") is supported' }),
    client_id: z.literal(CONSOLE_CLIENT_ID, { error: `unknown client: the embedded issuer's only public client is ${CONSOLE_CLIENT_ID}` }),
    redirect_uri: redirectUriSchema,
    code_challenge: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the base64url SHA-256 of the code verifier (43 characters)'),
    code_challenge_method: z.literal('S256', { error: 'only S256 is supported' }),
    state: z.string().max(2_000).optional(),
    scope: z.string().max(1_000).optional(),
    response_mode: z.literal('query').optional(),
  });

export const demoSignInRequestSchema = authorizationRequestSchema
  .extend({ user_id: z.string().min(1).max(100).describe('The demo user signing in.') })
  .meta({ id: 'DemoSignInRequest' });

export const demoSignInResponseSchema = z
  .object({ redirectTo: z.string().describe('The redirect URI with `code` and `state`: the browser goes there.') })
  .meta({ id: 'DemoSignInResponse' });

export const demoUserListSchema = z
  .object({
    users: z.array(z.object({ id: z.string(), name: z.string(), roles: z.array(roleSchema), areas: z.array(z.string()), services: z.array(z.string()) })),
  })
  .meta({ id: 'DemoUserList' });

export const consoleConfigSchema = z
  .object({
    authority: z.string().describe('The OIDC issuer the console signs in with.'),
    clientId: z.string(),
    scope: z.string(),
    demoSignIn: z.boolean().describe('Whether the embedded sign-in page (demo users) is on.'),
    consoleOrigin: z.string().nullable().describe('With the embedded issuer, the origin the console must run on (its redirect URI).'),
  })
  .meta({ id: 'ConsoleConfig' });

export const tokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    scope: z.string().optional(),
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
