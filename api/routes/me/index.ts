/**
 * The authenticated actor: who the API thinks you are and what you may see.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../../plugins/auth';
import { bearerSecurity } from '../../schemas/common';
import { actorSchema } from '../../schemas/me';
import { problemResponses } from '../../schemas/problem';
import meNotificationRoutes from './notifications';

const meRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get('/me', {
    config: { action: 'me.read' },
    schema: {
      tags: ['me'],
      summary: 'The authenticated actor (roles, areas, services)',
      security: bearerSecurity,
      response: { 200: actorSchema, ...problemResponses(401, 503) },
    },
    handler: async (request) => {
      const { id, kind, name, roles, areas, services } = actorOf(request);
      return { id, kind, name, roles, areas, services };
    },
  });

  await fastify.register(meNotificationRoutes);
};

export default meRoutes;
