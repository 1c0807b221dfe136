/**
 * The console's twin of the API's rule evaluator (domain/conditions.ts), for fields shown only when
 * a rule over earlier answers of the same form holds. It must decide exactly as the server does:
 * tests/unit/console-form-values.test.ts checks that the console accepts exactly what the API accepts.
 */

type Scalar = string | number | boolean;
/** A value as the API receives it. */
export type SentValue = Scalar | string[] | null;

/** A field's rule, as the pathway definition writes it. */
export type FieldRule =
  | { all: FieldRule[] }
  | { any: FieldRule[] }
  | { not: FieldRule }
  | { field: string; op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'notIn' | 'contains' | 'exists' | 'notExists' | 'isTrue' | 'isFalse'; value?: Scalar | Scalar[] };

type Comparison = Extract<FieldRule, { field: string }>;

/** Whether the rule holds over the answers as they would be sent; every path reads this same form (`<stepId>.<key>`). */
export function ruleHolds(rule: FieldRule, sent: Record<string, SentValue>): boolean {
  if ('all' in rule) return rule.all.every((child) => ruleHolds(child, sent));
  if ('any' in rule) return rule.any.some((child) => ruleHolds(child, sent));
  if ('not' in rule) return !ruleHolds(rule.not, sent);
  const key = rule.field.slice(rule.field.indexOf('.') + 1);
  return compareTo(rule, Object.prototype.hasOwnProperty.call(sent, key) ? sent[key] : undefined);
}

function isBlank(value: SentValue | undefined): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function isPresent(value: SentValue | undefined): value is Exclude<SentValue, null> {
  return value !== undefined && value !== null;
}

function equals(actual: Exclude<SentValue, null>, expected: Comparison['value']): boolean {
  if (Array.isArray(actual) || Array.isArray(expected)) {
    return Array.isArray(actual) && Array.isArray(expected) && actual.length === expected.length && actual.every((item, i) => item === expected[i]);
  }
  return actual === expected;
}

function order(actual: SentValue | undefined, expected: Comparison['value'], accept: (order: number) => boolean): boolean {
  if (typeof actual === 'number' && typeof expected === 'number') {
    if (Number.isNaN(actual) || Number.isNaN(expected)) return false;
    return accept(actual === expected ? 0 : actual < expected ? -1 : 1);
  }
  if (typeof actual === 'string' && typeof expected === 'string') return accept(actual === expected ? 0 : actual < expected ? -1 : 1);
  return false;
}

function overlaps(actual: Exclude<SentValue, null>, list: Scalar[]): boolean {
  const items: Scalar[] = Array.isArray(actual) ? actual : [actual];
  return items.some((item) => list.includes(item));
}

function contains(actual: SentValue | undefined, expected: Comparison['value']): boolean {
  if (Array.isArray(actual)) {
    const wanted: Scalar[] = Array.isArray(expected) ? expected : expected === undefined ? [] : [expected];
    return wanted.length > 0 && wanted.every((item) => typeof item === 'string' && actual.includes(item));
  }
  if (typeof actual === 'string' && typeof expected === 'string') return actual.includes(expected);
  return false;
}

function compareTo(rule: Comparison, actual: SentValue | undefined): boolean {
  const expected = rule.value;
  switch (rule.op) {
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
      return !isPresent(actual) || !equals(actual, expected);
    case 'gt':
      return order(actual, expected, (o) => o > 0);
    case 'gte':
      return order(actual, expected, (o) => o >= 0);
    case 'lt':
      return order(actual, expected, (o) => o < 0);
    case 'lte':
      return order(actual, expected, (o) => o <= 0);
    case 'in':
      return Array.isArray(expected) && isPresent(actual) && overlaps(actual, expected);
    case 'notIn':
      return Array.isArray(expected) && (!isPresent(actual) || !overlaps(actual, expected));
    case 'contains':
      return contains(actual, expected);
  }
}
