/** Whether a case's internal clocks run: the pause while the person cannot be reached (domain/contact-pause.ts). */
import { z } from 'zod';
import { isoDateTime } from './common';

export const caseClocksSchema = z
  .object({
    internalClocksPaused: z.boolean().describe('True while failed contact attempts in a row hold the internal clocks (statutory deadlines run on).'),
    pausedSince: isoDateTime.nullable(),
    pauseAfterFailedAttempts: z.number().int().nullable().describe("The case's contact_failures rule: failed attempts in a row that pause the clocks (null: off)."),
  })
  .meta({ id: 'CaseClocks' });
