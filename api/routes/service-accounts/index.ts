/**
 * Service accounts for integrations (admins only, action `accounts.manage`): create one with its
 * roles, areas and services and get its client secret once; list, read, issue a new secret, delete
 * (deactivates it and forgets the secret; its tokens stop working within the actor cache's seconds).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findAreas, listServiceKeys } from '../../../infra/db/directory-repository';
import {
  deactivateServiceAccount,
  findServiceAccount,
  insertServiceAccount,
  listServiceAccounts,
  replaceClientSecret,
  type ServiceAccountRecord,
} from '../../../infra/db/service-account-repository';
import { generateClientSecret, hashClientSecret } from '../../auth/client-secrets';
import { actorOf } from '../../plugins/auth';
import { bodyLimits } from '../../plugins/limits';
import { problem } from '../../plugins/problems';
import { bearerSecurity } from '../../schemas/common';
import {
  serviceAccountCreateSchema,
  serviceAccountListSchema,
  serviceAccountParamsSchema,
  serviceAccountSchema,
  serviceAccountWithSecretSchema,
} from '../../schemas/identity';
import { problemResponses, problemTypes, type ProblemIssue } from '../../schemas/problem';

function view({ active: _active, ...account }: ServiceAccountRecord) {
  return { ...account, kind: 'service' as const };
}

const serviceAccountRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.post('/service-accounts', {
    config: { action: 'accounts.manage', audit: 'write' },
    bodyLimit: bodyLimits.small,
    schema: {
      tags: ['service-accounts'],
      summary: 'Create a service account; its client secret is shown only in this answer',
      security: bearerSecurity,
      body: serviceAccountCreateSchema,
      response: { 201: serviceAccountWithSecretSchema, ...problemResponses(400, 401, 403, 409, 413, 415, 422, 503) },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const { id, name, roles, areas, services } = request.body;
      const [knownAreas, knownServices] = await Promise.all([findAreas(fastify.db, areas), listServiceKeys(fastify.db)]);
      const issues: ProblemIssue[] = [
        // Least privilege: erasure, payload decoding and account management stay with named people, never a shared secret.
        ...roles.flatMap((role, index) => (role === 'admin' ? [{ path: ['roles', index], message: 'a service account cannot be an admin', location: 'body' as const }] : [])),
        ...areas.flatMap((area, index) => (knownAreas.has(area) ? [] : [{ path: ['areas', index], message: `unknown area "${area}"`, location: 'body' as const }])),
        ...services.flatMap((service, index) => (knownServices.includes(service) ? [] : [{ path: ['services', index], message: `unknown service "${service}"`, location: 'body' as const }])),
      ];
      if (issues.length > 0) throw problem.unprocessable(problemTypes.invalidData, 'the account names an admin role or unknown areas or services', issues);
      const clientSecret = generateClientSecret();
      const secretHash = await hashClientSecret(clientSecret);
      const account = await insertServiceAccount(fastify.db, { id, name, roles, areas: [...new Set(areas)], services: [...new Set(services)], secretHash, createdBy: actor.id });
      if (!account) throw problem.conflict(`the id "${id}" is taken (ids of deleted accounts are never reused)`);
      void reply.header('cache-control', 'no-store');
      return reply.code(201).send({ account: view(account), clientSecret });
    },
  });

  fastify.get('/service-accounts', {
    config: { action: 'accounts.manage' },
    schema: {
      tags: ['service-accounts'],
      summary: 'Active service accounts',
      security: bearerSecurity,
      response: { 200: serviceAccountListSchema, ...problemResponses(401, 403, 503) },
    },
    handler: async () => ({ items: (await listServiceAccounts(fastify.db)).map(view) }),
  });

  fastify.get('/service-accounts/:id', {
    config: { action: 'accounts.manage' },
    schema: {
      tags: ['service-accounts'],
      summary: 'One active service account',
      security: bearerSecurity,
      params: serviceAccountParamsSchema,
      response: { 200: serviceAccountSchema, ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request) => {
      const account = await findServiceAccount(fastify.db, request.params.id);
      if (!account) throw problem.notFound('no such service account');
      return view(account);
    },
  });

  fastify.post('/service-accounts/:id/secret', {
    config: { action: 'accounts.manage', audit: 'write' },
    schema: {
      tags: ['service-accounts'],
      summary: 'Issue a new client secret (the old one stops working at once; tokens already issued run out)',
      security: bearerSecurity,
      params: serviceAccountParamsSchema,
      response: { 200: serviceAccountWithSecretSchema, ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request, reply) => {
      const clientSecret = generateClientSecret();
      const replaced = await replaceClientSecret(fastify.db, request.params.id, await hashClientSecret(clientSecret));
      const account = replaced ? await findServiceAccount(fastify.db, request.params.id) : null;
      if (!account) throw problem.notFound('no such service account');
      void reply.header('cache-control', 'no-store');
      return { account: view(account), clientSecret };
    },
  });

  fastify.delete('/service-accounts/:id', {
    config: { action: 'accounts.manage', audit: 'write' },
    schema: {
      tags: ['service-accounts'],
      summary: 'Delete a service account (deactivated, secret forgotten, id never reused)',
      security: bearerSecurity,
      params: serviceAccountParamsSchema,
      response: { 204: z.null().describe('Deleted'), ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request, reply) => {
      if (!(await deactivateServiceAccount(fastify.db, request.params.id))) throw problem.notFound('no such service account');
      return reply.code(204).send(null);
    },
  });
};

export default serviceAccountRoutes;
