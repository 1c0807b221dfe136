/** Schemas of the persons routes: the person registry (identity, search) and erasure of a person's data. */
import { z } from 'zod';
import { erasureReasons } from '../../infra/db/person-repository';
import { caseStatusSchema } from './cases';
import { areaIdSchema } from './common';

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
    indexEntriesRemoved: z.number().int().describe('Blind index entries removed: no search finds the person any more.'),
    documents: z.number().int().describe('Documents made unreadable (their key is gone) and deleted from the document store.'),
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

const currentYear = new Date().getUTCFullYear();
const nameText = z.string().trim().min(1).max(80);
const birthYear = z.number().int().min(1900).max(currentYear + 1);
const codiceFiscaleText = z.string().trim().min(1).max(40).describe('Codice fiscale (16 characters, omocodic codes included); checked with its checksum.');

export const personIdentityBodySchema = z
  .object({
    codiceFiscale: codiceFiscaleText.optional(),
    givenName: nameText.optional(),
    familyName: nameText.optional(),
    birthYear: birthYear.optional(),
    aliases: z.array(z.string().trim().min(1).max(60)).max(5).default([]).describe('Names the person goes by (a street name, a nickname); the first is the short alias inboxes show.'),
  })
  .refine((body) => body.codiceFiscale !== undefined || body.givenName !== undefined || body.familyName !== undefined || body.aliases.length > 0, {
    message: 'give at least a codice fiscale, a name or an alias',
    path: [],
  })
  .meta({ id: 'PersonIdentity', description: "Who the person is, sealed under the person's key; searchable only through a keyed blind index." });

export const personSearchBodySchema = z
  .object({
    codiceFiscale: codiceFiscaleText.optional(),
    name: z.string().trim().min(2).max(160).optional().describe('Given and family name words, in any order; every word must match.'),
    birthYear: birthYear.optional().describe('Required with `name`.'),
    alias: z.string().trim().min(2).max(60).optional(),
  })
  .superRefine((body, ctx) => {
    const modes = [body.codiceFiscale !== undefined, body.name !== undefined, body.alias !== undefined].filter(Boolean).length;
    if (modes !== 1) ctx.addIssue({ code: 'custom', path: [], message: 'search by exactly one of: codiceFiscale, name with birthYear, alias' });
    if (body.name !== undefined && body.birthYear === undefined) ctx.addIssue({ code: 'custom', path: ['birthYear'], message: 'required with name' });
    if (body.name === undefined && body.birthYear !== undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: 'birthYear only narrows a search by name' });
  })
  .meta({ id: 'PersonSearch', description: 'Sent in the body, never in the URL, so what is searched never reaches access logs.' });
export type PersonSearchBody = z.infer<typeof personSearchBodySchema>;

export const personCaseSchema = z.object({
  caseId: z.string(),
  reference: z.string().nullable(),
  areaId: z.string(),
  status: caseStatusSchema.or(z.string()),
  pathwayKey: z.string().nullable(),
});

export const personViewSchema = z
  .object({
    personId: z.string(),
    shortAlias: z.string().nullable().describe('What inboxes show: the first alias, or the given name and the family initial.'),
    codiceFiscale: z.string().nullable(),
    givenName: z.string().nullable(),
    familyName: z.string().nullable(),
    birthYear: z.number().int().nullable(),
    aliases: z.array(z.string()),
    recordedInArea: z.string().nullable(),
    cases: z.array(personCaseSchema).describe('Their cases in your areas (only those).'),
  })
  .meta({ id: 'Person' });
export type PersonView = z.infer<typeof personViewSchema>;

export const knownElsewhereSchema = z
  .object({
    areaId: areaIdSchema,
    areaName: z.string(),
    contactServices: z.array(z.object({ service: z.string(), name: z.string() })).describe('Whom to ask there: the services holding the person now.'),
  })
  .meta({ id: 'PersonKnownElsewhere', description: 'Someone matching is known in an area outside yours: whom to contact there. Never who they are.' });

export const personSearchResultSchema = z
  .object({
    matches: z.array(personViewSchema).describe('Matching people with a case in your areas.'),
    elsewhere: z.array(knownElsewhereSchema).describe('Areas outside yours where a matching person is known, and which services to contact.'),
  })
  .meta({ id: 'PersonSearchResult' });
export type PersonSearchResult = z.infer<typeof personSearchResultSchema>;
