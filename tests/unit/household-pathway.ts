/**
 * A household pathway shared by the household tests (pure engine, API): members given at start (a
 * repeating group), a route that changes with a child under 3, each job-activable member sent to
 * the CPI and the others to a social check-in, and a joint plan the CPI signs only when someone is
 * activable.
 */
import type { z } from 'zod';
import { createCase } from '../../domain/case-engine';
import type { CaseState } from '../../domain/case-state';
import { pathwayDefinitionSchema, type formFieldSchema, type PathwayDefinition, type PathwayDefinitionInput } from '../../domain/pathway-schema';

const t = (it: string, en?: string) => (en ? { it, en } : { it });

/** The members group: what the OSS desk records about each member of the nucleo. */
export const membersField = {
  key: 'members',
  type: 'group',
  label: t('Componenti del nucleo', 'Household members'),
  required: true,
  maxItems: 12,
  fields: [
    {
      key: 'relation',
      type: 'select',
      required: true,
      label: t('Relazione', 'Relation'),
      options: [
        { value: 'self', label: t('Richiedente', 'Applicant') },
        { value: 'partner', label: t('Coniuge o convivente', 'Partner') },
        { value: 'child', label: t('Figlio/a', 'Child') },
        { value: 'other', label: t('Altro', 'Other') },
      ],
    },
    { key: 'birthYear', type: 'number', required: true, min: 1900, max: 2100, label: t('Anno di nascita', 'Birth year') },
    { key: 'minor', type: 'boolean', label: t('Minore', 'Minor') },
    { key: 'jobActivable', type: 'boolean', label: t('Attivabile al lavoro', 'Job-activable') },
    { key: 'disability', type: 'boolean', category: 'disability', label: t('Disabilità', 'Disability') },
    { key: 'health', type: 'boolean', category: 'health', label: t('Condizioni di salute', 'Health conditions') },
  ],
} satisfies z.input<typeof formFieldSchema>;

/** The pathway document as an author writes it (members at start: `case.members`). */
export const householdPathwayDocument = {
  key: 'household-pathway',
  title: t('Nucleo familiare', 'Household'),
  caseFields: [membersField],
  household: { members: 'case.members' },
  start: 'triage',
  steps: {
    triage: {
      kind: 'decision',
      title: t('Smistamento', 'Triage'),
      // A child under 3: the early-childhood team assesses, with a shorter service level.
      rules: [{ when: { field: 'household.youngestAge', op: 'lt', value: 3 }, next: 'early_assessment', label: t('Bambino sotto i 3 anni') }],
      otherwise: 'assessment',
    },
    early_assessment: {
      kind: 'task',
      title: t('Analisi preliminare prioritaria (prima infanzia)', 'Priority assessment (early childhood)'),
      assignee: { service: 'social' },
      deadline: { amount: 10, unit: 'calendarDays' },
      next: 'activation',
    },
    assessment: {
      kind: 'task',
      title: t('Analisi preliminare', 'Preliminary assessment'),
      assignee: { service: 'social' },
      deadline: { amount: 30, unit: 'calendarDays' },
      next: 'activation',
    },
    activation: { kind: 'parallel', title: t('Attivazione per componente', 'Activation per member'), branches: ['cpi_pact', 'social_checkin'], next: 'plan' },
    cpi_pact: {
      kind: 'task',
      title: t('Patto di servizio', 'Employment pact'),
      assignee: { service: 'employment' },
      forEach: { members: { field: 'member.jobActivable', op: 'isTrue' } },
      form: { fields: [{ key: 'didSigned', type: 'boolean', required: true, label: t('DID rilasciata', 'DID signed') }] },
    },
    social_checkin: {
      kind: 'task',
      title: t('Verifica sociale', 'Social check-in'),
      assignee: { service: 'social' },
      forEach: { members: { not: { field: 'member.jobActivable', op: 'isTrue' } } },
      form: { fields: [{ key: 'note', type: 'text', label: t('Nota', 'Note') }] },
    },
    plan: {
      kind: 'task',
      title: t('Patto per l’inclusione', 'Joint plan'),
      assignee: { service: 'social' },
      form: { fields: [{ key: 'goals', type: 'textarea', required: true, label: t('Obiettivi', 'Goals') }] },
      signOff: { services: ['social'], alsoWhen: [{ service: 'employment', when: { field: 'household.activableCount', op: 'gt', value: 0 } }], distinctSigners: true },
      next: 'done',
    },
    done: { kind: 'end', title: t('Fine', 'End'), outcome: 'completed' },
  },
} satisfies PathwayDefinitionInput;

/** The same pathway, parsed. */
export function householdPathway(changes: Partial<PathwayDefinitionInput> = {}): PathwayDefinition {
  return pathwayDefinitionSchema.parse({ ...householdPathwayDocument, ...changes });
}

/** A case on `def` (version 1) started in Livorno on Monday 2 March 2026 with this start data. */
export function startHouseholdCase(def: PathwayDefinition, caseData: Record<string, unknown>): CaseState {
  return createCase({
    caseId: '51111111-2222-4333-8444-555555555555',
    reference: 'RT-LI-HOUSE1',
    areaId: 'livorno',
    startedAt: '2026-03-02T09:00:00.000Z',
    startedBy: { id: 'u-desk', kind: 'user' },
    caseData: caseData as never,
    pathway: { key: def.key, version: 1, definition: def },
    localHolidays: [],
  }).state;
}
