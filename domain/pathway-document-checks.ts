/**
 * Checks a definition document as an author sent it: its shape (zod) and whether it can run
 * (static checks against the known services), together, so one answer lists every problem. Where
 * the shape fails, the parts that did parse are still checked: a step that does not parse is
 * reported once by the schema and taken on trust by the static checks (which then skip the
 * checks that need the whole graph), so no mistake is reported twice or as its consequences.
 */
import type { z } from 'zod';
import { checkPathway, comparePathwayIssues, type PathwayCheckContext } from './pathway-checks';
import { issueText, messageCodeOfText, pathwayMessageCodes, quotedList, type IssueParams, type PathwayMessageCode } from './pathway-issue-messages';
import { fieldPathSchema, formFieldSchema, pathwayDefinitionSchema, stepIdSchema, stepSchema, type FormField, type PathwayDefinition, type Step } from './pathway-schema';

export interface DefinitionIssue {
  path: (string | number)[];
  code: string;
  /** The exact message's stable code (domain/pathway-issue-messages.ts), when it has one: the console translates it. */
  messageCode?: PathwayMessageCode;
  /** The values the message names. */
  params?: IssueParams;
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
export function issuesOfZodError(error: z.ZodError, document?: unknown): DefinitionIssue[] {
  return error.issues.flatMap((issue): DefinitionIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...issue.path.map(pathSegment), key], code: issue.code, ...issueText(key === 'forEach' ? 'for_each_tasks_only' : 'unknown_key', key === 'forEach' ? {} : { key }) }));
    }
    // zod's own message stays the English text; the code and values let the console say it in its language.
    const path = issue.path.map(pathSegment);
    const text = textOfZodIssue(issue, () => valueAt(document, path) === undefined);
    return [{ path, code: issue.code, message: issue.message, ...(text ? { messageCode: text.messageCode, params: text.params } : {}) }];
  });
}

const isMessageCode = (value: unknown): value is PathwayMessageCode => typeof value === 'string' && (pathwayMessageCodes as string[]).includes(value);

/** The message code and values of a schema issue: a refinement's own, a fixed message's, or the generic check's. */
function textOfZodIssue(issue: z.core.$ZodIssue, missing: () => boolean): { messageCode: PathwayMessageCode; params: IssueParams } | undefined {
  const fixed = messageCodeOfText(issue.message);
  if (fixed) return { messageCode: fixed, params: {} };
  switch (issue.code) {
    case 'custom': {
      const { messageCode, ...params } = (issue.params ?? {}) as Record<string, string | number>;
      return isMessageCode(messageCode) ? { messageCode, params } : undefined;
    }
    case 'invalid_type':
      if (missing()) return { messageCode: 'value_missing', params: {} };
      return issue.expected === 'int' ? { messageCode: 'number_not_integer', params: {} } : { messageCode: 'value_wrong_type', params: { expected: issue.expected } };
    case 'too_small':
    case 'too_big': {
      const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const small = issue.code === 'too_small';
      if (issue.origin === 'string') return small ? { messageCode: 'text_too_short', params: { minimum: bound } } : { messageCode: 'text_too_long', params: { maximum: bound } };
      if (issue.origin === 'array') return small ? { messageCode: 'list_too_short', params: { minimum: bound } } : { messageCode: 'list_too_long', params: { maximum: bound } };
      if (issue.origin !== 'number') return undefined;
      // An exclusive bound (`positive()`) is the next whole number: amounts and counts are integers.
      if (small) return { messageCode: 'number_too_small', params: { minimum: issue.inclusive === false ? bound + 1 : bound } };
      return { messageCode: 'number_too_large', params: { maximum: issue.inclusive === false ? bound - 1 : bound } };
    }
    case 'invalid_value':
      return { messageCode: 'value_not_allowed', params: { values: quotedList(issue.values.map(String)) } };
    case 'invalid_union':
      if (missing()) return { messageCode: 'value_missing', params: {} };
      // A discriminated union (a step's kind) names the values it accepts.
      if ('options' in issue && Array.isArray(issue.options)) return { messageCode: 'value_not_allowed', params: { values: quotedList(issue.options.map(String)) } };
      return { messageCode: 'invalid_structure', params: {} };
    case 'invalid_format':
      return { messageCode: 'text_format', params: {} };
    default:
      return undefined;
  }
}

/** The value at a path of the document as sent (undefined when absent). */
function valueAt(document: unknown, path: (string | number)[]): unknown {
  let value = document;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
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
  const shapeIssues = issuesOfZodError(parsed.error, document);
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
