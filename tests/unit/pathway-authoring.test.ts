/**
 * What an author is told about a draft: every problem in one answer (shape and static checks
 * together), one issue per mistake, and work given only to roles that can do it.
 */
import { checkPathway } from '../../domain/pathway-checks';
import { checkDefinition, checkDefinitionDocument } from '../../domain/pathway-document-checks';
import { pathwayDefinitionSchema, type PathwayDefinitionInput } from '../../domain/pathway-schema';
import { ossReferencePathway } from '../../infra/reference-pathway';

const services = ['outreach', 'oss', 'social', 'employment'];
const title = { it: 'passo' };
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const summary = (issues: Array<{ path: (string | number)[]; code: string }>) => issues.map((issue) => `${issue.code} ${issue.path.join('.')}`);

/** A valid small document an author might send. */
function document(): Record<string, unknown> & { steps: Record<string, Record<string, unknown>> } {
  return {
    key: 'authoring-test',
    title: { it: 'Percorso' },
    start: 'intake',
    steps: {
      intake: { kind: 'task', title, assignee: { service: 'oss' }, form: { fields: [{ key: 'urgent', type: 'boolean', label: { it: 'urgente' } }] }, next: 'route' },
      route: { kind: 'decision', title, rules: [{ when: { field: 'intake.urgent', op: 'isTrue' }, next: 'assessment' }], otherwise: 'assessment' },
      assessment: { kind: 'task', title, assignee: { service: 'social' }, next: 'plan' },
      plan: { kind: 'task', title, assignee: { service: 'social' }, next: 'done' },
      done: { kind: 'end', title, outcome: 'completed' },
    },
  };
}

describe('every problem of a draft in one answer', () => {
  it('reports two shape mistakes and two static mistakes together', () => {
    const doc = document();
    doc.steps.intake.deadline = { amount: 2, unit: 'fortnights' }; // shape
    doc.steps.plan.colour = 'blue'; // shape
    doc.steps.assessment.assignee = { service: 'housing' }; // static: unknown service
    (doc.steps.route.rules as Array<{ when: Record<string, unknown> }>)[0].when = { field: 'assessment.score', op: 'exists' }; // static: unknown field
    const check = checkDefinitionDocument(doc, { services });
    expect(check.definition).toBeNull();
    expect(summary(check.issues)).toEqual([
      'missing_assignee steps.assessment.assignee.service',
      'invalid_value steps.intake.deadline.unit',
      'unrecognized_keys steps.plan.colour',
      'unknown_field steps.route.rules.0.when.field',
    ]);
    expect(checkDefinition(doc, services)).toEqual({ ok: false, issues: check.issues });
  });

  it('does not report steps after a malformed step as unreachable, nor references to it as unknown', () => {
    const doc = document();
    doc.steps.assessment.kind = 'tsak';
    const check = checkDefinitionDocument(doc, { services });
    expect(summary(check.issues)).toEqual(['invalid_union steps.assessment.kind']);
  });

  it('takes fields of malformed start data on trust', () => {
    const doc = document();
    doc.caseFields = [{ key: 'group', type: 'colour', label: { it: 'gruppo' } }];
    (doc.steps.route.rules as Array<{ when: Record<string, unknown> }>)[0].when = { field: 'case.group', op: 'exists' };
    expect(summary(checkDefinitionDocument(doc, { services }).issues)).toEqual(['invalid_value caseFields.0.type']);
  });

  it('answers a clean document with no issues and its definition', () => {
    const check = checkDefinitionDocument(document(), { services });
    expect(check.issues).toEqual([]);
    expect(check.definition?.key).toBe('authoring-test');
  });
});

describe('one issue per mistake', () => {
  it('reports a misspelt next once, at the link, naming the step it meant', () => {
    const doc = document();
    doc.steps.intake.next = 'rotue';
    (doc.steps.route.rules as Array<{ next: string }>)[0].next = 'plan';
    const issues = checkDefinitionDocument(doc, { services }).issues;
    expect(issues).toEqual([
      { path: ['steps', 'intake', 'next'], code: 'unknown_step', messageCode: 'step_missing_near', params: { step: 'rotue', meant: 'route' }, message: 'step "rotue" does not exist; did you mean "route"?' },
    ]);
  });

  it('reports one misspelt next in the reference pathway as one issue (it used to add an issue per step downstream)', () => {
    const doc = clone<PathwayDefinitionInput>(ossReferencePathway);
    const startStep = doc.steps[doc.start] as { next?: string };
    const target = Object.entries(doc.steps).find(([, step]) => 'next' in step && typeof step.next === 'string' && step.next.length > 5);
    if (!target) throw new Error('the reference pathway has no step with a next');
    const [id, step] = target as [string, { next: string }];
    const meant = step.next;
    step.next = `${step.next.slice(0, -2)}${step.next.slice(-1)}${step.next.slice(-2, -1)}`;
    const issues = checkPathway(pathwayDefinitionSchema.parse(doc), { services });
    expect(startStep).toBeDefined();
    expect(issues.filter((issue) => issue.code !== 'unknown_step')).toEqual([]);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toEqual(['steps', id, 'next']);
    // Two letters swapped is one edit: the issue names the step the author meant.
    expect(issues[0].message).toBe(`step "${step.next}" does not exist; did you mean "${meant}"?`);
  });

  it('reports an unreachable region once, at its first step, with how many steps follow it', () => {
    const doc = document();
    doc.steps.orphan = { kind: 'task', title, assignee: { service: 'social' }, next: 'orphan_two' };
    doc.steps.orphan_two = { kind: 'task', title, assignee: { service: 'social' }, next: 'orphan_end' };
    doc.steps.orphan_end = { kind: 'end', title, outcome: 'other' };
    const issues = checkDefinitionDocument(doc, { services }).issues;
    expect(issues).toEqual([
      {
        path: ['steps', 'orphan'],
        code: 'unreachable_step',
        messageCode: 'step_unreachable_region',
        params: { step: 'orphan', count: 2 },
        message: 'step "orphan" cannot be reached from the start step (nor the 2 steps after it)',
      },
    ]);
  });

  it('reports an unreachable cycle once', () => {
    const doc = document();
    doc.steps.loop_a = { kind: 'task', title, assignee: { service: 'social' }, next: 'loop_b' };
    doc.steps.loop_b = { kind: 'task', title, assignee: { service: 'social' }, next: 'loop_a' };
    expect(summary(checkDefinitionDocument(doc, { services }).issues)).toEqual(['unreachable_step steps.loop_a']);
  });

  it('does not guess a far-off name', () => {
    const doc = document();
    doc.steps.intake.next = 'closure';
    (doc.steps.route.rules as Array<{ next: string }>)[0].next = 'plan';
    expect(checkDefinitionDocument(doc, { services }).issues.map((issue) => issue.message)).toEqual([
      'step "closure" does not exist',
      'step "route" cannot be reached from the start step (nor the 3 steps after it)',
    ]);
  });
});

describe('roles that can do the work', () => {
  it('refuses a task assigned to an auditor or a coordinator', () => {
    for (const role of ['auditor', 'coordinator']) {
      const doc = document();
      doc.steps.plan.assignee = { service: 'social', role };
      expect(summary(checkDefinitionDocument(doc, { services }).issues)).toEqual(['role_cannot_act steps.plan.assignee.role']);
    }
  });

  it('refuses an escalation that reassigns a task to a coordinator, and lets one alert the coordinator', () => {
    const doc = document();
    doc.steps.plan.deadline = { amount: 10, unit: 'calendarDays' };
    doc.steps.plan.escalation = [
      { after: { amount: 1, unit: 'calendarDays' }, role: 'coordinator' },
      { after: { amount: 2, unit: 'calendarDays' }, role: 'coordinator', reassign: true },
      { after: { amount: 3, unit: 'calendarDays' }, role: 'auditor' },
      { after: { amount: 4, unit: 'calendarDays' }, role: 'supervisor', reassign: true },
    ];
    expect(summary(checkDefinitionDocument(doc, { services }).issues)).toEqual(['role_cannot_act steps.plan.escalation.1.role', 'role_cannot_act steps.plan.escalation.2.role']);
  });

  it('refuses a referral answered by an auditor', () => {
    const doc = document();
    doc.steps.plan = {
      kind: 'referral',
      title,
      from: 'social',
      to: { service: 'employment', role: 'auditor' },
      rejectionReasons: [{ code: 'no', label: { it: 'no' } }],
      outcomes: [{ code: 'ok', label: { it: 'ok' } }],
      next: 'done',
    };
    expect(summary(checkDefinitionDocument(doc, { services }).issues)).toEqual(['role_cannot_act steps.plan.to.role']);
  });
});
