/**
 * Rules over per-member answers: `{ anyMember: { step, when } }` holds when some member's answers
 * of a per-member step satisfy `when` (`member.<key>` reads them, `member.index` names the member);
 * the static checks report each mistake in such a rule once, at its path.
 */
import { conditionLeaves, evaluateCondition, type CaseData } from '../../domain/conditions';
import { checkDefinitionDocument } from '../../domain/pathway-document-checks';
import type { Condition } from '../../domain/pathway-schema';
import { householdPathwayDocument } from './household-pathway';

const missed: Condition = { anyMember: { step: 'cpi_pact', when: { field: 'member.cpiOutcome', op: 'ne', value: 'pact_signed' } } };
const pacts = (...answers: Record<string, unknown>[]): CaseData => ({ cpi_pact: { byMember: answers as never } });

describe('anyMember: evaluation', () => {
  it('holds when one member’s answers match, whichever member it is', () => {
    expect(evaluateCondition(missed, pacts({ member: 0, cpiOutcome: 'pact_signed' }, { member: 2, cpiOutcome: 'missed_appointment' }))).toBe(true);
    expect(evaluateCondition(missed, pacts({ member: 1, cpiOutcome: 'not_job_ready' }, { member: 2, cpiOutcome: 'pact_signed' }))).toBe(true);
  });

  it('does not hold when no member’s answers match', () => {
    expect(evaluateCondition(missed, pacts({ member: 0, cpiOutcome: 'pact_signed' }, { member: 1, cpiOutcome: 'pact_signed' }))).toBe(false);
  });

  it('is false, never an error, without answers: step absent, byMember absent, empty or malformed', () => {
    expect(evaluateCondition(missed, {})).toBe(false);
    expect(evaluateCondition(missed, { cpi_pact: {} })).toBe(false);
    expect(evaluateCondition(missed, pacts())).toBe(false);
    expect(evaluateCondition(missed, { cpi_pact: { byMember: 'x' } })).toBe(false);
    expect(evaluateCondition(missed, pacts(null as never, 'x' as never, [] as never))).toBe(false);
    // "not any member missed" is then true: the absence of answers is no missed appointment.
    expect(evaluateCondition({ not: missed }, {})).toBe(true);
  });

  it('reads an absent member field as never recorded, as top-level rules do', () => {
    const signedDid: Condition = { anyMember: { step: 'cpi_pact', when: { field: 'member.didSigned', op: 'isTrue' } } };
    expect(evaluateCondition(signedDid, pacts({ member: 0, cpiOutcome: 'pact_signed' }))).toBe(false);
    expect(evaluateCondition({ anyMember: { step: 'cpi_pact', when: { field: 'member.didSigned', op: 'notExists' } } }, pacts({ member: 0 }))).toBe(true);
  });

  it('reads the member’s index and the case’s other data inside the rule, and each member on its own', () => {
    const second: Condition = { anyMember: { step: 'cpi_pact', when: { field: 'member.index', op: 'eq', value: 1 } } };
    expect(evaluateCondition(second, pacts({ member: 0 }, { member: 1 }))).toBe(true);
    expect(evaluateCondition(second, pacts({ member: 0 }, { member: 2 }))).toBe(false);
    // Both facts must hold of the same member: member 0 signed the DID, member 1 missed the appointment.
    const both: Condition = {
      anyMember: {
        step: 'cpi_pact',
        when: { all: [{ field: 'member.didSigned', op: 'isTrue' }, { field: 'member.cpiOutcome', op: 'eq', value: 'missed_appointment' }, { field: 'household.size', op: 'gt', value: 1 }] },
      },
    };
    const data = pacts({ member: 0, didSigned: true, cpiOutcome: 'pact_signed' }, { member: 1, didSigned: false, cpiOutcome: 'missed_appointment' });
    expect(evaluateCondition(both, { ...data, household: { size: 3 } })).toBe(false);
    expect(evaluateCondition(both, { ...pacts({ member: 1, didSigned: true, cpiOutcome: 'missed_appointment' }), household: { size: 3 } })).toBe(true);
    expect(evaluateCondition(both, pacts({ member: 1, didSigned: true, cpiOutcome: 'missed_appointment' }))).toBe(false);
  });

  it('lists the comparisons inside with their paths and the step they quantify over', () => {
    expect(conditionLeaves({ any: [{ field: 'case.x', op: 'exists' }, missed] })).toEqual([
      { path: ['any', 0], leaf: { field: 'case.x', op: 'exists' } },
      { path: ['any', 1, 'anyMember', 'when'], leaf: { field: 'member.cpiOutcome', op: 'ne', value: 'pact_signed' }, within: { step: 'cpi_pact', path: ['any', 1, 'anyMember'] } },
    ]);
  });
});

describe('anyMember: static checks', () => {
  const services = ['social', 'employment', 'oss'];
  const steps = householdPathwayDocument.steps;
  /** The household pathway with a decision after the per-member CPI pacts that routes on `when`. */
  const documentWith = (when: unknown) => ({
    ...householdPathwayDocument,
    steps: {
      ...steps,
      cpi_pact: { ...steps.cpi_pact, next: 'cpi_result' },
      cpi_result: { kind: 'decision', title: { it: 'Esito' }, rules: [{ when, next: 'cpi_missed' }], otherwise: 'cpi_ok' },
      cpi_missed: { kind: 'task', title: { it: 'Rientro al case manager' }, assignee: { service: 'social' } },
      cpi_ok: { kind: 'wait', title: { it: 'Nulla da fare' }, for: { amount: 0, unit: 'minutes' } },
    },
  });
  const issuesOf = (when: unknown) =>
    checkDefinitionDocument(documentWith(when), { services }).issues.map((issue) => ({ code: issue.code, messageCode: issue.messageCode, path: issue.path.join('.'), params: issue.params }));
  const at = 'steps.cpi_result.rules.0.when';

  it('accepts a rule over a per-member step’s form fields and the member’s index', () => {
    expect(issuesOf({ anyMember: { step: 'cpi_pact', when: { field: 'member.didSigned', op: 'isFalse' } } })).toEqual([]);
    expect(issuesOf({ not: { anyMember: { step: 'cpi_pact', when: { all: [{ field: 'member.index', op: 'gt', value: 0 }, { field: 'household.size', op: 'gt', value: 1 }] } } } })).toEqual([]);
  });

  it('reports an unknown step once, at its step', () => {
    expect(issuesOf({ anyMember: { step: 'cpi_pacts', when: { all: [{ field: 'member.didSigned', op: 'isFalse' }, { field: 'member.other', op: 'exists' }] } } })).toEqual([
      { code: 'unknown_step', messageCode: 'step_missing', path: `${at}.anyMember.step`, params: { step: 'cpi_pacts' } },
    ]);
  });

  it('reports a step that is not a per-member task', () => {
    expect(issuesOf({ anyMember: { step: 'plan', when: { field: 'member.goals', op: 'exists' } } })).toEqual([
      { code: 'household', messageCode: 'any_member_step_not_per_member', path: `${at}.anyMember.step`, params: { step: 'plan' } },
    ]);
    expect(issuesOf({ anyMember: { step: 'activation', when: { field: 'member.goals', op: 'exists' } } })).toEqual([
      { code: 'household', messageCode: 'any_member_step_not_per_member', path: `${at}.anyMember.step`, params: { step: 'activation' } },
    ]);
  });

  it('reports a member field the step’s form does not have', () => {
    expect(issuesOf({ anyMember: { step: 'cpi_pact', when: { field: 'member.note', op: 'exists' } } })).toEqual([
      { code: 'unknown_field', messageCode: 'any_member_field_unknown', path: `${at}.anyMember.when.field`, params: { step: 'cpi_pact', key: 'note' } },
    ]);
  });

  it('reports a comparison of the wrong type, as for any field', () => {
    expect(issuesOf({ anyMember: { step: 'cpi_pact', when: { field: 'member.didSigned', op: 'eq', value: 'yes' } } })).toEqual([
      { code: 'invalid_condition', messageCode: 'value_not_boolean', path: `${at}.anyMember.when.value`, params: { field: 'didSigned', value: '"yes"' } },
    ]);
    expect(issuesOf({ anyMember: { step: 'cpi_pact', when: { any: [{ field: 'member.didSigned', op: 'gt', value: 1 }] } } })).toEqual([
      { code: 'field_type_mismatch', messageCode: 'operator_orders_numbers_dates', path: `${at}.anyMember.when.any.0.op`, params: { op: 'gt', field: 'didSigned', type: 'boolean' } },
    ]);
  });

  it('keeps reading the member answers of a per-member step out of plain rules and form rules', () => {
    expect(issuesOf({ field: 'cpi_pact.didSigned', op: 'isFalse' })).toEqual([
      { code: 'unknown_field', messageCode: 'per_member_answers', path: `${at}.field`, params: { step: 'cpi_pact', key: 'didSigned' } },
    ]);
    const askedWhenMissed = { key: 'why', type: 'text', label: { it: 'Perché' }, when: { anyMember: { step: 'cpi_pact', when: { field: 'member.didSigned', op: 'isFalse' } } } };
    const document = documentWith({ field: 'household.size', op: 'gt', value: 1 });
    const plan = { ...steps.plan, form: { fields: [...steps.plan.form.fields, askedWhenMissed] } };
    const issues = checkDefinitionDocument({ ...document, steps: { ...document.steps, plan } }, { services }).issues;
    expect(issues.map((issue) => ({ messageCode: issue.messageCode, path: issue.path.join('.'), params: issue.params }))).toEqual([
      { messageCode: 'field_rule_reads_other', path: 'steps.plan.form.fields.1.when.anyMember.when.field', params: { prefix: 'plan', field: 'member.didSigned' } },
    ]);
  });
});
