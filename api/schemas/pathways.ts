/**
 * Pathway definition resources: drafts (as written), numbered versions (as parsed), validation results.
 */
import { z } from 'zod';
import { localizedTextSchema, pathwayDefinitionSchema, pathwayKeySchema } from '../../domain/pathway-schema';
import { pathwayMessageCodes } from '../../domain/pathway-issue-messages';
import type { PathwayDraftRecord, PathwaySummary, PathwayVersionRecord, PathwayVersionSummary } from '../../infra/db/pathway-repository';
import { isoDateTime } from './common';

export const pathwayDefinitionComponent = pathwayDefinitionSchema.meta({
  id: 'PathwayDefinition',
  description: 'A pathway definition as interpreted by running cases (defaults applied).',
});

/** A definition document as sent (JSON or YAML): checked against PathwayDefinition by the route, with paths. */
export const pathwayDocumentSchema = z
  .record(z.string(), z.unknown())
  .meta({
    id: 'PathwayDocument',
    description: 'A pathway definition document (see the PathwayDefinition schema). Send JSON, or YAML with Content-Type application/yaml or text/yaml.',
  });

export const pathwayKeyParamsSchema = z.object({ key: pathwayKeySchema });

/** Who owns a new pathway: an area id, or `region` for a shared one (admins only). Ignored for a key that exists. */
export const pathwayCreateQuerySchema = z.object({
  owner: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'an area id, or "region"')
    .optional()
    .describe('The owning area of a new pathway (default: your only area; admins: the region), or `region` for a shared pathway only admins change.'),
});
export const pathwayVersionParamsSchema = z.object({ key: pathwayKeySchema, version: z.coerce.number().int().min(1).max(1_000_000) });

const versionStatusSchema = z.enum(['published', 'retired']);

export const pathwaySummarySchema = z
  .object({
    key: z.string(),
    title: localizedTextSchema,
    latestVersion: z.number().int().nullable(),
    latestStatus: versionStatusSchema.nullable(),
    currentVersion: z.number().int().nullable().describe('Newest version open to new cases.'),
    hasDraft: z.boolean(),
    draftUpdatedAt: isoDateTime.nullable(),
    ownerArea: z.string().nullable().describe('The owning area, whose coordinators change the pathway; null for a regional pathway every area shares (only admins change it).'),
  })
  .meta({ id: 'PathwaySummary' }) satisfies z.ZodType<PathwaySummary>;

export const pathwayListSchema = z.object({ items: z.array(pathwaySummarySchema) });

/** The exact message of a pathway issue, stable: what a client translates (the console does, in Italian and English). */
export const pathwayMessageCodeSchema = z
  .enum(pathwayMessageCodes)
  .meta({
    id: 'PathwayIssueMessageCode',
    description:
      'The exact message of a pathway authoring issue, as a stable code: one English text each (`message`), with the values it names in `params`. A code is never renamed; a new kind of message gets a new code. Generic schema checks have codes too; an issue without one is said by `message` only.',
  });

/** The values an issue's message names (step ids, field paths, services, roles, counts), by placeholder name. */
export const pathwayIssueParamsSchema = z
  .record(z.string(), z.union([z.string(), z.number()]))
  .meta({ id: 'PathwayIssueParams', description: 'The values the message names, by the placeholder names of its code (e.g. `step`, `meant` for `step_missing_near`).' });

export const pathwayIssueSchema = z
  .object({
    path: z.array(z.union([z.string(), z.number()])),
    code: z.string().describe('The kind of problem (e.g. unknown_step, role_cannot_act), or the schema check that failed.'),
    messageCode: pathwayMessageCodeSchema.optional(),
    params: pathwayIssueParamsSchema.optional(),
    message: z.string().describe('The issue in English.'),
  })
  .meta({ id: 'PathwayIssue' });

export const pathwayDraftSchema = z
  .object({
    key: z.string(),
    document: z.record(z.string(), z.unknown()),
    createdAt: isoDateTime,
    createdBy: z.string(),
    updatedAt: isoDateTime,
    updatedBy: z.string(),
  })
  .meta({ id: 'PathwayDraft' }) satisfies z.ZodType<PathwayDraftRecord>;

/** A draft as saved, with what still stops it from publishing (the static checks; empty when it is ready). */
export const pathwayDraftCheckedSchema = pathwayDraftSchema
  .extend({ issues: z.array(pathwayIssueSchema) })
  .meta({ id: 'PathwayDraftChecked' });

const versionFields = {
  key: z.string(),
  version: z.number().int(),
  status: versionStatusSchema,
  publishedAt: isoDateTime,
  publishedBy: z.string(),
  retiredAt: isoDateTime.nullable(),
  retiredBy: z.string().nullable(),
};

export const pathwayVersionSummarySchema = z
  .object({ ...versionFields, title: localizedTextSchema })
  .meta({ id: 'PathwayVersionSummary' }) satisfies z.ZodType<PathwayVersionSummary>;

export const pathwayVersionListSchema = z.object({ items: z.array(pathwayVersionSummarySchema) });

export const pathwayVersionSchema = z
  .object({ ...versionFields, definition: pathwayDefinitionComponent })
  .meta({ id: 'PathwayVersion' }) satisfies z.ZodType<PathwayVersionRecord>;

export const pathwayValidationSchema = z
  .object({ valid: z.boolean(), issues: z.array(pathwayIssueSchema) })
  .meta({ id: 'PathwayValidation' });
