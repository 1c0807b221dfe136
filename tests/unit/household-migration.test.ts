/**
 * Moving a household case to a new pathway version: the members' items are checked against the new
 * group's sub-fields (types, options, how many items), per-member answers member by member, and an
 * open per-member step cannot be mapped to an ordinary one (nor the reverse).
 */
import { applyCommand } from '../../domain/case-command-handlers';
import type { CaseCommand } from '../../domain/case-commands';
import { openTasks } from '../../domain/case-engine';
import { checkMigration } from '../../domain/case-migration';
import type { Actor, CaseState } from '../../domain/case-state';
import type { PathwayDefinition } from '../../domain/pathway-schema';
import { householdPathway, householdPathwayDocument, membersField, startHouseholdCase } from './household-pathway';

const livorno = (id: string, roles: Actor['roles'], services: string[]): Actor => ({ id, kind: 'user', roles, areas: ['livorno'], services });
const socialWorker = livorno('u-social', ['operator'], ['social']);
const cpiCounsellor = livorno('u-cpi', ['operator'], ['employment']);
const coordinator = livorno('u-coord', ['coordinator'], []);
const members = [
  { relation: 'self', birthYear: 1984, jobActivable: true },
  { relation: 'partner', birthYear: 1979, jobActivable: false },
];

/** A case whose per-member steps are open: the CPI's for member 0, a social check-in for member 1. */
function atPerMemberSteps(def: PathwayDefinition): CaseState {
  const state = startHouseholdCase(def, { members });
  const [assessment] = openTasks(state).filter((task) => task.stepId === 'assessment');
  applyCommand(state, def, { actor: socialWorker, command: { kind: 'completeTask', taskId: assessment.id, data: {} } }, new Date('2026-03-10T10:00:00.000Z'));
  return state;
}

const steps = householdPathwayDocument.steps;
const v1 = householdPathway();
const migrate = (definition: PathwayDefinition): CaseCommand => ({ kind: 'migrateCase', fromVersion: 1, toVersion: 2, definition, stepMapping: {}, reason: 'Nuova versione regionale' });
const problems = (state: CaseState, definition: PathwayDefinition) => checkMigration(state, v1, coordinator, migrate(definition) as never).problems;

describe('migrating household cases', () => {
  it('moves a household case to an unchanged new version', () => {
    expect(problems(atPerMemberSteps(v1), householdPathway())).toEqual([]);
  });

  it("checks every member's item against the new group's sub-fields and item limit", () => {
    const state = atPerMemberSteps(v1);
    const relation = membersField.fields[0];
    const noPartner = householdPathway({
      caseFields: [{ ...membersField, fields: [{ ...relation, options: (relation.options ?? []).filter((option) => option.value !== 'partner') }, ...membersField.fields.slice(1)] }],
    });
    expect(problems(state, noPartner)).toEqual([expect.objectContaining({ code: 'form_incompatible', message: expect.stringContaining('"case.members.1.relation" holds "partner"') })]);

    const retypedYear = householdPathway({
      caseFields: [{ ...membersField, fields: membersField.fields.map((field) => (field.key === 'birthYear' ? { key: 'birthYear', type: 'text' as const, label: field.label } : field)) }],
    });
    expect(problems(state, retypedYear).map((problem) => problem.message)).toEqual([
      expect.stringContaining('"case.members.0.birthYear" is number'),
      expect.stringContaining('"case.members.1.birthYear" is number'),
    ]);

    const oneMember = householdPathway({ caseFields: [{ ...membersField, maxItems: 1 }] });
    expect(problems(state, oneMember)).toEqual([expect.objectContaining({ code: 'form_incompatible', message: expect.stringContaining('holds 2 items, more than the 1') })]);
  });

  it("checks a per-member step's answers member by member", () => {
    const state = atPerMemberSteps(v1);
    const [cpi] = openTasks(state).filter((task) => task.stepId === 'cpi_pact');
    applyCommand(state, v1, { actor: cpiCounsellor, command: { kind: 'completeTask', taskId: cpi.id, data: { didSigned: true } } }, new Date('2026-03-11T10:00:00.000Z'));
    const retyped = householdPathway({
      steps: { ...steps, cpi_pact: { ...steps.cpi_pact, form: { fields: [{ key: 'didSigned', type: 'text', label: { it: 'DID' } }] } } },
    });
    expect(problems(state, retyped)).toEqual([expect.objectContaining({ code: 'form_incompatible', stepId: 'cpi_pact', message: expect.stringContaining('"cpi_pact.byMember.0.didSigned" is boolean') })]);
  });

  it('refuses to map an open per-member step to an ordinary one, and the reverse', () => {
    const state = atPerMemberSteps(v1);
    const { forEach: _cpiForEach, ...cpiOnce } = steps.cpi_pact;
    const ordinary = householdPathway({ steps: { ...steps, cpi_pact: cpiOnce } });
    expect(problems(state, ordinary)).toEqual([expect.objectContaining({ code: 'step_kind_changed', stepId: 'cpi_pact', message: expect.stringContaining('runs once per member') })]);

    const { forEach: _a, ...checkinOnce } = steps.social_checkin;
    const { forEach: _b, ...pactOnce } = steps.cpi_pact;
    const before = householdPathway({ steps: { ...steps, social_checkin: checkinOnce, cpi_pact: pactOnce } });
    const ordinaryState = atPerMemberSteps(before);
    const check = checkMigration(ordinaryState, before, coordinator, migrate(householdPathway()) as never).problems;
    expect(check.map((problem) => [problem.code, problem.stepId])).toEqual([
      ['step_kind_changed', 'cpi_pact'],
      ['step_kind_changed', 'social_checkin'],
    ]);
    expect(check[0].message).toContain('runs once for the case');
  });
});
