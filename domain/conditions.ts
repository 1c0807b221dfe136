/**
 * The safe evaluator for decision rules: a coordinator's `Condition` tree is interpreted as data
 * over collected case data, never compiled or eval'd. Pure, so decisions replay identically.
 */
import type { Condition } from './pathway-schema';

/** One answer of a form field. */
export type ScalarFieldValue = string | number | boolean | string[] | null;

/** One item of a repeating group (e.g. a household member): sub-field key → answer. */
export type GroupItem = Record<string, ScalarFieldValue>;

export type FieldValue = ScalarFieldValue | GroupItem[];

/** Collected data by step id, then field key; `case` holds the data given when the case started. */
export type CaseData = Record<string, Record<string, FieldValue>>;

export type ComparisonCondition = Extract<Condition, { field: string }>;
export type AnyMemberCondition = Extract<Condition, { anyMember: unknown }>;
type ConditionValue = ComparisonCondition['value'];
type Scalar = string | number | boolean;

/** A comparison inside a condition tree, with its path relative to the tree's root (for issue paths). */
export interface ConditionLeaf {
  path: (string | number)[];
  leaf: ComparisonCondition;
  /** The innermost `anyMember` around the comparison, if any: there `member.<key>` reads that step's member answers. */
  within?: { step: string; path: (string | number)[] };
}

/** Evaluates a condition tree against collected data; unknown or absent fields never throw. */
export function evaluateCondition(condition: Condition, data: CaseData): boolean {
  if ('all' in condition) return condition.all.every((child) => evaluateCondition(child, data));
  if ('any' in condition) return condition.any.some((child) => evaluateCondition(child, data));
  if ('not' in condition) return !evaluateCondition(condition.not, data);
  if ('anyMember' in condition) return memberAnswers(data, condition.anyMember.step).some((member) => evaluateCondition(condition.anyMember.when, { ...data, member }));
  return evaluateComparison(condition, readField(data, condition.field));
}

/**
 * Each member's answers of a per-member step (`<stepId>.byMember`) as `member.<key>` reads them:
 * the answers plus `index`, the member's place in the household list. Absent or malformed: none.
 */
function memberAnswers(data: CaseData, stepId: string): Record<string, FieldValue>[] {
  const byMember = readField(data, `${stepId}.byMember`);
  if (!Array.isArray(byMember)) return [];
  const items: unknown[] = byMember;
  return items
    .filter((item): item is GroupItem => typeof item === 'object' && item !== null && !Array.isArray(item))
    .map((item) => ({ ...item, index: typeof item.member === 'number' ? item.member : null }));
}

/**
 * Whether a form field's rule (`when`) holds over the answers of its own form, as sent: the rule's
 * paths name this same form (`<stepId>.<key>` or `case.<key>`), so each reads `answers`. The API's
 * form validation and the console (which shows a field only while its rule holds) both ask this.
 */
export function ruleHoldsOverForm(condition: Condition, answers: Record<string, unknown>): boolean {
  const data: CaseData = {};
  for (const path of conditionFieldPaths(condition)) data[path.slice(0, path.indexOf('.'))] = answers as Record<string, FieldValue>;
  return evaluateCondition(condition, data);
}

/** Every comparison of a condition tree with its path, in document order. */
export function conditionLeaves(condition: Condition, path: (string | number)[] = [], within?: ConditionLeaf['within']): ConditionLeaf[] {
  if ('all' in condition) return condition.all.flatMap((child, i) => conditionLeaves(child, [...path, 'all', i], within));
  if ('any' in condition) return condition.any.flatMap((child, i) => conditionLeaves(child, [...path, 'any', i], within));
  if ('not' in condition) return conditionLeaves(condition.not, [...path, 'not'], within);
  if ('anyMember' in condition) return conditionLeaves(condition.anyMember.when, [...path, 'anyMember', 'when'], { step: condition.anyMember.step, path: [...path, 'anyMember'] });
  return [within ? { path, leaf: condition, within } : { path, leaf: condition }];
}

/** The distinct field paths a condition reads, in order of first appearance. */
export function conditionFieldPaths(condition: Condition): string[] {
  return [...new Set(conditionLeaves(condition).map(({ leaf }) => leaf.field))];
}

/** Reads `<stepId>.<fieldKey>` from case data; own properties only, so keys like `constructor` stay data. */
export function readField(data: CaseData, fieldPath: string): FieldValue | undefined {
  const dot = fieldPath.indexOf('.');
  if (dot < 0) return undefined;
  const stepId = fieldPath.slice(0, dot);
  const key = fieldPath.slice(dot + 1);
  if (!Object.prototype.hasOwnProperty.call(data, stepId)) return undefined;
  const stepData = data[stepId];
  if (stepData === null || typeof stepData !== 'object' || !Object.prototype.hasOwnProperty.call(stepData, key)) return undefined;
  return stepData[key];
}

/** Absent, null, '' and an empty selection all mean "nothing was recorded". */
function isBlank(value: FieldValue | undefined): value is null | undefined | '' | [] {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function evaluateComparison(condition: ComparisonCondition, actual: FieldValue | undefined): boolean {
  const expected = condition.value;
  switch (condition.op) {
    case 'exists':
      return !isBlank(actual);
    case 'notExists':
      return isBlank(actual);
    case 'isTrue':
      return actual === true;
    case 'isFalse':
      return actual === false;
    case 'eq':
      return isPresent(actual) && equals(actual, expected);
    case 'ne':
      // "not equal" holds for a field never recorded: the rule writer asked for anything but the value.
      return !isPresent(actual) || !equals(actual, expected);
    case 'gt':
      return compare(actual, expected, (order) => order > 0);
    case 'gte':
      return compare(actual, expected, (order) => order >= 0);
    case 'lt':
      return compare(actual, expected, (order) => order < 0);
    case 'lte':
      return compare(actual, expected, (order) => order <= 0);
    case 'in':
      return Array.isArray(expected) && isPresent(actual) && overlaps(actual, expected);
    case 'notIn':
      return Array.isArray(expected) && (!isPresent(actual) || !overlaps(actual, expected));
    case 'contains':
      return contains(actual, expected);
  }
}

function isPresent(value: FieldValue | undefined): value is Exclude<FieldValue, null> {
  return value !== undefined && value !== null;
}

function equals(actual: Exclude<FieldValue, null>, expected: ConditionValue): boolean {
  if (Array.isArray(actual) || Array.isArray(expected)) {
    return Array.isArray(actual) && Array.isArray(expected) && actual.length === expected.length && actual.every((item, i) => item === expected[i]);
  }
  return actual === expected;
}

/** Numbers compare as numbers, strings (ISO dates included) lexically; mixed types never match. */
function compare(actual: FieldValue | undefined, expected: ConditionValue, accept: (order: number) => boolean): boolean {
  if (typeof actual === 'number' && typeof expected === 'number') {
    if (Number.isNaN(actual) || Number.isNaN(expected)) return false;
    return accept(actual === expected ? 0 : actual < expected ? -1 : 1);
  }
  if (typeof actual === 'string' && typeof expected === 'string') {
    return accept(actual === expected ? 0 : actual < expected ? -1 : 1);
  }
  return false;
}

/** A single value is "in" the list when listed; a multiselect is "in" it when any selected option is. */
function overlaps(actual: Exclude<FieldValue, null>, list: Scalar[]): boolean {
  // A repeating group's items are no options: only its scalar entries could ever be listed.
  const items: unknown[] = Array.isArray(actual) ? actual : [actual];
  return items.some((item) => list.includes(item as Scalar));
}

/** Multiselects contain an option (or every option of a list); text contains a substring. */
function contains(actual: FieldValue | undefined, expected: ConditionValue): boolean {
  if (Array.isArray(actual)) {
    const wanted: Scalar[] = Array.isArray(expected) ? expected : expected === undefined ? [] : [expected];
    const held: unknown[] = actual;
    return wanted.length > 0 && wanted.every((item) => typeof item === 'string' && held.includes(item));
  }
  if (typeof actual === 'string' && typeof expected === 'string') return actual.includes(expected);
  return false;
}
