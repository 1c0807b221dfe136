/**
 * Crash test: the worker and the API are killed with SIGKILL in mid-pathway, while a completion is
 * in flight, then started again. The person's case must go on from where it was, with nothing lost
 * and nothing done twice.
 */
import { referenceJourneyToJointPlan } from '../support/reference-journey';
import { eventually, httpClient, startE2EStack, type E2EStack } from './stack-processes';
import type { TaskView } from '../support/api-types';

jest.setTimeout(240_000);

let stack: E2EStack;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  stack = await startE2EStack();
  http = httpClient(stack.baseUrl);
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

describe('crash recovery', () => {
  it('continues a case after SIGKILL of the worker and the API, losing nothing and doing nothing twice', async () => {
    const outreach = await stack.token('outreach-operator-livorno');
    const desk = await stack.token('oss-operator-livorno');
    const supervisor = await stack.token('supervisor-livorno');
    const openTasks = async (caseId: string): Promise<TaskView[]> => {
      const detail = await http<{ openTasks: TaskView[] }>('GET', `/cases/${caseId}`, supervisor);
      return detail.body.openTasks;
    };

    const started = await http<{ caseId: string; openTasks: TaskView[] }>(
      'POST',
      '/cases',
      outreach,
      { pathwayKey: 'oss-integrated-pathway', areaId: 'livorno', data: { targetGroup: 'family_with_minors' } },
      { 'idempotency-key': 'crash-case' },
    );
    expect(started.status).toBe(201);
    const caseId = started.body.caseId;
    const [first] = started.body.openTasks;
    const [outreachStep, intakeStep] = referenceJourneyToJointPlan();
    expect((await http('POST', `/tasks/${first.taskId}/complete`, outreach, { data: outreachStep.data }, { 'idempotency-key': 'crash-outreach' })).status).toBe(200);
    const [intake] = await openTasks(caseId);
    expect(intake.stepId).toBe('intake');

    // The worker dies first, so the next completion cannot be processed; then the API dies with it in flight.
    await stack.worker.kill();
    const inFlight = http('POST', `/tasks/${intake.taskId}/complete`, desk, { data: intakeStep.data }, { 'idempotency-key': 'crash-intake' }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await stack.api.kill();
    const lost = await inFlight;
    // The connection died with the API: the caller never got an answer (undici's TypeError, from another realm than jest's).
    expect((lost as Error).message).toBe('fetch failed');

    // Both come back; the caller retries with the same idempotency key, as a client should.
    stack.worker = await stack.startWorker();
    stack.api = await stack.startApi();
    const retried = await http('POST', `/tasks/${intake.taskId}/complete`, desk, { data: intakeStep.data }, { 'idempotency-key': 'crash-intake' });
    expect(retried.status).toBe(200);

    // The case moved on exactly once: one completion of the intake, one eligibility task.
    const afterRestart = await eventually(async () => {
      const tasks = await openTasks(caseId);
      return tasks.some((t) => t.stepId === 'eligibility') ? tasks : undefined;
    }, 'the eligibility task after restart');
    expect(afterRestart.map((t) => t.stepId)).toEqual(['eligibility']);
    const timeline = await http<{ items: Array<{ type: string; taskId: string | null }> }>('GET', `/cases/${caseId}/timeline?limit=100`, supervisor);
    expect(timeline.body.items.filter((e) => e.type === 'task_completed' && e.taskId === intake.taskId)).toHaveLength(1);
    expect(timeline.body.items.filter((e) => e.type === 'task_created' && e.taskId === afterRestart[0].taskId)).toHaveLength(1);
    const seqs = (timeline.body.items as unknown as Array<{ seq: number }>).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));

    // The collected data survived the crash, and the pathway goes on: an ADI eligibility opens the convocation.
    const detail = await http<{ data: Record<string, Record<string, unknown>> }>('GET', `/cases/${caseId}`, supervisor);
    expect(detail.body.data.intake.alias).toBe('Persona di prova');
    const eligibility = referenceJourneyToJointPlan()[2];
    expect((await http('POST', `/tasks/${afterRestart[0].taskId}/complete`, desk, { data: eligibility.data }, { 'idempotency-key': 'crash-eligibility' })).status).toBe(200);
    expect((await openTasks(caseId)).map((t) => t.stepId)).toEqual(['convocation']);
  });
});
