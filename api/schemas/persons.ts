/** Schemas of the persons routes: erasure of a person's data. */
import { z } from 'zod';
import { erasureReasons } from '../../infra/db/person-repository';

export const personParamsSchema = z.object({ personId: z.uuid() });

export const erasureBodySchema = z
  .object({
    reason: z.enum(erasureReasons).describe('Why (a code: the erasure record holds no personal data).'),
  })
  .meta({ id: 'ErasureRequest' });

export const erasureSchema = z
  .object({
    personId: z.string(),
    erasedAt: z.iso.datetime(),
    erasedBy: z.string(),
    reason: z.enum(erasureReasons),
    cases: z.number().int().describe('Cases about the person, anonymised (their coded columns are kept for aggregates).'),
    keysDestroyed: z.number().int(),
    workflows: z
      .object({
        terminated: z.number().int(),
        notRunning: z.number().int(),
        failed: z.number().int().describe('Could not be reached now; they can no longer decode their data and fail on their next step.'),
      })
      .describe("The person's case workflows, terminated with a non-personal reason."),
  })
  .meta({ id: 'Erasure' });
export type Erasure = z.infer<typeof erasureSchema>;
