/**
 * Refuses text PostgreSQL cannot store before it reaches a handler: NUL characters and lone UTF-16
 * surrogates, in any string or key of the params, query or body. Left through, they would fail a
 * query with a 500 or, worse, make a case's projection batch unstorable for ever.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { unstorableText as unstorable } from '../schemas/common';
import type { ProblemIssue } from '../schemas/problem';
import { problem } from './problems';
const maxDepth = 64;

type Location = NonNullable<ProblemIssue['location']>;

function findUnstorable(value: unknown, path: (string | number)[], depth: number): { path: (string | number)[]; message: string } | undefined {
  if (depth > maxDepth) return { path, message: `nested deeper than ${maxDepth} levels` };
  if (typeof value === 'string') return unstorable.test(value) ? { path, message: 'contains a NUL character or an unpaired surrogate' } : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findUnstorable(value[i], [...path, i], depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (unstorable.test(key)) return { path: [...path, key], message: 'the key contains a NUL character or an unpaired surrogate' };
      const found = findUnstorable(child, [...path, key], depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function check(request: FastifyRequest): void {
  const parts: Array<[Location, unknown]> = [
    ['params', request.params],
    ['querystring', request.query],
    ['body', request.body],
  ];
  for (const [location, value] of parts) {
    const found = findUnstorable(value, [], 0);
    if (found) throw problem.badRequest(`the ${location} holds text that cannot be stored`, [{ ...found, location }]);
  }
}

export default fp(
  async function inputGuard(fastify) {
    fastify.addHook('preValidation', async (request) => check(request));
  },
  { name: 'input-guard' },
);
