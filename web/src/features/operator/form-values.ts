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
export type ScalarFormValue = string | boolean | null | string[];
/** One item of a repeating group while it is filled in (a household member): sub-field key → input value. */
export type FormItem = Record<string, ScalarFormValue>;
/** A field's input value: a scalar input's, or the items of a repeating group. */
export type FormValue = ScalarFormValue | FormItem[];
export type FormValues = Record<string, FormValue>;
/** A sub-field of a repeating group, as the API's definition types it. */
export type GroupSubField = NonNullable<FormField['fields']>[number];
type AnyField = FormField | GroupSubField;
/** An item as the API receives it. */
export type ItemData = Record<string, Exclude<ScalarFieldValue, null>>;
/** A form's data as the API receives it. */
export type ApiData = Record<string, Exclude<ScalarFieldValue, null> | ItemData[]>;

/** A problem with one field, as a translation key of the operator namespace and its values. */
export interface FieldProblem {
  key: string;
  values?: Record<string, string | number>;
}

/** The empty value of one field (a required or `minItems` group starts with that many blank items). */
function emptyValue(field: FormField): FormValue {
  if (field.type === 'group') return Array.from({ length: leastItems(field) }, () => emptyItem(field));
  return field.type === 'multiselect' ? [] : field.type === 'boolean' ? null : '';
}

/** Empty values for a list of fields. */
export function emptyValues(fields: FormField[]): FormValues {
  return Object.fromEntries(fields.map((field) => [field.key, emptyValue(field)]));
}

/** A blank item of a repeating group. */
export function emptyItem(group: FormField): FormItem {
  return Object.fromEntries((group.fields ?? []).map((sub) => [sub.key, sub.type === 'multiselect' ? [] : sub.type === 'boolean' ? null : '']));
}

/** The fewest items a group takes when given (the API's rule: `minItems`, and one when required). */
export function leastItems(group: FormField): number {
  return Math.max(group.minItems ?? 0, group.required ? 1 : 0);
}

/** The most items a group takes (the API's default is 30). */
export function mostItems(group: FormField): number {
  return group.maxItems ?? 30;
}

/** The items of a group's value (none when the value is not a list of items). */
export function itemsOf(value: FormValue | undefined): FormItem[] {
  return Array.isArray(value) ? value.filter((item): item is FormItem => typeof item === 'object' && item !== null) : [];
}

/** The value of a scalar input (a group's items are not one). */
export function scalarOf(value: FormValue | undefined): ScalarFormValue {
  if (value === undefined) return null;
  return Array.isArray(value) && value.some((item) => typeof item !== 'string') ? null : (value as ScalarFormValue);
}

function isBlank(value: FormValue | undefined): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

/** Whether a blank value is still sent (a required checkbox list goes as [], so the API says "required"). */
function sentWhenBlank(field: AnyField): boolean {
  return field.type === 'multiselect' && field.required;
}

/** A filled-in scalar value as the API receives it. */
function sentScalar(field: AnyField, value: ScalarFormValue): Exclude<ScalarFieldValue, null> {
  if (field.type === 'number') return Number(String(value).replace(',', '.'));
  if (field.type === 'boolean') return value === true;
  if (field.type === 'multiselect') return Array.isArray(value) ? value : [];
  return String(value).trim();
}

/** One item as the API receives it: its filled-in sub-fields (blank optional ones left out). */
function sentItem(group: FormField, item: FormItem): ItemData {
  const data: ItemData = {};
  for (const sub of group.fields ?? []) {
    const value = item[sub.key];
    if (isBlank(value) && !sentWhenBlank(sub)) continue;
    data[sub.key] = sentScalar(sub, value ?? '');
  }
  return data;
}

/** A filled-in value as the API receives it (the same conversion toApiData makes). */
function sentValue(field: FormField, value: FormValue): Exclude<ScalarFieldValue, null> | ItemData[] {
  if (field.type === 'group') return itemsOf(value).map((item) => sentItem(field, item));
  return sentScalar(field, scalarOf(value));
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
    if (!isBlank(value) || sentWhenBlank(field)) sent[field.key] = sentValue(field, value ?? '');
  }
  return asked;
}

/** Whether the value is the one the field must hold (a field with `mustEqual`, such as the privacy notice given). */
function holdsRequiredValue(field: AnyField, value: ScalarFormValue): boolean {
  const expected = (field as { mustEqual?: string | number | boolean }).mustEqual;
  return expected === undefined || sentScalar(field, value) === expected;
}

/** The problem of one scalar answer, if any (blank and optional is none). */
function scalarProblem(field: AnyField, value: ScalarFormValue): FieldProblem | undefined {
  if (isBlank(value)) return field.required ? { key: 'form.errors.required' } : undefined;
  let problem: FieldProblem | undefined;
  if (field.type === 'number') {
    const number = Number(String(value).replace(',', '.'));
    if (!Number.isFinite(number)) problem = { key: 'form.errors.number' };
    else if (field.min !== undefined && number < field.min) problem = { key: 'form.errors.min', values: { min: field.min } };
    else if (field.max !== undefined && number > field.max) problem = { key: 'form.errors.max', values: { max: field.max } };
  } else if (field.type === 'text' || field.type === 'textarea') {
    const max = field.maxLength ?? (field.type === 'text' ? 2000 : 10000);
    if (String(value).trim().length > max) problem = { key: 'form.errors.maxLength', values: { max } };
  } else if (field.type === 'date') {
    // Checked as sent (trimmed), as the API checks it.
    if (!isCalendarDate(String(sentScalar(field, value)))) problem = { key: 'form.errors.date' };
  } else if (field.type === 'select') {
    const sent = sentScalar(field, value);
    if (!(field.options ?? []).some((option) => option.value === sent)) problem = { key: 'form.errors.option' };
  } else if (field.type === 'multiselect') {
    const allowed = new Set((field.options ?? []).map((option) => option.value));
    if (!Array.isArray(value) || value.some((choice) => !allowed.has(choice))) problem = { key: 'form.errors.option' };
  }
  return problem ?? (holdsRequiredValue(field, value) ? undefined : { key: 'form.errors.mustEqual' });
}

/** The key of an item's sub-field among a form's problems: `<group>.<index>.<subKey>`, as the API's issue path. */
export const itemFieldKey = (groupKey: string, index: number, subKey: string): string => `${groupKey}.${index}.${subKey}`;

/** A group's problems: how many items it holds (under the group's key), then each item's sub-fields. */
function groupProblems(group: FormField, items: FormItem[], problems: Record<string, FieldProblem>): void {
  // As the API: too many items is the one problem (their answers are not looked at), too few comes with the items' own.
  if (items.length > mostItems(group)) {
    problems[group.key] = { key: 'form.errors.maxItems', values: { max: mostItems(group) } };
    return;
  }
  const least = leastItems(group);
  if (items.length < least) problems[group.key] = least === 1 ? { key: 'form.errors.required' } : { key: 'form.errors.minItems', values: { min: least } };
  items.forEach((item, index) => {
    for (const sub of group.fields ?? []) {
      const problem = scalarProblem(sub, item[sub.key] ?? null);
      if (problem) problems[itemFieldKey(group.key, index, sub.key)] = problem;
    }
  });
}

/**
 * Problems of the values against the fields, by field key, or `<group>.<index>.<subKey>` for an
 * item's sub-field (empty when the form may be sent).
 */
export function validateValues(fields: FormField[], values: FormValues): Record<string, FieldProblem> {
  const problems: Record<string, FieldProblem> = {};
  const asked = askedFields(fields, values);
  for (const field of fields) {
    if (!asked.has(field.key)) continue;
    const value = values[field.key];
    if (field.type !== 'group') {
      const problem = scalarProblem(field, scalarOf(value));
      if (problem) problems[field.key] = problem;
    } else if (isBlank(value)) {
      // No items: the group is not sent, so only a required one is a problem.
      if (field.required) problems[field.key] = { key: 'form.errors.required' };
    } else groupProblems(field, itemsOf(value), problems);
  }
  return problems;
}

/** The data to send: typed values of the fields that were filled in (blank optional fields are left out; a group as a list of items). */
export function toApiData(fields: FormField[], values: FormValues): ApiData {
  const data: ApiData = {};
  const asked = askedFields(fields, values);
  for (const field of fields) {
    const value = values[field.key];
    if (!asked.has(field.key)) continue;
    if (isBlank(value) && !sentWhenBlank(field)) continue;
    data[field.key] = sentValue(field, value ?? '');
  }
  return data;
}

/**
 * Where an API issue lands among a form's problems: an item's sub-field by `<group>.<index>.<subKey>`
 * (`members.1.birthYear`), anything else by its field's key (a checkbox list's bad choice `tags.2`
 * is the list's, a group's item count the group's).
 */
export function problemKeyOfPath(path: string): string {
  const [key, index, subKey] = path.split('.');
  return subKey !== undefined && /^\d+$/.test(index) ? itemFieldKey(key, Number(index), subKey) : key;
}

/**
 * Server field errors (`data.<key>` → message) as problems by field key (see problemKeyOfPath); a
 * message the console knows ("required") is shown in the person's language, any other as the
 * server wrote it.
 */
export function serverFieldProblems(fieldErrors: Record<string, string>, prefix = 'data.'): { byField: Record<string, FieldProblem | string>; rest: string[] } {
  const byField: Record<string, FieldProblem | string> = {};
  const rest: string[] = [];
  for (const [path, message] of Object.entries(fieldErrors)) {
    if (!path.startsWith(prefix)) {
      rest.push(path);
      continue;
    }
    byField[problemKeyOfPath(path.slice(prefix.length))] = message === 'required' ? { key: 'form.errors.required' } : message;
  }
  return { byField, rest };
}

/**
 * The problems left after the person changed `changedKey`: that answer's own problem goes; a
 * removed item (`<group>.<index>`) takes its problems with it, later items' move up one, and the
 * group's count problem goes with any change of its items.
 */
export function withoutFixedErrors<T>(problems: Record<string, T>, changedKey: string): Record<string, T> {
  const [group, removed, subKey] = changedKey.split('.');
  const removedIndex = subKey === undefined && removed !== undefined ? Number(removed) : null;
  const next: Record<string, T> = {};
  for (const [key, problem] of Object.entries(problems)) {
    if (key === changedKey || (removed !== undefined && subKey === undefined && key === group)) continue;
    const [keyGroup, keyIndex, keySub] = key.split('.');
    if (removedIndex !== null && keyGroup === group && keySub !== undefined) {
      const index = Number(keyIndex);
      if (index === removedIndex) continue;
      next[index > removedIndex ? itemFieldKey(group, index - 1, keySub) : key] = problem;
    } else next[key] = problem;
  }
  return next;
}
