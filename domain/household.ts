/**
 * Households (nucleo familiare): the members a case is about, read from the repeating group the
 * definition names (`household.members`), and the facts rules read about them. Pure and
 * deterministic (the workflow bundle imports it): ages count from the case's clock, never the
 * machine's.
 *
 * Facts (`household.<fact>` in rules):
 * - `size`: number of members listed;
 * - `minorsCount`, `minorsPresent`: members who are minors (given, or derived from the birth year);
 * - `youngestAge`: the lowest age among members with a birth year (absent when none has one);
 * - `activableCount`: members recorded as job-activable (`jobActivable: true`);
 * - `activableAdultsCount`: those of them who are not minors (whom a job centre can take on).
 * A member's age is the age they reach in the current calendar year (birth year only: no birthday
 * is collected); `minor` given on the member wins over the derived one.
 * Per-member rules (`member.<key>`) read the member's answers plus `member.index`, `member.age`
 * and `member.minor`.
 */
import { localDate, type BusinessCalendar } from './calendar';
import type { CaseData, FieldValue, GroupItem, ScalarFieldValue } from './conditions';
import { readField } from './conditions';
import type { PathwayDefinition } from './pathway-schema';

/** What rules may read about a household, as `household.<fact>`. */
export const householdFacts = ['size', 'minorsCount', 'minorsPresent', 'youngestAge', 'activableCount', 'activableAdultsCount'] as const;

/** What every member offers rules besides its own answers, as `member.<key>`. */
export const derivedMemberKeys = ['index', 'age', 'minor'] as const;

/** Fact → the type a rule compares it as (the checks use it like a form field's type). */
export const householdFactTypes: Record<(typeof householdFacts)[number], 'number' | 'boolean'> = {
  size: 'number',
  minorsCount: 'number',
  minorsPresent: 'boolean',
  youngestAge: 'number',
  activableCount: 'number',
  activableAdultsCount: 'number',
};

const ADULT_AGE = 18;

/** The members list of a case (the group's items), or undefined while nobody recorded it. */
export function householdMembers(definition: Pick<PathwayDefinition, 'household'>, data: CaseData): GroupItem[] | undefined {
  if (!definition.household) return undefined;
  const value = readField(data, definition.household.members);
  return Array.isArray(value) && value.every((item) => typeof item === 'object' && item !== null) ? value : undefined;
}

/** A member as rules see it: its answers, its index in the list, its age this year and whether a minor. */
export function memberView(item: GroupItem, index: number, year: number): Record<string, ScalarFieldValue> {
  const birthYear = item.birthYear;
  const age = typeof birthYear === 'number' ? Math.max(0, year - birthYear) : null;
  const minor = typeof item.minor === 'boolean' ? item.minor : age === null ? null : age < ADULT_AGE;
  return { ...item, index, age, minor };
}

/** The household facts of a members list in a given year. */
export function factsOf(members: GroupItem[], year: number): Record<string, FieldValue> {
  const views = members.map((item, index) => memberView(item, index, year));
  const ages = views.map((view) => view.age).filter((age): age is number => typeof age === 'number');
  const minorsCount = views.filter((view) => view.minor === true).length;
  const facts: Record<string, FieldValue> = {
    size: members.length,
    minorsCount,
    minorsPresent: minorsCount > 0,
    activableCount: views.filter((view) => view.jobActivable === true).length,
    activableAdultsCount: views.filter((view) => view.jobActivable === true && view.minor !== true).length,
  };
  if (ages.length > 0) facts.youngestAge = Math.min(...ages);
  return facts;
}

/** The calendar year of `now` where the case is (Europe/Rome by default). */
export function caseYear(now: Date, calendar: BusinessCalendar): number {
  return Number(localDate(now, calendar).slice(0, 4));
}

/**
 * The data rules read: the collected data plus `household.<fact>` once the members are recorded.
 * A definition without a household gets the collected data itself, so older pathways decide
 * exactly as before.
 */
export function ruleData(state: { data: CaseData; calendar: BusinessCalendar }, definition: Pick<PathwayDefinition, 'household'>, now: Date): CaseData {
  const members = householdMembers(definition, state.data);
  if (!members) return state.data;
  return { ...state.data, household: factsOf(members, caseYear(now, state.calendar)) };
}

/** The indices of the members a per-member rule holds for, in list order. */
export function matchingMembers(
  state: { data: CaseData; calendar: BusinessCalendar },
  definition: Pick<PathwayDefinition, 'household'>,
  now: Date,
  holds: (data: CaseData) => boolean,
): number[] {
  const members = householdMembers(definition, state.data) ?? [];
  const base = ruleData(state, definition, now);
  const year = caseYear(now, state.calendar);
  return members.flatMap((item, index) => (holds({ ...base, member: memberView(item, index, year) }) ? [index] : []));
}
