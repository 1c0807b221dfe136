/**
 * Custom search attributes that make cases findable in the Temporal UI. Values are codes and
 * dates only: never a name, alias or anything that identifies the person.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const caseSearchAttributes = {
  pathway: defineSearchAttributeKey('ReticulatePathway', SearchAttributeType.KEYWORD),
  area: defineSearchAttributeKey('ReticulateArea', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('ReticulateStatus', SearchAttributeType.KEYWORD),
  openSteps: defineSearchAttributeKey('ReticulateOpenSteps', SearchAttributeType.KEYWORD_LIST),
  nextDeadline: defineSearchAttributeKey('ReticulateNextDeadline', SearchAttributeType.DATETIME),
  escalationLevel: defineSearchAttributeKey('ReticulateEscalationLevel', SearchAttributeType.INT),
} as const;

/** Name and CLI type of each attribute, for `temporal operator search-attribute create` and `--search-attribute`. */
export const searchAttributeRegistrations: ReadonlyArray<{ name: string; cliType: string }> = [
  { name: 'ReticulatePathway', cliType: 'Keyword' },
  { name: 'ReticulateArea', cliType: 'Keyword' },
  { name: 'ReticulateStatus', cliType: 'Keyword' },
  { name: 'ReticulateOpenSteps', cliType: 'KeywordList' },
  { name: 'ReticulateNextDeadline', cliType: 'Datetime' },
  { name: 'ReticulateEscalationLevel', cliType: 'Int' },
];

/** `KeywordList` → `INDEXED_VALUE_TYPE_KEYWORD_LIST`: the spelling of Temporal's API (and of `temporal operator search-attribute list -o json`). */
export function indexedValueTypeName(cliType: string): string {
  return `INDEXED_VALUE_TYPE_${cliType.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/** The one task queue that hosts case workflows and their activities. */
export const CASE_TASK_QUEUE = 'reticulate-cases';
