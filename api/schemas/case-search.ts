/** Schemas of case search: by reference, or by person for the roles that may look people up. */
import { z } from 'zod';
import { caseSummarySchema } from './cases';
import { personSearchBodySchema } from './persons';

export const caseSearchBodySchema = z
  .object({
    reference: z
      .string()
      .trim()
      .min(4)
      .max(20)
      .regex(/^[A-Za-z0-9-]+$/, 'a case reference such as RT-LI-7K3Q9X, or its last characters')
      .optional()
      .describe('A whole reference (RT-LI-7K3Q9X) or its last 4–6 characters; case does not matter.'),
    person: personSearchBodySchema.optional().describe('The person the cases are about (operators, supervisors and admins).'),
  })
  .refine((body) => (body.reference === undefined) !== (body.person === undefined), { message: 'search by exactly one of: reference, person', path: [] })
  .meta({ id: 'CaseSearch', description: 'In the body, never in the URL: a search by person names them.' });

export const foundCaseSchema = caseSummarySchema
  .extend({ personAlias: z.string().nullable().describe("The person's short alias, for those who may look people up; null otherwise.") })
  .meta({ id: 'FoundCase' });

export const caseSearchResultSchema = z.object({ items: z.array(foundCaseSchema) }).meta({ id: 'CaseSearchResult' });
