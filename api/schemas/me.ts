/**
 * The authenticated actor as the API sees it.
 */
import { z } from 'zod';
import { roleSchema } from '../../domain/pathway-schema';

export const actorSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['user', 'service']).describe('A person, or a service account of an integration.'),
    name: z.string(),
    roles: z.array(roleSchema),
    areas: z.array(z.string()),
    services: z.array(z.string()),
  })
  .meta({ id: 'Actor' });
