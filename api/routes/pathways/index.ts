/**
 * Pathway definitions: coordinators open a draft (JSON or YAML), edit and validate it, publish it as
 * an immutable numbered version, and retire versions. Running cases stay on the version they started.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import YAML from 'yaml';
import { mayChangePathway, ownerForNewPathway, type PathwayOwner } from '../../../domain/pathway-ownership';
import {
  assignPathwayOwner,
  createDraft,
  findDraft,
  findPathwayOwner,
  findVersion,
  listPathways,
  listVersions,
  pathwayExists,
  publishDraft,
  retireVersion,
  updateDraft,
} from '../../../infra/db/pathway-repository';
import { listServiceKeys } from '../../../infra/db/directory-repository';
import { actorOf } from '../../plugins/auth';
import { problem } from '../../plugins/problems';
import { bearerSecurity } from '../../schemas/common';
import {
  pathwayCreateQuerySchema,
  pathwayDocumentSchema,
  pathwayDraftCheckedSchema,
  pathwayDraftSchema,
  pathwayKeyParamsSchema,
  pathwayListSchema,
  pathwayValidationSchema,
  pathwayVersionListSchema,
  pathwayVersionParamsSchema,
  pathwayVersionSchema,
} from '../../schemas/pathways';
import { problemResponses, problemTypes } from '../../schemas/problem';
import { checkDefinition, checkDefinitionDocument, type DefinitionIssue } from '../../../domain/pathway-document-checks';
import { issueText } from '../../../domain/pathway-issue-messages';

const yamlContentTypes = ['application/yaml', 'text/yaml', 'application/x-yaml'];
const documentContentTypes = ['application/json', ...yamlContentTypes];

function invalidPathway(detail: string, issues: DefinitionIssue[]) {
  return problem.unprocessable(
    problemTypes.invalidPathway,
    detail,
    issues.map((issue) => ({
      path: issue.path,
      message: issue.message,
      code: issue.code,
      ...(issue.messageCode ? { messageCode: issue.messageCode, params: issue.params ?? {} } : {}),
      location: 'body' as const,
    })),
  );
}

const pathwayRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.addContentTypeParser(yamlContentTypes, { parseAs: 'string' }, (_request, body, done) => {
    try {
      // Core schema, no custom tags; aliases capped so a small document cannot expand into a huge one.
      done(null, YAML.parse(body as string, { maxAliasCount: 50, uniqueKeys: true }));
    } catch {
      done(Object.assign(new Error('the body is not valid YAML'), { statusCode: 400 }), undefined);
    }
  });

  /**
   * A change to an existing pathway is its owner's: coordinators of the owning area, or admins for a
   * regional one. A key nobody created is left to the route (404, or a new pathway on POST).
   * `known`: the owner when the caller has already read it.
   */
  const assertMayChange = async (actor: ReturnType<typeof actorOf>, key: string, known?: PathwayOwner | null): Promise<void> => {
    const owner = known === undefined ? await findPathwayOwner(fastify.db, key) : known;
    if (owner && !mayChangePathway(actor, owner)) {
      throw problem.forbidden(
        owner.areaId === null
          ? `pathway "${key}" is regional (shared by every area): only admins change it`
          : `pathway "${key}" belongs to area "${owner.areaId}": only its coordinators (or an admin) change it`,
      );
    }
  };

  /**
   * Every problem of a sent document in one answer: a draft whose shape is wrong is refused with its
   * shape and static issues together; a well-formed one saves, and its answer lists what still
   * stops it from publishing. A draft's key must be the one in the URL (a document cannot move
   * itself to another key).
   */
  const checkedDocument = async (document: Record<string, unknown>, urlKey?: string) => {
    const check = checkDefinitionDocument(document, { services: await listServiceKeys(fastify.db) });
    const keyIssues: DefinitionIssue[] =
      urlKey !== undefined && typeof document.key === 'string' && document.key !== urlKey ? [{ path: ['key'], code: 'key_mismatch', ...issueText('key_mismatch', { key: urlKey }) }] : [];
    if (!check.definition || keyIssues.length > 0) {
      const detail = check.definition ? 'the document key differs from the URL' : 'the document is not a valid pathway definition';
      throw invalidPathway(detail, [...keyIssues, ...check.issues]);
    }
    return { definition: check.definition, issues: check.staticIssues };
  };

  fastify.get('/pathways', {
    config: { action: 'pathways.read' },
    schema: {
      tags: ['pathways'],
      summary: 'Every pathway with its latest version, status and open draft',
      security: bearerSecurity,
      response: { 200: pathwayListSchema, ...problemResponses(401, 503) },
    },
    handler: async (request) => {
      actorOf(request);
      return { items: await listPathways(fastify.db) };
    },
  });

  fastify.post('/pathways', {
    config: { action: 'pathways.edit', audit: 'write' },
    schema: {
      tags: ['pathways'],
      summary: 'Open a draft from a definition document (JSON or YAML)',
      description:
        'The key comes from the document. A key with published versions gets a new draft that will publish as the next version. A malformed document is refused (422) with every issue, shape and static checks together; a well-formed one saves and `issues` lists what still stops it from publishing.',
      security: bearerSecurity,
      consumes: documentContentTypes,
      querystring: pathwayCreateQuerySchema,
      body: pathwayDocumentSchema,
      response: { 201: pathwayDraftCheckedSchema, ...problemResponses(400, 401, 403, 409, 413, 415, 422, 503) },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const { definition, issues } = await checkedDocument(request.body);
      const { key } = definition;
      const existing = await findPathwayOwner(fastify.db, key);
      if (existing) await assertMayChange(actor, key, existing);
      else {
        const requested = request.query.owner === undefined ? undefined : request.query.owner === 'region' ? null : request.query.owner;
        const decided = ownerForNewPathway(actor, requested);
        if ('refused' in decided) {
          if (decided.refused === 'forbidden') throw problem.forbidden(decided.message);
          throw problem.badRequest(decided.message, [{ path: ['owner'], message: decided.message, location: 'querystring' }]);
        }
        await assignPathwayOwner(fastify.db, key, decided.owner, actor.id);
      }
      const result = await createDraft(fastify.db, key, request.body, actor.id);
      if (!result.created) throw problem.conflict(`pathway "${key}" already has an open draft: edit it with PUT /pathways/${key}/draft`);
      return reply.code(201).header('location', `/pathways/${key}/draft`).send({ ...result.draft, issues });
    },
  });

  fastify.get('/pathways/:key/versions', {
    config: { action: 'pathways.read' },
    schema: {
      tags: ['pathways'],
      summary: 'Versions of a pathway, newest first',
      security: bearerSecurity,
      params: pathwayKeyParamsSchema,
      response: { 200: pathwayVersionListSchema, ...problemResponses(400, 401, 404, 503) },
    },
    handler: async (request) => {
      actorOf(request);
      const { key } = request.params;
      const items = await listVersions(fastify.db, key);
      if (items.length === 0 && !(await pathwayExists(fastify.db, key))) throw problem.notFound(`no pathway "${key}"`);
      return { items };
    },
  });

  fastify.get('/pathways/:key/versions/:version', {
    config: { action: 'pathways.read' },
    schema: {
      tags: ['pathways'],
      summary: 'One published or retired version with its definition',
      security: bearerSecurity,
      params: pathwayVersionParamsSchema,
      response: { 200: pathwayVersionSchema, ...problemResponses(400, 401, 404, 503) },
    },
    handler: async (request) => {
      actorOf(request);
      const { key, version } = request.params;
      const found = await findVersion(fastify.db, key, version);
      if (!found) throw problem.notFound(`no version ${version} of pathway "${key}"`);
      return found;
    },
  });

  fastify.get('/pathways/:key/draft', {
    config: { action: 'pathways.edit' },
    schema: {
      tags: ['pathways'],
      summary: 'The open draft of a pathway, as written',
      security: bearerSecurity,
      params: pathwayKeyParamsSchema,
      response: { 200: pathwayDraftSchema, ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request) => {
      const draft = await findDraft(fastify.db, request.params.key);
      if (!draft) throw problem.notFound(`pathway "${request.params.key}" has no open draft`);
      return draft;
    },
  });

  fastify.put('/pathways/:key/draft', {
    config: { action: 'pathways.edit', audit: 'write' },
    schema: {
      tags: ['pathways'],
      summary: 'Replace the document of the open draft (JSON or YAML)',
      description: 'Published versions are immutable: without an open draft this answers 409; open one with POST /pathways.',
      security: bearerSecurity,
      consumes: documentContentTypes,
      params: pathwayKeyParamsSchema,
      body: pathwayDocumentSchema,
      response: { 200: pathwayDraftCheckedSchema, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const { key } = request.params;
      await assertMayChange(actor, key);
      const { issues } = await checkedDocument(request.body, key);
      const draft = await updateDraft(fastify.db, key, request.body, actor.id);
      if (draft) return { ...draft, issues };
      if (await pathwayExists(fastify.db, key)) {
        throw problem.conflict(`pathway "${key}" has no open draft and published versions are immutable: open a new draft with POST /pathways`);
      }
      throw problem.notFound(`no pathway "${key}"`);
    },
  });

  fastify.post('/pathways/:key/draft/validate', {
    config: { action: 'pathways.edit' },
    schema: {
      tags: ['pathways'],
      summary: 'Check the draft: schema and static checks, with the path of each issue',
      security: bearerSecurity,
      params: pathwayKeyParamsSchema,
      response: { 200: pathwayValidationSchema, ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request) => {
      const draft = await findDraft(fastify.db, request.params.key);
      if (!draft) throw problem.notFound(`pathway "${request.params.key}" has no open draft`);
      const check = checkDefinition(draft.document, await listServiceKeys(fastify.db));
      return check.ok ? { valid: true, issues: [] } : { valid: false, issues: check.issues };
    },
  });

  fastify.post('/pathways/:key/draft/publish', {
    config: { action: 'pathways.edit', audit: 'write' },
    schema: {
      tags: ['pathways'],
      summary: 'Publish the draft as the next immutable version (the draft is removed)',
      security: bearerSecurity,
      params: pathwayKeyParamsSchema,
      response: { 201: pathwayVersionSchema, ...problemResponses(400, 401, 403, 404, 422, 503) },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const { key } = request.params;
      await assertMayChange(actor, key);
      const services = await listServiceKeys(fastify.db);
      const result = await publishDraft(fastify.db, key, actor.id, async (document) => checkDefinition(document, services));
      if (result.outcome === 'no_draft') throw problem.notFound(`pathway "${key}" has no open draft`);
      if (result.outcome === 'invalid') throw invalidPathway('the draft does not pass the publish checks', result.issues);
      return reply.code(201).header('location', `/pathways/${key}/versions/${result.version.version}`).send(result.version);
    },
  });

  fastify.post('/pathways/:key/versions/:version/retire', {
    config: { action: 'pathways.edit', audit: 'write' },
    schema: {
      tags: ['pathways'],
      summary: 'Retire a version: no new cases start on it; running cases continue',
      security: bearerSecurity,
      params: pathwayVersionParamsSchema,
      response: { 200: pathwayVersionSchema, ...problemResponses(400, 401, 403, 404, 503) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const { key, version } = request.params;
      await assertMayChange(actor, key);
      const retired = await retireVersion(fastify.db, key, version, actor.id);
      if (!retired) throw problem.notFound(`no version ${version} of pathway "${key}"`);
      return retired;
    },
  });
};

export default pathwayRoutes;
