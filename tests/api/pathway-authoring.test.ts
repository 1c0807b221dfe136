/**
 * An author's answers over the API: a draft's problems come in one answer (shape and static checks
 * together, on POST, PUT and validate alike), one issue per mistake.
 */
import { startApiHarness, json, type ApiHarness, expectProblem } from './harness';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness();
}, 120_000);

afterAll(async () => {
  await api?.close();
});

const coordinator = 'coordinator-livorno';
const title = { it: 'passo' };

function document(key: string): Record<string, unknown> & { steps: Record<string, Record<string, unknown>> } {
  return {
    key,
    title: { it: 'Percorso' },
    start: 'intake',
    steps: {
      intake: { kind: 'task', title, assignee: { service: 'oss' }, next: 'assessment' },
      assessment: { kind: 'task', title, assignee: { service: 'social' }, next: 'plan' },
      plan: { kind: 'task', title, assignee: { service: 'social' }, next: 'done' },
      done: { kind: 'end', title, outcome: 'completed' },
    },
  };
}

const summary = (issues: Array<{ path: (string | number)[]; code?: string }> | undefined) => (issues ?? []).map((issue) => `${issue.code} ${issue.path.join('.')}`);

describe('a draft with four mistakes', () => {
  it('gets all four in the POST answer, and the same four from PUT', async () => {
    const key = 'four-mistakes';
    const doc = document(key);
    doc.steps.intake.deadline = { amount: 2, unit: 'fortnights' };
    doc.steps.done.colour = 'blue';
    doc.steps.assessment.assignee = { service: 'housing' };
    doc.steps.plan.assignee = { service: 'social', role: 'auditor' };
    const expected = [
      'missing_assignee steps.assessment.assignee.service',
      'unrecognized_keys steps.done.colour',
      'invalid_value steps.intake.deadline.unit',
      'role_cannot_act steps.plan.assignee.role',
    ];
    const refused = expectProblem(await api.request(coordinator, { method: 'POST', url: '/pathways', payload: doc }), 422, 'invalid_pathway');
    expect(summary(refused.issues)).toEqual(expected);

    // The two shape mistakes fixed: the draft saves, and the answer still says what stops publishing.
    delete doc.steps.intake.deadline;
    delete doc.steps.done.colour;
    const created = await api.request(coordinator, { method: 'POST', url: '/pathways', payload: doc });
    expect(created.statusCode).toBe(201);
    expect(summary(json<{ issues: Array<{ path: string[]; code: string }> }>(created).issues)).toEqual([expected[0], expected[3]]);

    doc.steps.intake.deadline = { amount: 2, unit: 'fortnights' };
    doc.steps.done.colour = 'blue';
    const put = expectProblem(await api.request(coordinator, { method: 'PUT', url: `/pathways/${key}/draft`, payload: doc }), 422, 'invalid_pathway');
    expect(summary(put.issues)).toEqual(expected);

    const validation = json<{ valid: boolean; issues: Array<{ path: string[]; code: string }> }>(
      await api.request(coordinator, { method: 'POST', url: `/pathways/${key}/draft/validate` }),
    );
    expect(validation.valid).toBe(false);
    expect(summary(validation.issues)).toEqual([expected[0], expected[3]]);
  });

  it('answers a misspelt next with one issue that names the step it meant', async () => {
    const doc = document('misspelt-next');
    doc.steps.intake.next = 'assesment';
    const created = await api.request(coordinator, { method: 'POST', url: '/pathways', payload: doc });
    expect(created.statusCode).toBe(201);
    expect(json<{ issues: unknown[] }>(created).issues).toEqual([
      {
        path: ['steps', 'intake', 'next'],
        code: 'unknown_step',
        messageCode: 'step_missing_near',
        params: { step: 'assesment', meant: 'assessment' },
        message: 'step "assesment" does not exist; did you mean "assessment"?',
      },
    ]);
  });
});
