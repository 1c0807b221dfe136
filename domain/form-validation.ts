/**
 * Validation of the data an operator submits for a task form (or a case's start data), built from
 * the coordinator's field definitions. The API validates at the edge and the workflow re-validates
 * in its update validator, so both share this pure code and give the same field paths.
 */
import { z } from 'zod';
import { isCalendarDate } from './calendar-date';
import { ruleHoldsOverForm, type FieldValue, type GroupItem, type ScalarFieldValue } from './conditions';
import type { FormField, GroupItemField } from './pathway-schema';

export type FormValidationResult =
  | { ok: true; data: Record<string, FieldValue> }
  | { ok: false; issues: Array<{ path: string[]; message: string }> };

// Generous but finite: free text must not become a place to paste whole documents.
const defaultMaxLength = { text: 2_000, textarea: 10_000 } as const;

function typeError(expected: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined || issue.input === null ? 'required' : `expected ${expected}`);
}

function optionValues(field: FormField | GroupItemField): string[] {
  return (field.options ?? []).map((option) => option.value);
}

function oneOf(values: string[]): z.ZodType<string> {
  return z.string({ error: typeError('one of the listed options') }).refine((value) => values.includes(value), {
    message: `expected one of: ${values.join(', ')}`,
  });
}

/** The schema of a present (non-null) value of the field; required-ness is applied by the caller. */
function valueSchema(field: FormField | GroupItemField): z.ZodType<Exclude<FieldValue, null>> {
  switch (field.type) {
    case 'group':
      return groupSchema(field);
    case 'text':
    case 'textarea': {
      const schema = z.string({ error: typeError('text') }).trim().max(field.maxLength ?? defaultMaxLength[field.type]);
      return field.required ? schema.min(1, 'required') : schema;
    }
    case 'number': {
      let schema = z.number({ error: typeError('a number') });
      if (field.min !== undefined) schema = schema.min(field.min);
      if (field.max !== undefined) schema = schema.max(field.max);
      return schema;
    }
    case 'boolean':
      return z.boolean({ error: typeError('true or false') });
    case 'date':
      return z
        .string({ error: typeError('a date as YYYY-MM-DD') })
        .refine(isCalendarDate, 'expected a calendar date as YYYY-MM-DD');
    case 'select':
      return oneOf(optionValues(field));
    case 'multiselect': {
      const schema = z
        .array(oneOf(optionValues(field)), { error: typeError('a list of options') })
        .refine((values) => new Set(values).size === values.length, 'options must not repeat');
      return field.required ? schema.refine((values) => values.length > 0, 'required') : schema;
    }
  }
}

/**
 * A repeating group: a list of items, each a strict object of the sub-fields, so an error names its
 * item (`members.1.birthYear`). Items hold no conditional sub-fields, so each is checked alone.
 */
function groupSchema(field: FormField): z.ZodType<GroupItem[]> {
  const item = formDataSchema(field.fields ?? []) as z.ZodType<GroupItem>;
  let schema = z.array(item, { error: typeError('a list of items') }).max(field.maxItems ?? 30, `at most ${field.maxItems ?? 30} items`);
  const least = Math.max(field.minItems ?? 0, field.required ? 1 : 0);
  if (least > 0) schema = schema.min(least, least === 1 ? 'required' : `at least ${least} items`);
  return schema.transform((items) => items.map((entry) => Object.fromEntries<ScalarFieldValue>(Object.entries(entry).filter(([, value]) => value !== undefined))));
}

/** The value schema, holding the field to its one accepted value when it has one. */
function checkedValueSchema(field: FormField | GroupItemField): z.ZodType<Exclude<FieldValue, null>> {
  const schema = valueSchema(field);
  const expected = field.mustEqual;
  if (expected === undefined) return schema;
  return schema.refine((value) => value === expected, `must be ${JSON.stringify(expected)}`);
}

function fieldSchema(field: FormField | GroupItemField): z.ZodType<FieldValue | undefined> {
  // A conditional field's required-ness depends on the other answers: checked after parsing, in validateFormData.
  const when = 'when' in field ? field.when : undefined;
  const present = checkedValueSchema(when ? { ...field, required: false } : field);
  if (field.required && !when) return present;
  // Optional text left blank is stored as null, so "exists" and stored data agree on what is empty.
  return present
    .nullable()
    .optional()
    .transform((value) => (value === '' ? null : value));
}

type FormDataSchema = z.ZodType<Record<string, FieldValue | undefined>>;

// Building a zod schema (and its first parse, which compiles a fast path) costs far more than
// running it; a pathway's field lists are immutable parsed data, so each list's schema is built
// once per list object (forgotten with it) and, because every cold replay of a case decodes its own
// copy of the definition, once per list content: a replayed completion then costs a JSON.stringify
// of the list (microseconds) instead of a new schema (about 2 ms). The schema is a pure function of
// the content, so sharing it between cases cannot make a replay differ from the live run.
const schemaOfFields = new WeakMap<Array<FormField | GroupItemField>, FormDataSchema>();
const schemaOfContent = new Map<string, FormDataSchema>();
// Bounded: a worker lives long and pathways get new versions; a few hundred forms cover them all.
const rememberedContents = 500;

/** The zod schema of a form's data (or of one item of a repeating group): one key per field, unknown keys rejected. */
export function formDataSchema(fields: Array<FormField | GroupItemField>): FormDataSchema {
  const cached = schemaOfFields.get(fields);
  if (cached) return cached;
  const content = JSON.stringify(fields);
  let schema = schemaOfContent.get(content);
  if (!schema) {
    const shape: Record<string, z.ZodType<FieldValue | undefined>> = {};
    for (const field of fields) shape[field.key] = fieldSchema(field);
    schema = z.strictObject(shape, { error: typeError('an object of form fields') });
    if (schemaOfContent.size >= rememberedContents) schemaOfContent.clear();
    schemaOfContent.set(content, schema);
  }
  schemaOfFields.set(fields, schema);
  return schema;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function isBlankInput(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

/** Conditional fields: required when their rule holds; left empty when it does not (the form never asked). */
function conditionalIssues(fields: FormField[], input: unknown): Array<{ path: string[]; message: string }> {
  if (!isRecord(input)) return [];
  const issues: Array<{ path: string[]; message: string }> = [];
  for (const field of fields) {
    if (!field.when) continue;
    const blank = isBlankInput(input[field.key]);
    const asked = ruleHoldsOverForm(field.when, input);
    if (asked && field.required && blank) issues.push({ path: [field.key], message: 'required' });
    if (!asked && !blank) issues.push({ path: [field.key], message: 'not asked: the rule that shows this field does not hold' });
  }
  return issues;
}

/** Validates submitted form data against the field definitions, with issue paths relative to the data. */
export function validateFormData(fields: FormField[], input: unknown): FormValidationResult {
  const result = formDataSchema(fields).safeParse(input);
  const conditional = conditionalIssues(fields, input);
  if (result.success && conditional.length > 0) return { ok: false, issues: conditional };
  if (result.success) {
    const data: Record<string, FieldValue> = {};
    for (const [key, value] of Object.entries(result.data)) if (value !== undefined) data[key] = value;
    return { ok: true, data };
  }
  const issues = result.error.issues.flatMap((issue) =>
    // One issue per unknown key, located at the key, so a form UI can point at it.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path.map(String), key], message: 'unknown field' }))
      : [{ path: issue.path.map(String), message: issue.message }],
  );
  return { ok: false, issues: [...issues, ...conditional] };
}
