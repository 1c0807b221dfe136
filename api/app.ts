/**
 * The API as a Fastify plugin: it never listens (server.ts does), so tests register it on a bare
 * instance and call `inject`. Plugins load in order: error handling and external plugins, then
 * app services, then routes; everything but health and docs sits behind authentication.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import auth from './plugins/auth';
import caseCommands from './plugins/case-commands';
import caseWorkflows from './plugins/case-workflows';
import dependencies, { type AppDependencies } from './plugins/dependencies';
import docs from './plugins/docs';
import inputGuard from './plugins/input-guard';
import problems from './plugins/problems';
import security from './plugins/security';
import caseRoutes from './routes/cases';
import healthRoutes from './routes/health';
import meRoutes from './routes/me';
import pathwayRoutes from './routes/pathways';
import supervisionRoutes from './routes/supervision';
import taskRoutes from './routes/tasks';

export type { AppDependencies };

/** Server options shared by server.ts and tests (logger excluded: server.ts owns it). */
export const options: FastifyServerOptions = {
  bodyLimit: 1024 * 1024,
  return503OnClosing: true,
  routerOptions: { ignoreTrailingSlash: true },
};

/** Builds the whole API on the given instance from its dependencies. */
async function buildApp(fastify: FastifyInstance, deps: AppDependencies): Promise<void> {
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);

  await fastify.register(problems);
  await fastify.register(inputGuard);
  await fastify.register(security);
  await fastify.register(docs);

  await fastify.register(dependencies, deps);
  await fastify.register(auth);
  await fastify.register(caseWorkflows);
  await fastify.register(caseCommands);

  await fastify.register(healthRoutes);
  await fastify.register(async function protectedRoutes(api) {
    api.addHook('onRequest', api.authenticate);
    await api.register(meRoutes);
    await api.register(pathwayRoutes);
    await api.register(caseRoutes);
    await api.register(taskRoutes);
    await api.register(supervisionRoutes);
  });
}

export default fp(buildApp, { name: 'reticulate-api' });
