/**
 * Liveness and readiness bodies.
 */
import { z } from 'zod';

export const livenessSchema = z.object({ status: z.literal('ok') });

const checkSchema = z.enum(['ok', 'unavailable']);

export const readinessSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({ database: checkSchema, temporal: checkSchema }),
  })
  .meta({ id: 'Readiness' });
