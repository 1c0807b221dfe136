/**
 * The coordinator console's pathway model (web/src/features/coordinator/model.ts), checked against
 * the server's own DSL schema and static checks: renaming a step keeps every reference, a new
 * pathway's starter document is publishable, and the version diff reports exactly what changed.
 */
import { checkPathway } from '../../domain/pathway-checks';
import { pathwayDefinitionSchema } from '../../domain/pathway-schema';
import { ossReferencePathway } from '../../infra/reference-pathway';
import { conditionText, diffDefinitions, graphEdges, newPathwayDocument, orderedStepIds, renameStep, updateAt, type DefinitionDoc } from '../../web/src/features/coordinator/model';

const reference = pathwayDefinitionSchema.parse(ossReferencePathway) as unknown as DefinitionDoc;
const serverIssues = (doc: DefinitionDoc) => {
  const parsed = pathwayDefinitionSchema.safeParse(doc);
  if (!parsed.success) return parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  return checkPathway(parsed.data).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};
const edgeSet = (doc: DefinitionDoc) => graphEdges(doc, 'it').map((edge) => `${edge.from}>${edge.to}:${edge.kind}`).sort();

it('reads the reference pathway as the server does: every step in order, every edge between known steps', () => {
  expect(serverIssues(reference)).toEqual([]);
  expect(orderedStepIds(reference).sort()).toEqual(Object.keys(reference.steps).sort());
  expect(orderedStepIds(reference)[0]).toBe(reference.start);
  const edges = graphEdges(reference, 'it');
  expect(edges.length).toBeGreaterThan(Object.keys(reference.steps).length - 1);
  for (const edge of edges) {
    expect(reference.steps).toHaveProperty([edge.from]);
    expect(reference.steps).toHaveProperty([edge.to]);
  }
});

describe.each(Object.keys(ossReferencePathway.steps))('renaming step %s', (stepId) => {
  it('keeps the pathway valid for the server and its graph the same up to the new name', () => {
    const renamedId = `${stepId}_renamed`;
    const renamed = renameStep(reference, stepId, renamedId);
    expect(serverIssues(renamed)).toEqual([]);
    expect(renamed.steps).not.toHaveProperty([stepId]);
    const mapped = edgeSet(reference).map((edge) => edge.replace(new RegExp(`(^|>)${stepId}(?=[>:])`, 'g'), `$1${renamedId}`));
    expect(edgeSet(renamed)).toEqual(mapped.sort());
  });
});

it('starts a new pathway with a document the server accepts and could publish', () => {
  expect(serverIssues(newPathwayDocument('new-pathway', 'Nuovo percorso'))).toEqual([]);
});

it('diffs versions step by step: nothing for the same document, exactly the changed, added and removed steps otherwise', () => {
  expect(diffDefinitions(reference, reference)).toEqual({ pathway: [], steps: [] });

  const [firstTask] = Object.entries(reference.steps).filter(([, step]) => step.kind === 'task');
  const changed = structuredClone(reference);
  (changed.steps[firstTask[0]] as { deadline?: unknown }).deadline = { amount: 9, unit: 'workingDays' };
  const diff = diffDefinitions(reference, changed);
  expect(diff.pathway).toEqual([]);
  expect(diff.steps).toHaveLength(1);
  expect(diff.steps[0]).toMatchObject({ stepId: firstTask[0], status: 'changed' });
  expect(diff.steps[0].changes.map((change) => change.property)).toEqual(expect.arrayContaining([expect.stringMatching(/^deadline/)]));
  expect(diff.steps[0].changes.every((change) => change.property.startsWith('deadline'))).toBe(true);

  const renamed = renameStep(reference, firstTask[0], 'brand_new');
  const statuses = Object.fromEntries(diffDefinitions(reference, renamed).steps.map((step) => [step.stepId, step.status]));
  expect(statuses[firstTask[0]]).toBe('removed');
  expect(statuses.brand_new).toBe('added');
});

describe('a rule over per-member answers (anyMember)', () => {
  const rulePath = ['steps', 'member_employment_result', 'rules', 0, 'when'];
  const rule = { anyMember: { step: 'member_employment_pacts', when: { field: 'member.cpiOutcome', op: 'ne', value: 'pact_signed' } } };

  it('reads readably, and the reference pathway holds one', () => {
    expect(reference.steps.member_employment_result.rules?.[0].when).toEqual(rule);
    expect(conditionText(rule)).toBe('∃ member ∈ member_employment_pacts: (member.cpiOutcome ne "pact_signed")');
    expect(conditionText({ not: { anyMember: { step: 's', when: { all: [{ field: 'member.a', op: 'isTrue' }, { field: 'member.index', op: 'eq', value: 0 }] } } } })).toBe(
      '¬(∃ member ∈ s: (member.a isTrue ∧ member.index eq 0))',
    );
  });

  it('comes back unchanged when the pathway is opened, edited elsewhere and saved', () => {
    const saved = JSON.parse(JSON.stringify(updateAt(reference, ['steps', 'member_employment_result', 'title', 'en'], () => 'Outcomes'))) as DefinitionDoc;
    expect(saved.steps.member_employment_result.rules?.[0].when).toEqual(rule);
    expect(serverIssues(saved)).toEqual([]);
    expect(diffDefinitions(reference, saved).steps).toEqual([expect.objectContaining({ stepId: 'member_employment_result', changes: [expect.objectContaining({ property: 'title.en' })] })]);
  });

  it('follows a renamed per-member step, and shows an edit of its inside in the diff', () => {
    const renamed = renameStep(reference, 'member_employment_pacts', 'pacts');
    expect(renamed.steps.member_employment_result.rules?.[0].when).toEqual({ anyMember: { ...rule.anyMember, step: 'pacts' } });
    const edited = updateAt(reference, [...rulePath, 'anyMember', 'when', 'value'], () => 'missed_appointment');
    expect(serverIssues(edited)).toEqual([]);
    const [change] = diffDefinitions(reference, edited).steps;
    expect(change.changes.map((c) => c.property)).toEqual(['rules[0].when.anyMember.when.value']);
  });
});
