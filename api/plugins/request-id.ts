/**
 * Request ids: a caller's `X-Request-Id` is kept when it looks like an id (so a gateway's id follows
 * the request through our logs), otherwise a new UUID is made; either way it is echoed back in the
 * response and appears as `reqId` on every log line of the request. Anything else a caller sends in
 * that header is dropped, so it can never smuggle personal data into the logs.
 */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import fp from 'fastify-plugin';

const acceptableId = /^[A-Za-z0-9._:-]{8,128}$/;

/** Fastify's genReqId: the caller's id when acceptable, else a fresh UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && acceptableId.test(header) ? header : randomUUID();
}

export default fp(
  async function requestId(fastify) {
    fastify.addHook('onSend', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });
  },
  { name: 'request-id' },
);
