/**
 * The values of a step form while it is being filled in, their client-side checks (the same rules
 * the API applies: required, number bounds, text length, real calendar dates, listed options), and
 * the data the API expects. The server stays the authority; these checks only save a round trip
 * and speak the person's language.
 */
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

function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isBlank(value: FormValue | undefined): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

/** Problems of the values against the fields, by field key (empty when the form may be sent). */
export function validateValues(fields: FormField[], values: FormValues): Record<string, FieldProblem> {
  const problems: Record<string, FieldProblem> = {};
  for (const field of fields) {
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
  }
  return problems;
}

/** The data to send: typed values of the fields that were filled in (blank optional fields are left out). */
export function toApiData(fields: FormField[], values: FormValues): Record<string, string | number | boolean | string[]> {
  const data: Record<string, string | number | boolean | string[]> = {};
  for (const field of fields) {
    const value = values[field.key];
    if (isBlank(value) && !(field.type === 'multiselect' && field.required)) continue;
    if (field.type === 'number') data[field.key] = Number(String(value).replace(',', '.'));
    else if (field.type === 'boolean') data[field.key] = value === true;
    else if (field.type === 'multiselect') data[field.key] = Array.isArray(value) ? value : [];
    else data[field.key] = String(value).trim();
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
