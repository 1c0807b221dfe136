/**
 * Serves the web console (built by Vite into web/dist) from the API's own origin: `/` and every
 * `/console/...` address answer its index.html (the browser router takes over), `/assets/...`
 * its fingerprinted files with a year of caching. `/console-config` tells the console which
 * issuer to sign in with. The console page gets its own Content-Security-Policy: scripts and
 * styles from this origin only, and connections to this origin and the OIDC provider.
 * Console paths are chosen never to collide with API routes.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppConfig } from '../../infra/config';
import type { FastifyReply } from 'fastify';
import { problem } from './problems';
import { CONSOLE_CLIENT_ID, consoleConfigSchema } from '../schemas/identity';

/** The console page's CSP: this origin, plus the OIDC provider the browser talks to when there is one. */
export function consoleContentSecurityPolicy(config: AppConfig): string {
  const provider = config.console.oidcClientId !== undefined && config.oidc.issuer !== undefined ? ` ${new URL(config.oidc.issuer).origin}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React Flow and bootstrap-italia set style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${provider}`,
    `form-action 'self'${provider}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
  ].join('; ');
}

const consoleRoutes: FastifyPluginAsyncZod<{ config: AppConfig }> = async (fastify, { config }) => {
  const indexFile = path.join(config.console.dir, 'index.html');
  const built = existsSync(indexFile);
  const indexHtml = built ? readFileSync(indexFile) : null;
  if (!built) fastify.log.warn({ consoleDir: config.console.dir }, 'no web console build found: / answers 404 (npm run build:web)');
  const csp = consoleContentSecurityPolicy(config);
  const external = config.console.oidcClientId !== undefined && config.oidc.issuer !== undefined;

  fastify.get('/console-config', {
    schema: { tags: ['identity'], summary: 'How the web console signs in (issuer, client id, scope)', response: { 200: consoleConfigSchema } },
    handler: async (_request, reply) => {
      void reply.header('cache-control', 'no-cache');
      return external
        ? { authority: config.oidc.issuer as string, clientId: config.console.oidcClientId as string, scope: config.console.oidcScope, demoSignIn: false, consoleOrigin: null }
        : { authority: fastify.localIssuer.url, clientId: CONSOLE_CLIENT_ID, scope: 'console', demoSignIn: config.console.demoSignIn, consoleOrigin: new URL(fastify.localIssuer.url).origin };
    },
  });

  if (built) {
    await fastify.register(fastifyStatic, {
      root: path.join(config.console.dir, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      // File names carry a content hash: a new build has new names.
      immutable: true,
      maxAge: '365d',
    });
  }

  const answerIndex = {
    // Pages, not API: left out of the OpenAPI document.
    schema: { hide: true },
    handler: async (_request: unknown, reply: FastifyReply) => {
      // Not found rather than unavailable: an API deployed without its console is a valid shape.
      // The folder is logged once at start, never told to clients.
      if (!indexHtml) throw problem.notFound('the web console is not built on this server (npm run build:web)');
      return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').header('content-security-policy', csp).send(indexHtml);
    },
  };
  fastify.get('/', answerIndex);
  fastify.get('/console', answerIndex);
  fastify.get('/console/*', answerIndex);
};

export default consoleRoutes;
