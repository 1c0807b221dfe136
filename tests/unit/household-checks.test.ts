/**
 * Authoring households: repeating groups in forms (shape), the household's members field, per-member
 * steps and household facts in rules, each mistake reported once at its path.
 */
import { checkDefinitionDocument } from '../../domain/pathway-document-checks';
import { formFieldSchema } from '../../domain/pathway-schema';
import { validateFormData } from '../../domain/form-validation';
import { householdPathwayDocument, membersField } from './household-pathway';

const services = ['social', 'employment', 'oss'];
const issuesOf = (document: unknown) => checkDefinitionDocument(document, { services }).issues.map((issue) => `${issue.code} ${issue.path.join('.')}: ${issue.message}`);
const steps = householdPathwayDocument.steps;

describe('repeating groups', () => {
  it('validates each item with its path: wrong type, missing, unknown sub-field, too many items', () => {
    const members = formFieldSchema.parse(membersField);
    const paths = (input: unknown) => {
      const result = validateFormData([members], input);
      return result.ok ? [] : result.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(paths({ members: [{ relation: 'self', birthYear: 1980 }, { relation: 'child' }, { relation: 'cousin', birthYear: 1990, surname: 'Rossi' }] })).toEqual([
      'members.1.birthYear: required',
      'members.2.relation: expected one of: self, partner, child, other',
      'members.2.surname: unknown field',
    ]);
    expect(paths({ members: [] })).toEqual(['members: required']);
    expect(paths({ members: Array.from({ length: 13 }, () => ({ relation: 'other', birthYear: 1990 })) })).toEqual(['members: at most 12 items']);
    expect(paths({ members: { relation: 'self' } })).toEqual(['members: expected a list of items']);
    expect(validateFormData([members], { members: [{ relation: 'self', birthYear: 1980, jobActivable: true }] })).toEqual({
      ok: true,
      data: { members: [{ relation: 'self', birthYear: 1980, jobActivable: true }] },
    });
  });

  it('refuses malformed groups in the definition, one issue each', () => {
    const problems = (field: Record<string, unknown>) => formFieldSchema.safeParse({ key: 'g', label: { it: 'g' }, ...field }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems({ type: 'group' })).toEqual(['fields: a group field needs the sub-fields each item answers ("fields")']);
    expect(problems({ type: 'text', fields: [{ key: 'a', label: { it: 'a' }, type: 'text' }] })).toEqual(['fields: "fields" applies only to group fields']);
    expect(problems({ type: 'group', fields: [{ key: 'inner', label: { it: 'i' }, type: 'group' }] })?.[0]).toMatch(/^fields\.0\.type: /);
    expect(problems({ type: 'group', fields: [{ key: 'a', label: { it: 'a' }, type: 'text', when: { field: 'x.a', op: 'exists' } }] })).toEqual(['fields.0: Unrecognized key: "when"']);
    expect(problems({ type: 'group', minItems: 3, maxItems: 2, fields: [{ key: 'a', label: { it: 'a' }, type: 'text' }] })).toEqual(['minItems: "minItems" is more than "maxItems"']);
  });
});

describe('household authoring checks', () => {
  it('accepts the household pathway', () => {
    expect(issuesOf(householdPathwayDocument)).toEqual([]);
  });

  it('reports unknown member fields, unknown facts and forEach on a non-task step, one issue each', () => {
    const document = {
      ...householdPathwayDocument,
      steps: {
        ...steps,
        triage: { ...steps.triage, rules: [{ when: { field: 'household.youngestChildAge', op: 'lt', value: 3 }, next: 'early_assessment' }] },
        cpi_pact: { ...steps.cpi_pact, forEach: { members: { field: 'member.activable', op: 'isTrue' } } },
        activation: { ...steps.activation, forEach: { members: { field: 'member.jobActivable', op: 'isTrue' } } },
        plan: { ...steps.plan, signOff: { ...steps.plan.signOff, alsoWhen: [{ service: 'employment', when: { field: 'member.jobActivable', op: 'isTrue' } }] } },
      },
    };
    expect(issuesOf(document)).toEqual([
      'unrecognized_keys steps.activation.forEach: "forEach" repeats task steps only',
      'unknown_field steps.cpi_pact.forEach.members.field: household members have no field "activable"',
      'unknown_field steps.plan.signOff.alsoWhen.0.when.field: "member.jobActivable" is read only in a per-member step\'s "forEach" rule',
      'unknown_field steps.triage.rules.0.when.field: the household has no fact "youngestChildAge" (known: size, minorsCount, minorsPresent, youngestAge, activableCount, activableAdultsCount)',
    ]);
  });

  it('needs a household for facts and per-member steps, and a group to hold its members', () => {
    const { household: _household, ...withoutHousehold } = householdPathwayDocument;
    expect(issuesOf(withoutHousehold)).toEqual([
      'household steps.cpi_pact.forEach: "forEach" runs the task once per household member, and the pathway names no household (give "household": { "members": <group field> })',
      'unknown_field steps.plan.signOff.alsoWhen.0.when.field: "household.activableCount" reads the household, and the pathway names none (give "household": { "members": <group field> })',
      'household steps.social_checkin.forEach: "forEach" runs the task once per household member, and the pathway names no household (give "household": { "members": <group field> })',
      'unknown_field steps.triage.rules.0.when.field: "household.youngestAge" reads the household, and the pathway names none (give "household": { "members": <group field> })',
    ]);
    const notAGroup = {
      ...householdPathwayDocument,
      caseFields: [...householdPathwayDocument.caseFields, { key: 'size', type: 'number', label: { it: 'Componenti' } }],
      household: { members: 'case.size' },
    };
    expect(issuesOf(notAGroup)).toContain('field_type_mismatch household.members: "case.size" is a number field; the household\'s members are a repeating group (type "group")');
    expect(issuesOf({ ...householdPathwayDocument, household: { members: 'case.membri' } })).toContain('unknown_field household.members: the case start data has no field "membri"');
  });

  it('refuses a joint plan per member, rules over a per-member step’s answers, and comparisons of a whole group', () => {
    const document = {
      ...householdPathwayDocument,
      steps: {
        ...steps,
        social_checkin: { ...steps.social_checkin, signOff: { services: ['social', 'employment'] } },
        triage: {
          ...steps.triage,
          rules: [
            { when: { field: 'cpi_pact.didSigned', op: 'isTrue' }, next: 'early_assessment' },
            { when: { field: 'case.members', op: 'eq', value: 'x' }, next: 'assessment' },
          ],
        },
      },
    };
    expect(issuesOf(document)).toEqual([
      'household steps.social_checkin.forEach: a joint plan is signed once for the case: a per-member step cannot have "signOff"',
      'unknown_field steps.triage.rules.0.when.field: per-member step "cpi_pact" keeps its answers per member (cpi_pact.byMember); rules cannot read "didSigned" from it',
      'field_type_mismatch steps.triage.rules.1.when.op: "members" is a repeating group: rules can only ask whether it "exists" (use household facts to count members)',
    ]);
  });

  it('keeps the household checks when another part of the document fails', () => {
    const document = { ...householdPathwayDocument, steps: { ...steps, done: { kind: 'end', title: { it: 'Fine' }, outcome: 'Not A Code' } } };
    expect(issuesOf(document)).toEqual(['invalid_format steps.done.outcome: outcomes are lower snake case codes']);
  });
});
