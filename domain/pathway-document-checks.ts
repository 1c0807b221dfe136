/**
 * Checks a definition document as an author sent it: its shape (zod) and whether it can run
 * (static checks against the known services), together, so one answer lists every problem. Where
 * the shape fails, the parts that did parse are still checked: a step that does not parse is
 * reported once by the schema and taken on trust by the static checks (which then skip the
 * checks that need the whole graph), so no mistake is reported twice or as its consequences.
 */
import type { z } from 'zod';
import { checkPathway, comparePathwayIssues, type PathwayCheckContext } from './pathway-checks';
import { fieldPathSchema, formFieldSchema, pathwayDefinitionSchema, stepIdSchema, stepSchema, type FormField, type PathwayDefinition, type Step } from './pathway-schema';

export interface DefinitionIssue {
  path: (string | number)[];
  code: string;
  message: string;
}

export type DefinitionCheck = { ok: true; definition: PathwayDefinition } | { ok: false; issues: DefinitionIssue[] };

/** What a document holds: the parsed definition when its shape is right, and every issue found. */
export interface DocumentCheck {
  definition: PathwayDefinition | null;
  /** Shape issues: a draft with any of these cannot be saved. */
  shapeIssues: DefinitionIssue[];
  /** Static-check issues: a draft with these saves, but cannot be published. */
  staticIssues: DefinitionIssue[];
  /** Both, ordered by path. */
  issues: DefinitionIssue[];
}

/** Issues of a zod error, one per unknown key so each points at the offending key. */
export function issuesOfZodError(error: z.ZodError): DefinitionIssue[] {
  return error.issues.flatMap((issue): DefinitionIssue[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path.map(pathSegment), key], code: issue.code, message: key === 'forEach' ? '"forEach" repeats task steps only' : `unknown key "${key}"` }))
      : [{ path: issue.path.map(pathSegment), code: issue.code, message: issue.message }],
  );
}

function pathSegment(segment: PropertyKey): string | number {
  return typeof segment === 'number' ? segment : String(segment);
}

/** Every problem of a document, shape and static checks together. */
export function checkDefinitionDocument(document: unknown, context: Pick<PathwayCheckContext, 'services'> = {}): DocumentCheck {
  const parsed = pathwayDefinitionSchema.safeParse(document);
  if (parsed.success) {
    const staticIssues = checkPathway(parsed.data, context);
    return { definition: parsed.data, shapeIssues: [], staticIssues, issues: staticIssues };
  }
  const shapeIssues = issuesOfZodError(parsed.error);
  const partial = partialDefinition(document);
  const staticIssues = partial ? checkPathway(partial.definition, { ...context, opaqueSteps: partial.opaqueSteps, startKnown: partial.startKnown }) : [];
  // A static issue at a path the schema already refused adds nothing (e.g. both say a field is wrong).
  const refused = new Set(shapeIssues.map((issue) => issue.path.join('.')));
  const extra = staticIssues.filter((issue) => !refused.has(issue.path.join('.')));
  return { definition: null, shapeIssues, staticIssues: extra, issues: [...shapeIssues, ...extra].sort(comparePathwayIssues) };
}

/** Shape and static checks: what publishing requires. */
export function checkDefinition(document: unknown, services: string[]): DefinitionCheck {
  const check = checkDefinitionDocument(document, { services });
  return check.definition && check.issues.length === 0 ? { ok: true, definition: check.definition } : { ok: false, issues: check.issues };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The parts of a malformed document that parse on their own: each step and each case field is
 * parsed alone; what fails is "opaque" (present, content unknown).
 */
function partialDefinition(document: unknown): { definition: PathwayDefinition; opaqueSteps: string[]; startKnown: boolean } | null {
  if (!isRecord(document) || !isRecord(document.steps)) return null;
  const steps: Record<string, Step> = {};
  const opaqueSteps: string[] = [];
  for (const [id, raw] of Object.entries(document.steps)) {
    const step = stepSchema.safeParse(raw);
    if (stepIdSchema.safeParse(id).success && step.success) steps[id] = step.data;
    else opaqueSteps.push(id);
  }
  const caseFields: FormField[] = [];
  if (Array.isArray(document.caseFields)) {
    for (const raw of document.caseFields) {
      const field = formFieldSchema.safeParse(raw);
      if (field.success) caseFields.push(field.data);
      else opaqueSteps.push('case');
    }
  } else if (document.caseFields !== undefined) opaqueSteps.push('case');
  const startKnown = typeof document.start === 'string';
  // The household is part of what per-member steps and household rules are checked against.
  const household = isRecord(document.household) && fieldPathSchema.safeParse(document.household.members).success ? { members: document.household.members as string } : undefined;
  const definition: PathwayDefinition = {
    key: typeof document.key === 'string' ? document.key : 'unparsed',
    title: { it: '-' },
    caseFields,
    start: startKnown ? (document.start as string) : '',
    steps,
    outcomes: [],
    ...(household ? { household } : {}),
  };
  return { definition, opaqueSteps: [...new Set(opaqueSteps)], startKnown };
}
