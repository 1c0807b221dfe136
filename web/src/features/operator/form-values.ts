/**
 * The values of a step form while it is being filled in, their client-side checks (the same rules
 * the API applies: required, number bounds, text length, real calendar dates, listed options), and
 * the data the API expects. The server stays the authority; these checks only save a round trip
 * and speak the person's language.
 */
// The domain's pure rule evaluator and date check (no imports at run time): the console decides as the API does.
import { isCalendarDate } from '../../../../domain/calendar-date';
import { ruleHoldsOverForm, type FieldValue, type ScalarFieldValue } from '../../../../domain/conditions';
import type { Condition } from '../../../../domain/pathway-schema';
import type { FormField } from '../cases/format';

/** What an input holds: text for text/number/date/select, yes/no/unset for booleans, a list for multiselect. */
export type FormValue = string | boolean | null | string[];
export type FormValues = Record<string, FormValue>;

/** A problem with one field, as a translation key of the operator namespace and its values. */
export interface FieldProblem {
  key: string;
  values?: Record<string, string | number>;
}

/** Empty values for a list of fields. */
export function emptyValues(fields: FormField[]): FormValues {
  return Object.fromEntries(fields.map((field) => [field.key, field.type === 'multiselect' ? [] : field.type === 'boolean' ? null : '']));
}

function isBlank(value: FormValue | undefined): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

/** A filled-in value as the API receives it (the same conversion toApiData makes). */
function sentValue(field: FormField, value: FormValue): Exclude<ScalarFieldValue, null> {
  if (field.type === 'number') return Number(String(value).replace(',', '.'));
  if (field.type === 'boolean') return value === true;
  if (field.type === 'multiselect') return Array.isArray(value) ? value : [];
  return String(value).trim();
}

/**
 * The keys of the fields the form asks now: a field with a rule (`when`) only while the rule holds
 * over the earlier answers as they would be sent; the others are hidden and sent empty.
 */
export function askedFields(fields: FormField[], values: FormValues): Set<string> {
  const asked = new Set<string>();
  const sent: Record<string, FieldValue> = {};
  for (const field of fields) {
    // The OpenAPI rendering of the recursive rule type is looser than the domain's; the API parsed it with the domain's schema.
    const rule = (field as { when?: unknown }).when as Condition | undefined;
    if (rule && !ruleHoldsOverForm(rule, sent)) continue;
    asked.add(field.key);
    const value = values[field.key];
    if (!isBlank(value) || (field.type === 'multiselect' && field.required)) sent[field.key] = sentValue(field, value ?? '');
  }
  return asked;
}

/** Whether the value is the one the field must hold (a field with `mustEqual`, such as the privacy notice given). */
function holdsRequiredValue(field: FormField, value: FormValue): boolean {
  const expected = (field as { mustEqual?: string | number | boolean }).mustEqual;
  return expected === undefined || sentValue(field, value) === expected;
}

/** Problems of the values against the fields, by field key (empty when the form may be sent). */
export function validateValues(fields: FormField[], values: FormValues): Record<string, FieldProblem> {
  const problems: Record<string, FieldProblem> = {};
  const asked = askedFields(fields, values);
  for (const field of fields) {
    if (!asked.has(field.key)) continue;
    const value = values[field.key];
    if (isBlank(value)) {
      if (field.required) problems[field.key] = { key: 'form.errors.required' };
      continue;
    }
    if (field.type === 'number') {
      const number = Number(String(value).replace(',', '.'));
      if (!Number.isFinite(number)) problems[field.key] = { key: 'form.errors.number' };
      else if (field.min !== undefined && number < field.min) problems[field.key] = { key: 'form.errors.min', values: { min: field.min } };
      else if (field.max !== undefined && number > field.max) problems[field.key] = { key: 'form.errors.max', values: { max: field.max } };
    } else if (field.type === 'text' || field.type === 'textarea') {
      const max = field.maxLength ?? (field.type === 'text' ? 2000 : 10000);
      if (String(value).trim().length > max) problems[field.key] = { key: 'form.errors.maxLength', values: { max } };
    } else if (field.type === 'date') {
      if (!isCalendarDate(String(value))) problems[field.key] = { key: 'form.errors.date' };
    } else if (field.type === 'select') {
      if (!(field.options ?? []).some((option) => option.value === value)) problems[field.key] = { key: 'form.errors.option' };
    } else if (field.type === 'multiselect') {
      const allowed = new Set((field.options ?? []).map((option) => option.value));
      if (!Array.isArray(value) || value.some((choice) => !allowed.has(choice))) problems[field.key] = { key: 'form.errors.option' };
    }
    if (!problems[field.key] && !holdsRequiredValue(field, value)) problems[field.key] = { key: 'form.errors.mustEqual' };
  }
  return problems;
}

/** The data to send: typed values of the fields that were filled in (blank optional fields are left out). */
export function toApiData(fields: FormField[], values: FormValues): Record<string, string | number | boolean | string[]> {
  const data: Record<string, string | number | boolean | string[]> = {};
  const asked = askedFields(fields, values);
  for (const field of fields) {
    const value = values[field.key];
    if (!asked.has(field.key)) continue;
    if (isBlank(value) && !(field.type === 'multiselect' && field.required)) continue;
    data[field.key] = sentValue(field, value ?? '');
  }
  return data;
}

/**
 * Server field errors (`data.<key>` → message) as problems by field key; a message the console
 * knows ("required") is shown in the person's language, any other as the server wrote it.
 */
export function serverFieldProblems(fieldErrors: Record<string, string>, prefix = 'data.'): { byField: Record<string, FieldProblem | string>; rest: string[] } {
  const byField: Record<string, FieldProblem | string> = {};
  const rest: string[] = [];
  for (const [path, message] of Object.entries(fieldErrors)) {
    if (!path.startsWith(prefix)) {
      rest.push(path);
      continue;
    }
    const key = path.slice(prefix.length).split('.')[0];
    byField[key] = message === 'required' ? { key: 'form.errors.required' } : message;
  }
  return { byField, rest };
}
