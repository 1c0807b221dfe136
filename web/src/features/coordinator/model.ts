/**
 * The pathway definition as the coordinator screens handle it: a loose mirror of the DSL
 * (domain/pathway-schema.ts) that tolerates a half-edited draft, immutable updates by path, the
 * graph of steps and transitions, and a structural per-step diff between two versions.
 */

import { localized, type LocalizedText as Localized } from '../../i18n/format';

export type { Localized };
export const durationUnits = ['minutes', 'hours', 'calendarDays', 'workingDays', 'months'] as const;
export type DurationUnit = (typeof durationUnits)[number];
export interface Duration {
  amount: number;
  unit: DurationUnit;
}
export const roles = ['operator', 'supervisor', 'coordinator', 'admin', 'auditor'] as const;
export type Role = (typeof roles)[number];
/** Types of a field holding one answer: any field, and the sub-fields of a repeating group. */
export const scalarFieldTypes = ['text', 'textarea', 'number', 'boolean', 'date', 'select', 'multiselect'] as const;
/** `group`: a repeating group (the household's members), items answering its sub-fields. */
export const fieldTypes = [...scalarFieldTypes, 'group'] as const;
export type FieldType = (typeof fieldTypes)[number];
export const specialCategories = ['health', 'addiction', 'disability', 'judicial', 'minors'] as const;
export const stepKinds = ['task', 'decision', 'parallel', 'wait', 'recurring', 'goto', 'referral', 'end'] as const;
export type StepKind = (typeof stepKinds)[number];
export const conditionOperators = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'contains', 'exists', 'notExists', 'isTrue', 'isFalse'] as const;

export interface FormFieldDoc {
  key: string;
  label: Localized;
  type: FieldType;
  required?: boolean;
  options?: { value: string; label: Localized }[];
  min?: number;
  max?: number;
  maxLength?: number;
  category?: (typeof specialCategories)[number];
  help?: Localized;
  /** The one value the field must hold (e.g. the privacy notice given). */
  mustEqual?: string | number | boolean;
  /** Asked only when this rule over the fields above it holds. */
  when?: ConditionDoc;
  /** A group's sub-fields, answered by each item (scalar types only, no rules). */
  fields?: FormFieldDoc[];
  minItems?: number;
  maxItems?: number;
}

/** A blank field for the editor to fill in (a group's first sub-field too). */
export const blankField = (): FormFieldDoc => ({ key: '', label: { it: '' }, type: 'text', required: false });

/**
 * The field with another type, keeping what still applies: options appear for a choice (one to
 * start with) and go otherwise; a group gets a first sub-field and loses what only scalar fields
 * take (options, one accepted value, bounds, length); a field that stops being a group loses its
 * sub-fields and item counts.
 */
export function withFieldType(field: FormFieldDoc, type: FieldType): FormFieldDoc {
  const next: FormFieldDoc = { ...field, type };
  const wantsOptions = type === 'select' || type === 'multiselect';
  if (wantsOptions && !next.options) next.options = [{ value: 'option_1', label: { it: 'Opzione 1' } }];
  if (!wantsOptions) delete next.options;
  if (type === 'group') {
    for (const key of ['mustEqual', 'min', 'max', 'maxLength'] as const) delete next[key];
    if (!next.fields || next.fields.length === 0) next.fields = [blankField()];
  } else {
    for (const key of ['fields', 'minItems', 'maxItems'] as const) delete next[key];
  }
  return next;
}

export type Scalar = string | number | boolean;
export type ConditionDoc =
  | { all: ConditionDoc[] }
  | { any: ConditionDoc[] }
  | { not: ConditionDoc }
  | { anyMember: { step: string; when: ConditionDoc } }
  | { field: string; op: (typeof conditionOperators)[number]; value?: Scalar | Scalar[] };

/** A level fires `after` the deadline, or `before` it (a warning while there is still time): exactly one. */
export interface EscalationDoc {
  after?: Duration;
  before?: Duration;
  role: Role;
  service?: string;
  reassign?: boolean;
}

/** One step, any kind: the properties of every kind are optional so a draft being edited still fits. */
export interface StepDoc {
  kind: StepKind;
  title: Localized;
  description?: Localized;
  assignee?: { service: string; role?: Role };
  form?: { fields?: FormFieldDoc[] };
  deadline?: Duration & { from?: { field: string }; clock?: 'statutory' | 'internal'; legalBasis?: Localized };
  reminders?: { before: Duration }[];
  escalation?: EscalationDoc[];
  signOff?: { services: string[]; alsoWhen?: { service: string; when: ConditionDoc }[]; distinctSigners?: boolean };
  next?: string;
  branches?: string[];
  rules?: { when: ConditionDoc; next: string; label?: Localized }[];
  otherwise?: string;
  for?: Duration;
  until?: unknown;
  every?: Duration;
  body?: string;
  times?: number;
  anchor?: { field: string };
  opensBefore?: Duration;
  target?: string;
  maxTimes?: number;
  outcome?: string;
  from?: string;
  to?: { service: string; role?: Role };
  rejectionReasons?: { code: string; label: Localized }[];
  outcomes?: { code: string; label: Localized }[] | string[];
  onRejected?: string;
}

export interface DefinitionDoc {
  key: string;
  title: Localized;
  description?: Localized;
  caseFields?: FormFieldDoc[];
  /** The group field that lists the household's members: `case.<key>` or `<stepId>.<key>`. */
  household?: { members: string };
  start: string;
  steps: Record<string, StepDoc>;
  outcomes?: string[];
}

export type DocPath = (string | number)[];

/** The dotted form of a document path, as issues and field ids use it. */
export const pathKey = (path: DocPath): string => path.join('.');

/** A DOM id for the input editing a document path. */
export const inputId = (path: DocPath): string => `pw-${path.join('-').replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** The text in the current language, falling back to Italian (the working language). */
export { localized };

/** A copy of `value` with `path` replaced by `update(old)`; `undefined` removes the key. */
export function updateAt<T>(value: T, path: DocPath, update: (old: unknown) => unknown): T {
  if (path.length === 0) return update(value) as T;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    copy[head as number] = updateAt(copy[head as number], rest, update);
    return copy as T;
  }
  const object = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const next = updateAt(object[head], rest, update);
  const copy = { ...object };
  if (next === undefined) delete copy[head];
  else copy[head] = next;
  return copy as T;
}

/** The value at `path`, or undefined. */
export function valueAt(value: unknown, path: DocPath): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** Transition kind: what the edge means in the DSL. */
  kind: 'next' | 'rule' | 'otherwise' | 'branch' | 'body' | 'target' | 'rejected';
  /** Text to show on the edge (a rule's label or its condition). */
  label?: string;
}

/** Short readable text for a condition: `outreach.urgent isTrue`, `a = 1 and b ≠ 2`. */
export function conditionText(condition: unknown): string {
  if (!condition || typeof condition !== 'object') return '?';
  const c = condition as Record<string, unknown>;
  if (Array.isArray(c.all)) return c.all.map(conditionText).join(' ∧ ');
  if (Array.isArray(c.any)) return c.any.map(conditionText).join(' ∨ ');
  if (c.not !== undefined) return `¬(${conditionText(c.not)})`;
  if (c.anyMember && typeof c.anyMember === 'object') {
    const quantified = c.anyMember as Record<string, unknown>;
    return `∃ member ∈ ${typeof quantified.step === 'string' ? quantified.step : '?'}: (${conditionText(quantified.when)})`;
  }
  const value = c.value === undefined ? '' : ` ${JSON.stringify(c.value)}`;
  return `${typeof c.field === 'string' ? c.field : '?'} ${typeof c.op === 'string' ? c.op : '?'}${value}`;
}

/** Every transition of the pathway, in the same sense as the API's static checks. */
export function graphEdges(doc: DefinitionDoc, language: string): GraphEdge[] {
  const edges: GraphEdge[] = [];
  for (const [id, step] of Object.entries(doc.steps ?? {})) {
    if (!step || typeof step !== 'object') continue;
    const add = (to: unknown, kind: GraphEdge['kind'], label?: string) => {
      if (typeof to === 'string' && to !== '') edges.push({ from: id, to, kind, label });
    };
    switch (step.kind) {
      case 'decision':
        (step.rules ?? []).forEach((rule) => add(rule?.next, 'rule', localized(rule?.label, language) || conditionText(rule?.when)));
        add(step.otherwise, 'otherwise');
        break;
      case 'parallel':
        (step.branches ?? []).forEach((branch) => add(branch, 'branch'));
        add(step.next, 'next');
        break;
      case 'recurring':
        add(step.body, 'body');
        add(step.next, 'next');
        break;
      case 'goto':
        add(step.target, 'target', step.maxTimes ? `≤ ${step.maxTimes}×` : undefined);
        add(step.otherwise, 'otherwise');
        break;
      case 'referral':
        add(step.next, 'next');
        add(step.onRejected, 'rejected');
        break;
      default:
        add(step.next, 'next');
    }
  }
  return edges;
}

/**
 * Step ids in the order a person would read the pathway: breadth-first from the start step along
 * its transitions, then any step nothing reaches (stored documents do not keep key order).
 */
export function orderedStepIds(doc: DefinitionDoc): string[] {
  const steps = doc.steps && typeof doc.steps === 'object' ? doc.steps : {};
  const next = new Map<string, string[]>();
  for (const edge of graphEdges(doc, 'it')) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  const seen = new Set<string>();
  const queue = doc.start in steps ? [doc.start] : [];
  for (const id of queue) seen.add(id);
  while (queue.length > 0) {
    const id = queue.shift() as string;
    for (const to of next.get(id) ?? []) {
      if (to in steps && !seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return [...seen, ...Object.keys(steps).filter((id) => !seen.has(id))];
}

/** Flattens a value into leaf paths; arrays of objects with a `key`/`code`/`value` are keyed by it, so an insertion does not shift every later item. */
export function flatten(value: unknown, prefix = '', out: Map<string, string> = new Map()): Map<string, string> {
  if (Array.isArray(value)) {
    const idOf = (item: unknown): string | undefined => {
      if (!item || typeof item !== 'object') return undefined;
      const record = item as Record<string, unknown>;
      const id = record.key ?? record.code ?? record.value;
      return typeof id === 'string' ? id : undefined;
    };
    const ids = value.map(idOf);
    const keyed = value.length > 0 && ids.every((id) => id !== undefined) && new Set(ids).size === ids.length;
    if (value.length === 0) out.set(prefix, '[]');
    value.forEach((item, index) => flatten(item, `${prefix}[${keyed ? ids[index] : index}]`, out));
  } else if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.set(prefix, '{}');
    for (const [key, item] of entries) flatten(item, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, value === undefined ? '' : JSON.stringify(value));
  }
  return out;
}

export interface PropertyChange {
  property: string;
  before: string | null;
  after: string | null;
}

export interface StepDiff {
  stepId: string;
  status: 'added' | 'removed' | 'changed';
  titleBefore?: Localized;
  titleAfter?: Localized;
  changes: PropertyChange[];
}

/** Property-by-property differences of two values (as flattened leaf paths). */
export function propertyChanges(before: unknown, after: unknown): PropertyChange[] {
  const a = flatten(before);
  const b = flatten(after);
  const properties = [...new Set([...a.keys(), ...b.keys()])].sort();
  return properties
    .filter((property) => a.get(property) !== b.get(property))
    .map((property) => ({ property, before: a.get(property) ?? null, after: b.get(property) ?? null }));
}

/** Structural diff of two definitions: the pathway's own properties, then each step added, removed or changed. */
export function diffDefinitions(before: DefinitionDoc, after: DefinitionDoc): { pathway: PropertyChange[]; steps: StepDiff[] } {
  const { steps: stepsBefore, ...restBefore } = before;
  const { steps: stepsAfter, ...restAfter } = after;
  const steps: StepDiff[] = [];
  const ids = [...new Set([...orderedStepIds(after), ...orderedStepIds(before)])];
  for (const stepId of ids) {
    const old = stepsBefore?.[stepId];
    const current = stepsAfter?.[stepId];
    if (!old && current) steps.push({ stepId, status: 'added', titleAfter: current.title, changes: propertyChanges(undefined, current) });
    else if (old && !current) steps.push({ stepId, status: 'removed', titleBefore: old.title, changes: propertyChanges(old, undefined) });
    else if (old && current) {
      const changes = propertyChanges(old, current);
      if (changes.length > 0) steps.push({ stepId, status: 'changed', titleBefore: old.title, titleAfter: current.title, changes });
    }
  }
  return { pathway: propertyChanges(restBefore, restAfter), steps };
}

/**
 * Renames a step and every reference to it: the start, each transition (next, otherwise, rules,
 * branches, body, target, onRejected), each field path `<step>.<field>` in conditions and dates,
 * each `anyMember` rule over that step, and the household's members when that step collects them.
 */
export function renameStep(doc: DefinitionDoc, from: string, to: string): DefinitionDoc {
  const rename = (id: unknown) => (id === from ? to : id);
  const renameFields = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(renameFields);
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        key,
        key === 'field' && typeof item === 'string' && item.startsWith(`${from}.`)
          ? `${to}.${item.slice(from.length + 1)}`
          : key === 'anyMember' && item && typeof item === 'object' && (item as { step?: unknown }).step === from
            ? { ...(renameFields(item) as object), step: to }
            : renameFields(item),
      ]),
    );
  };
  const steps = Object.fromEntries(
    Object.entries(doc.steps).map(([id, step]) => {
      const renamed = renameFields(step) as StepDoc;
      for (const key of ['next', 'otherwise', 'target', 'body', 'onRejected'] as const) {
        if (renamed[key] !== undefined) renamed[key] = rename(renamed[key]) as string;
      }
      if (renamed.branches) renamed.branches = renamed.branches.map((branch) => rename(branch) as string);
      if (renamed.rules) renamed.rules = renamed.rules.map((rule) => ({ ...rule, next: rename(rule.next) as string }));
      return [id === from ? to : id, renamed];
    }),
  );
  const members = doc.household?.members;
  const household = members?.startsWith(`${from}.`) ? { household: { ...doc.household, members: `${to}.${members.slice(from.length + 1)}` } } : {};
  return { ...doc, ...household, start: rename(doc.start) as string, steps };
}

/** A minimal document that passes the schema: one task and an end, for a brand-new pathway. */
export function newPathwayDocument(key: string, title: string): DefinitionDoc {
  return {
    key,
    title: { it: title },
    start: 'accoglienza',
    steps: {
      accoglienza: {
        kind: 'task',
        title: { it: 'Accoglienza e primo ascolto', en: 'Intake' },
        assignee: { service: 'oss', role: 'operator' },
        deadline: { amount: 5, unit: 'workingDays' },
        form: { fields: [] },
        next: 'chiusura',
      },
      chiusura: { kind: 'end', title: { it: 'Chiusura', en: 'Closure' }, outcome: 'completed' },
    },
  };
}

/** A new step of a kind, with the least each kind needs. */
export function newStep(kind: StepKind, title: string): StepDoc {
  const base = { kind, title: { it: title } };
  switch (kind) {
    case 'task':
      return { ...base, assignee: { service: 'oss', role: 'operator' }, form: { fields: [] } };
    case 'decision':
      return { ...base, rules: [{ when: { field: '', op: 'isTrue' }, next: '' }], otherwise: '' };
    case 'parallel':
      return { ...base, branches: ['', ''] };
    case 'wait':
      return { ...base, for: { amount: 1, unit: 'workingDays' } };
    case 'recurring':
      return { ...base, every: { amount: 90, unit: 'calendarDays' }, body: '', times: 1 };
    case 'goto':
      return { ...base, target: '', maxTimes: 3 };
    case 'referral':
      return {
        ...base,
        from: 'social',
        to: { service: 'employment', role: 'operator' },
        rejectionReasons: [{ code: 'not_eligible', label: { it: 'Non idoneo' } }],
        outcomes: [{ code: 'completed', label: { it: 'Concluso' } }],
      };
    case 'end':
      return { ...base, outcome: 'completed' };
  }
}
