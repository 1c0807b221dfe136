/** Absence covers: the period a colleague takes an operator's tasks, and handing one task to such a colleague. */
import { z } from 'zod';
import { handTaskSchema } from '../../domain/case-commands';
import type { AbsenceCover } from '../../infra/db/absence-cover-repository';
import { isoDateTime, opaqueId, queryBoolean } from './common';

const localDate = z.iso.date().describe('A local date (Europe/Rome), YYYY-MM-DD.');

export const createCoverBodySchema = z
  .strictObject({
    userId: opaqueId.optional().describe('Who is absent: yourself when left out (an area manager may name an operator of their areas).'),
    colleagueId: opaqueId.describe('The colleague who takes the tasks: active, in one of the same areas and services.'),
    from: localDate.describe('First day of the absence.'),
    to: localDate.describe('Last day of the absence (included).'),
  })
  .meta({ id: 'CreateAbsenceCover' });

export const coverViewSchema = z
  .object({
    coverId: z.string(),
    userId: z.string(),
    userName: z.string().nullable(),
    colleagueId: z.string(),
    colleagueName: z.string().nullable(),
    from: z.string(),
    to: z.string(),
    createdBy: z.string(),
    createdAt: isoDateTime,
    endedAt: isoDateTime.nullable(),
    endedBy: z.string().nullable(),
    inForce: z.boolean().describe('In force today: the tasks the absent person holds go to the colleague.'),
  })
  .meta({ id: 'AbsenceCover' }) satisfies z.ZodType<AbsenceCover & { inForce: boolean }>;

export const coverListSchema = z.object({ items: z.array(coverViewSchema) }).meta({ id: 'AbsenceCoverList' });
export const coverListQuerySchema = z.object({
  userId: opaqueId.optional().describe('Covers of this person (yourself when left out): an area manager may ask for an operator of their areas.'),
  includeEnded: queryBoolean.default(false).describe('Also the covers that were ended early.'),
});
export const coverParamsSchema = z.object({ coverId: z.uuid() });
export const coverColleaguesQuerySchema = z.object({ userId: opaqueId.optional().describe('Whose colleagues (yourself when left out).') });
export const coverColleaguesSchema = z
  .object({ items: z.array(z.object({ id: z.string(), name: z.string(), services: z.array(z.string()) })) })
  .meta({ id: 'AbsenceCoverColleagues' });

export const handTaskBodySchema = handTaskSchema.pick({ assigneeId: true, reason: true }).meta({ id: 'HandTask', description: 'The colleague (same area and service, able to work the task) and why.' });
