/**
 * Checks a definition document: first its shape (zod), then whether it can run (static checks
 * against the known services). Every issue carries the path of the problem in the document.
 */
import type { z } from 'zod';
import { checkPathway } from '../../../domain/pathway-checks';
import { pathwayDefinitionSchema, type PathwayDefinition } from '../../../domain/pathway-schema';

export interface DefinitionIssue {
  path: (string | number)[];
  code: string;
  message: string;
}

export type DefinitionCheck = { ok: true; definition: PathwayDefinition } | { ok: false; issues: DefinitionIssue[] };

/** Issues of a zod error, one per unknown key so each points at the offending key. */
export function issuesOfZodError(error: z.ZodError): DefinitionIssue[] {
  return error.issues.flatMap((issue): DefinitionIssue[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path.map(pathSegment), key], code: issue.code, message: `unknown key "${key}"` }))
      : [{ path: issue.path.map(pathSegment), code: issue.code, message: issue.message }],
  );
}

function pathSegment(segment: PropertyKey): string | number {
  return typeof segment === 'number' ? segment : String(segment);
}

/** The document's shape only: what a draft must satisfy to be saved. */
export function checkDefinitionShape(document: unknown): DefinitionCheck {
  const parsed = pathwayDefinitionSchema.safeParse(document);
  return parsed.success ? { ok: true, definition: parsed.data } : { ok: false, issues: issuesOfZodError(parsed.error) };
}

/** Shape and static checks: what publishing requires. */
export function checkDefinition(document: unknown, services: string[]): DefinitionCheck {
  const shape = checkDefinitionShape(document);
  if (!shape.ok) return shape;
  const issues = checkPathway(shape.definition, { services });
  return issues.length === 0 ? shape : { ok: false, issues };
}
