/**
 * The remote codec endpoint of the Temporal UI and CLI (`POST /codec/decode`, `/codec/encode`):
 * authorised users (action `codec.use`, bearer token through the normal authentication) see
 * payloads decoded; everyone else gets 401/403. Payloads of an erased person stay encrypted, since
 * their key no longer exists. CORS admits the Temporal UI's origin, including the preflight of a
 * request with an Authorization header, which is answered before authentication.
 *
 * Registered outside the protected scope (its preflight must not need a token), so it authenticates
 * and checks its action itself.
 */
import type { Payload } from '@temporalio/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { mayPerform } from '../../../domain/authorization';
import { EncryptionCodec, keyIdOf } from '../../../infra/codec/payload-codec';
import { PERSON_KEY_PREFIX } from '../../../infra/codec/person-key-store';
import { personsOfKeys } from '../../../infra/db/person-repository';
import { reportAccess } from '../../plugins/audit';
import { actorOf } from '../../plugins/auth';
import { problem } from '../../plugins/problems';
import { codecHeadersSchema, codecPayloadsSchema, type CodecPayloads } from '../../schemas/codec';
import { bearerSecurity } from '../../schemas/common';
import { problemResponses } from '../../schemas/problem';

function toPayload(json: CodecPayloads['payloads'][number]): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(json.metadata ?? {}).map(([key, value]) => [key, new Uint8Array(Buffer.from(value, 'base64'))])),
    data: json.data === undefined ? undefined : new Uint8Array(Buffer.from(json.data, 'base64')),
  };
}

function toJson(payload: Payload): CodecPayloads['payloads'][number] {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
    ...(payload.data ? { data: Buffer.from(payload.data).toString('base64') } : {}),
  };
}

/** The Temporal UI's origins: configured, or the embedded UI's on this host. */
function uiOrigins(fastify: FastifyInstance): Set<string> {
  const configured = fastify.appConfig.codecCorsOrigins;
  const port = fastify.appConfig.temporalUiPort;
  return new Set(configured ?? [`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

export default async function codecRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const origins = uiOrigins(fastify);
  // One @fastify/cors serves the whole app (api/plugins/security.ts); this adds the UI's origins for these routes.
  fastify.allowCrossOrigin({ pathPrefix: '/codec/', origins, methods: ['POST'], allowedHeaders: ['authorization', 'content-type', 'x-namespace'] });
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (request.method === 'OPTIONS') return;
    await fastify.authenticate(request);
    if (!mayPerform(actorOf(request).roles, 'codec.use')) throw problem.forbidden('decoding Temporal payloads needs the codec.use permission');
  });

  const codec = new EncryptionCodec(fastify.personKeys);
  const checkNamespace = (namespace: string | undefined) => {
    if (namespace !== undefined && namespace !== fastify.appConfig.temporal.namespace) {
      throw problem.notFound(`this codec serves namespace "${fastify.appConfig.temporal.namespace}" only`);
    }
  };
  const schema = (summary: string) => ({
    tags: ['codec'],
    summary,
    security: bearerSecurity,
    headers: codecHeadersSchema,
    body: codecPayloadsSchema,
    response: { 200: codecPayloadsSchema, ...problemResponses(400, 401, 403, 404) },
  });

  app.post('/codec/decode', {
    // Decoding reveals personal data: who decoded, and when, goes to the audit log.
    config: { action: 'codec.use', audit: 'read' },
    schema: schema('Decode Temporal payloads (remote codec for the Temporal UI and CLI)'),
    handler: async (request) => {
      checkNamespace(request.headers['x-namespace']);
      const personKeys = new Set<string>();
      const decoded = await Promise.all(
        request.body.payloads.map(async (json) => {
          const payload = toPayload(json);
          // Undecodable (an erased person's, or a key that left the ring) stays as it is: the UI shows it encrypted.
          const result = await codec.tryDecode(payload).catch(() => 'undecodable' as const);
          if (result === 'undecodable') return payload;
          const keyId = keyIdOf(payload);
          if (keyId?.startsWith(PERSON_KEY_PREFIX)) personKeys.add(keyId);
          return result;
        }),
      );
      // Whose data was revealed goes to the audit log: the person (or, for several, each of them), never the content.
      const persons = await personsOfKeys(fastify.db, [...personKeys]);
      reportAccess(request, { personId: persons.length === 1 ? persons[0] : null, fields: persons.map((personId) => `person.${personId}`) });
      request.log.info({ actorId: actorOf(request).id, payloads: decoded.length }, 'temporal payloads decoded');
      return { payloads: decoded.map(toJson) };
    },
  });

  app.post('/codec/encode', {
    config: { action: 'codec.use' },
    schema: schema('Encode Temporal payloads with the active master key (remote codec)'),
    handler: async (request) => {
      checkNamespace(request.headers['x-namespace']);
      return { payloads: codec.encryptWithMasterKey(request.body.payloads.map(toPayload)).map(toJson) };
    },
  });
}
