/**
 * OpenAPI from the routes' zod schemas, served at /openapi.json, with Swagger UI at /docs.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export default fp(
  async function docs(fastify) {
    await fastify.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Reticulate API',
          description:
            'Integrated inclusion pathways (social services and job centres). Every error is RFC 9457 problem+json with a ' +
            'machine-readable `type` and, where it applies, `issues` with field paths. Objects outside the actor\'s areas ' +
            'and services answer 404.',
          version: '0.1.0',
        },
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
        tags: [
          { name: 'health', description: 'Liveness and readiness' },
          { name: 'me', description: 'The authenticated actor' },
          { name: 'pathways', description: 'Pathway definitions: drafts, validation, versions' },
          { name: 'cases', description: 'Cases: start, list, detail, timeline, commands' },
          { name: 'tasks', description: 'Task inbox and task commands' },
          { name: 'supervision', description: 'Stalled cases' },
          { name: 'identity', description: 'Embedded token issuer: OIDC discovery, JWKS, client-credentials tokens' },
          { name: 'service-accounts', description: 'Service accounts for integrations (admins)' },
        ],
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await fastify.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
    fastify.get('/openapi.json', { schema: { hide: true } }, async () => fastify.swagger());
  },
  { name: 'docs' },
);
