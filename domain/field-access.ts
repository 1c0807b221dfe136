/**
 * Field-level protection, written once as data: a form field marked with a special category
 * (GDPR art. 9/10: health, addiction, disability, judicial data; and data about minors) reaches
 * only the roles and services listed for its category. Everything else about a case stays visible
 * to whoever may read the case; a hidden field is omitted and its path listed, so a UI can say
 * "hidden" instead of pretending the field is empty.
 *
 * Decisions (need to know, domain brief "Data protection"):
 * - health, addiction, disability: the social services and the OSS front desk (operators) and the
 *   supervisors of those services; never the employment side (a CPI counsellor does not see
 *   clinical notes), never outreach units, never coordinators (they define pathways, not cases).
 * - judicial: the social service only.
 * - minors: the services that meet the household (outreach, OSS, social), not the employment side.
 * - admin: everything (system administration and data-subject requests).
 * - auditor: none of the values. Auditors check who accessed which fields, and the audit log and
 *   `redactedFields` name those fields without their values; a DPO who needs the content itself
 *   asks an admin, which leaves its own audit entry.
 */
import type { Actor } from './case-state';
import type { CaseData, FieldValue, GroupItem } from './conditions';
import { specialCategories, type FormField, type PathwayDefinition, type Role } from './pathway-schema';

export type SpecialCategory = (typeof specialCategories)[number];

/** Who may read the fields of one category: an actor needs one of the roles AND one of the services. */
export interface CategoryAccess {
  roles: readonly Role[];
  services: readonly string[];
}

const clinical: CategoryAccess = { roles: ['operator', 'supervisor'], services: ['social', 'oss'] };

/** Category → who may read it. Add a category to `specialCategories` and a line here; nothing else. */
export const fieldAccessPolicy = {
  health: clinical,
  addiction: clinical,
  disability: clinical,
  judicial: { roles: ['operator', 'supervisor'], services: ['social'] },
  minors: { roles: ['operator', 'supervisor'], services: ['outreach', 'oss', 'social'] },
} as const satisfies Record<SpecialCategory, CategoryAccess>;

/** Roles that read every category whatever their services. */
export const unrestrictedRoles: readonly Role[] = ['admin'];

/** Whether the actor may read fields of the category. */
export function mayReadCategory(actor: Pick<Actor, 'roles' | 'services'>, category: SpecialCategory): boolean {
  if (actor.roles.some((role) => unrestrictedRoles.includes(role))) return true;
  const access: CategoryAccess = fieldAccessPolicy[category];
  return actor.roles.some((role) => access.roles.includes(role)) && actor.services.some((service) => access.services.includes(service));
}

/** Field path (`<stepId>.<fieldKey>`, `case.<fieldKey>` for start data) → special category, for every categorised field of a definition. */
export function fieldCategories(definition: Pick<PathwayDefinition, 'caseFields' | 'steps'>): Map<string, SpecialCategory> {
  const categories = new Map<string, SpecialCategory>();
  const mark = (prefix: string, fields: readonly FormField[]) => {
    for (const field of fields) {
      if (field.category) categories.set(`${prefix}.${field.key}`, field.category);
      // A repeating group's sub-field (a member's disability) is protected item by item: `<path>.<subKey>`.
      for (const sub of field.fields ?? []) if (sub.category) categories.set(`${prefix}.${field.key}.${sub.key}`, sub.category);
    }
  };
  mark('case', definition.caseFields ?? []);
  for (const [stepId, step] of Object.entries(definition.steps ?? {})) {
    if (step.kind !== 'task') continue;
    // A per-member step keeps its answers per member, in `<stepId>.byMember`.
    mark(step.forEach ? `${stepId}.byMember` : stepId, step.form?.fields ?? []);
  }
  return categories;
}

/**
 * Field path → every category any of the definitions gives it. A case's data can come from several
 * versions of its pathway (a migrated case keeps the data recorded under the old version's step
 * ids), so a path is protected when any version marks it, by every category marking it.
 */
export function mergeFieldCategories(maps: Iterable<ReadonlyMap<string, SpecialCategory>>): Map<string, SpecialCategory[]> {
  const merged = new Map<string, SpecialCategory[]>();
  for (const map of maps) {
    for (const [path, category] of map) {
      const known = merged.get(path) ?? [];
      if (!known.includes(category)) merged.set(path, [...known, category]);
    }
  }
  return merged;
}

/**
 * What the actor may read of a case's categorised fields: a function from field path to yes/no. A
 * path with several categories needs all of them. `categories` null means the definition is
 * unknown: every field is hidden (fail closed) except from unrestricted roles.
 */
export function fieldReader(
  actor: Pick<Actor, 'roles' | 'services'>,
  categories: ReadonlyMap<string, SpecialCategory | readonly SpecialCategory[]> | null,
): (path: string) => boolean {
  if (actor.roles.some((role) => unrestrictedRoles.includes(role))) return () => true;
  if (categories === null) return () => false;
  const allowed = new Map<SpecialCategory, boolean>();
  for (const category of specialCategories) allowed.set(category, mayReadCategory(actor, category));
  return (path) => {
    const marked = categories.get(path);
    if (marked === undefined) return true;
    const all: readonly SpecialCategory[] = typeof marked === 'string' ? [marked] : marked;
    return all.every((category) => allowed.get(category) === true);
  };
}

/** The values of one step (or `case`) the reader may see, and the paths of those it may not. */
export function redactStepValues(
  stepId: string,
  values: Record<string, FieldValue>,
  mayRead: (path: string) => boolean,
): { values: Record<string, FieldValue>; redactedFields: string[] } {
  const visible: Record<string, FieldValue> = {};
  const redactedFields: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const path = `${stepId}.${key}`;
    if (!mayRead(path)) redactedFields.push(path);
    else if (isGroupValue(value)) visible[key] = redactItems(path, value, mayRead, redactedFields);
    else visible[key] = value;
  }
  return { values: visible, redactedFields };
}

function isGroupValue(value: FieldValue): value is GroupItem[] {
  return Array.isArray(value) && value.some((item) => typeof item === 'object' && item !== null);
}

/** A repeating group's items without the sub-fields the reader may not see; each hidden one is listed as `<path>.<index>.<subKey>`. */
function redactItems(path: string, items: GroupItem[], mayRead: (path: string) => boolean, redactedFields: string[]): GroupItem[] {
  return items.map((item, index) => {
    const shown: GroupItem = {};
    for (const [subKey, subValue] of Object.entries(item)) {
      if (mayRead(`${path}.${subKey}`)) shown[subKey] = subValue;
      else redactedFields.push(`${path}.${index}.${subKey}`);
    }
    return shown;
  });
}

/** A case's collected data as the reader may see it, the hidden paths, and the paths it returns (for the audit log). */
export function redactCaseData(
  data: CaseData,
  mayRead: (path: string) => boolean,
): { data: CaseData; redactedFields: string[]; returnedFields: string[] } {
  const visible: CaseData = {};
  const redactedFields: string[] = [];
  const returnedFields: string[] = [];
  for (const [stepId, values] of Object.entries(data)) {
    const redacted = redactStepValues(stepId, values ?? {}, mayRead);
    visible[stepId] = redacted.values;
    redactedFields.push(...redacted.redactedFields);
    returnedFields.push(...Object.keys(redacted.values).map((key) => `${stepId}.${key}`));
  }
  return { data: visible, redactedFields, returnedFields };
}
