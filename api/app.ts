/**
 * The API as a Fastify plugin: it never listens (server.ts does), so tests register it on a bare
 * instance and call `inject`. Plugins load in order: error handling and external plugins, then
 * app services, then routes; everything but health and docs sits behind authentication.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import audit from './plugins/audit';
import auth from './plugins/auth';
import authorization, { requireActions } from './plugins/authorization';
import caseCommands from './plugins/case-commands';
import caseReconciler from './plugins/case-reconciler';
import caseWorkflows from './plugins/case-workflows';
import consoleRoutes from './plugins/console';
import dependencies, { type AppDependencies } from './plugins/dependencies';
import documentStorage from './plugins/documents';
import docs from './plugins/docs';
import inputGuard from './plugins/input-guard';
import limits from './plugins/limits';
import metrics from './plugins/metrics';
import problems, { answerFrameworkError } from './plugins/problems';
import requestId, { requestIdOf } from './plugins/request-id';
import security from './plugins/security';
import auditRoutes from './routes/audit';
import caseRoutes from './routes/cases';
import codecRoutes from './routes/codec';
import caseSearchRoutes from './routes/case-search';
import dashboardRoutes from './routes/dashboards';
import documentRoutes from './routes/documents';
import healthRoutes from './routes/health';
import identityRoutes from './routes/identity';
import meRoutes from './routes/me';
import notificationRoutes from './routes/notifications';
import pathwayRoutes from './routes/pathways';
import personRoutes from './routes/persons';
import referralRoutes from './routes/referrals';
import interventionRoutes from './routes/interventions';
import migrationRoutes from './routes/migrations';
import reportRoutes from './routes/reports';
import serviceAccountRoutes from './routes/service-accounts';
import staffRoutes from './routes/staff';
import supervisionRoutes from './routes/supervision';
import transferRoutes from './routes/transfers';
import absenceCoverRoutes from './routes/absence-cover';
import taskRoutes from './routes/tasks';

export type { AppDependencies };

/** Server options shared by server.ts and tests (logger excluded: server.ts owns it). */
export const options: FastifyServerOptions = {
  bodyLimit: 1024 * 1024,
  return503OnClosing: true,
  routerOptions: { ignoreTrailingSlash: true },
  requestIdHeader: false,
  genReqId: requestIdOf,
  frameworkErrors: answerFrameworkError,
};

/** Builds the whole API on the given instance from its dependencies. */
async function buildApp(fastify: FastifyInstance, deps: AppDependencies): Promise<void> {
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);

  await fastify.register(problems);
  await fastify.register(requestId);
  await fastify.register(inputGuard);
  await fastify.register(security, { corsOrigins: deps.config.corsOrigins });
  await fastify.register(limits, { config: deps.config });
  await fastify.register(docs);

  await fastify.register(dependencies, deps);
  await fastify.register(auth);
  await fastify.register(caseWorkflows);
  await fastify.register(caseCommands);
  await fastify.register(caseReconciler);
  await fastify.register(authorization);
  await fastify.register(audit);
  await fastify.register(documentStorage);

  await fastify.register(metrics);
  await fastify.register(healthRoutes);
  await fastify.register(identityRoutes);
  await fastify.register(consoleRoutes, { config: deps.config });
  // Outside the protected scope: CORS preflights from the Temporal UI carry no token; it authenticates itself.
  await fastify.register(codecRoutes);
  await fastify.register(async function protectedRoutes(api) {
    api.addHook('onRequest', api.authenticate);
    await api.register(requireActions);
    await api.register(meRoutes);
    await api.register(staffRoutes);
    await api.register(pathwayRoutes);
    await api.register(caseRoutes);
    await api.register(personRoutes);
    await api.register(caseSearchRoutes);
    await api.register(documentRoutes);
    await api.register(taskRoutes);
    await api.register(referralRoutes);
    await api.register(interventionRoutes);
    await api.register(migrationRoutes);
    await api.register(supervisionRoutes);
    await api.register(transferRoutes);
    await api.register(absenceCoverRoutes);
    await api.register(dashboardRoutes);
    await api.register(auditRoutes);
    await api.register(reportRoutes);
    await api.register(serviceAccountRoutes);
    await api.register(notificationRoutes);
  });
}

export default fp(buildApp, { name: 'reticulate-api' });
