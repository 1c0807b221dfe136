/**
 * Staff directory: the people who work in the caller's areas, for choosing who takes a task.
 */
import { z } from 'zod';
import { roleSchema, serviceKeySchema } from '../../domain/pathway-schema';
import { areaIdSchema, opaqueId } from './common';

export const staffQuerySchema = z.object({
  areaId: areaIdSchema.optional().describe('Only people working in this area (one of the caller\'s).'),
  service: serviceKeySchema.optional().describe('Only people of this service.'),
  role: roleSchema.optional().describe('Only people with this role.'),
  taskId: opaqueId
    .optional()
    .describe('Only people who could be given this task (domain/access.ts: its area, role and service, or a supervisor of its area); an unknown task answers 404.'),
});

export const staffMemberSchema = z
  .object({ id: z.string(), name: z.string(), roles: z.array(roleSchema), areas: z.array(z.string()), services: z.array(z.string()) })
  .meta({ id: 'StaffMember' });

export const staffListSchema = z.object({ items: z.array(staffMemberSchema).describe('By name; at most 500.') }).meta({ id: 'StaffList' });
