/**
 * The reference One Stop Shop pathway from first contact to closure, over HTTP only, against the
 * API and worker processes on a real Temporal dev server and a real PostgreSQL: urgent triage
 * (a decision branch), the ADI route (convocation, the statutory 120-day assessment and its
 * escalation, the joint plan signed by both services because the person is job-activable), the
 * CPI's employment pact beside the follow-up check-in, the renewal question, review and closure.
 *
 * A coordinator first publishes a variant of the reference pathway whose follow-up comes after one
 * minute instead of 90 days (the only change), so that the follow-up timer really fires in the test.
 * A household walks in on the seeded pathway itself: each activable adult, and only them, gets a
 * CPI employment pact of their own, and the CPI co-signs the plan; a member's missed CPI
 * appointment sends the case back to the case manager.
 */
import { Client, Connection } from '@temporalio/client';
import { ossReferencePathway } from '../../infra/reference-pathway';
import { daysAgo, followUpAnswers, referenceJourneyToJointPlan } from '../support/reference-journey';
import { testTemporalAddress } from '../support/stack';
import { eventually, httpClient, startE2EStack, type E2EStack } from './stack-processes';
import type { Page, TaskView } from '../support/api-types';

jest.setTimeout(240_000);

const AREA = 'grosseto';
const users = {
  outreach: `outreach-operator-${AREA}`,
  oss: `oss-operator-${AREA}`,
  social: `social-worker-${AREA}`,
  employment: `cpi-counsellor-${AREA}`,
  supervisor: `supervisor-${AREA}`,
  coordinator: `coordinator-${AREA}`,
} as const;

let stack: E2EStack;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  stack = await startE2EStack();
  http = httpClient(stack.baseUrl);
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

// Signed once up front (signing is async), so every request below can name its user inline.
let tokens: Record<keyof typeof users, string>;
beforeAll(async () => {
  const entries = await Promise.all(Object.entries(users).map(async ([user, id]) => [user, await stack.token(id)] as const));
  tokens = Object.fromEntries(entries) as typeof tokens;
});

const token = (user: keyof typeof users) => tokens[user];

/** The open task of a step of this case, as it appears in the inbox of that service's operator. */
async function inboxTask(user: keyof typeof users, caseId: string, stepId: string): Promise<TaskView | undefined> {
  const { status, body } = await http<Page<TaskView>>('GET', `/tasks?areaId=${AREA}&stepId=${stepId}&limit=100`, token(user));
  expect(status).toBe(200);
  return body.items.find((task) => task.caseId === caseId);
}

async function complete(user: keyof typeof users, task: TaskView, data: Record<string, unknown>) {
  const claimed = await http<TaskView>('POST', `/tasks/${task.taskId}/claim`, token(user));
  expect(claimed.status).toBe(200);
  expect(claimed.body.assigneeId).toBe(users[user]);
  const done = await http('POST', `/tasks/${task.taskId}/complete`, token(user), { data }, { 'idempotency-key': `complete-${task.taskId}-${users[user]}` });
  expect(done.status).toBe(200);
  return done;
}

describe('reference pathway end to end (HTTP only, real Temporal and PostgreSQL)', () => {
  it('takes a person from first contact to closure', async () => {
    // A coordinator publishes the test variant: same pathway, follow-up after one minute.
    const document = structuredClone(ossReferencePathway) as typeof ossReferencePathway & { steps: Record<string, Record<string, unknown>> };
    document.key = 'oss-e2e';
    document.steps.follow_up = { ...document.steps.follow_up, every: { amount: 1, unit: 'minutes' }, times: 1 };
    expect((await http('POST', '/pathways', token('coordinator'), document)).status).toBe(201);
    const published = await http<{ version: number }>('POST', '/pathways/oss-e2e/draft/publish', token('coordinator'));
    expect(published.status).toBe(201);
    expect(published.body.version).toBe(1);

    // First contact: the outreach unit opens the case; its first task is already in their inbox.
    const started = await http<{ caseId: string; reference: string; openTasks: TaskView[] }>(
      'POST',
      '/cases',
      token('outreach'),
      { pathwayKey: 'oss-e2e', areaId: AREA, data: { targetGroup: 'homeless' } },
      { 'idempotency-key': 'e2e-first-contact' },
    );
    expect(started.status).toBe(201);
    const caseId = started.body.caseId;
    expect(started.body.reference).toMatch(/^RT-GR-[0-9A-Z]{6}$/);
    const outreachTask = await inboxTask('outreach', caseId, 'outreach');
    expect(outreachTask?.status).toBe('open');

    // Urgent: the decision branch sends the case to the emergency social service first.
    await complete('outreach', outreachTask!, { source: 'station', place: 'Stazione', urgent: true });
    const emergency = await inboxTask('social', caseId, 'emergency');
    expect(emergency).toBeDefined();
    expect(await inboxTask('oss', caseId, 'intake')).toBeUndefined();
    await complete('social', emergency!, { shelterPlaced: true, risk: 'Notte all’aperto' });

    // Intake and eligibility at the front desk; an ADI case goes to the social service's convocation.
    const journey = referenceJourneyToJointPlan();
    const answerOf = (stepId: string) => journey.find((step) => step.stepId === stepId)!.data;
    for (const step of journey.slice(1, 4)) {
      const task = await inboxTask(step.service, caseId, step.stepId);
      expect(task).toBeDefined();
      await complete(step.service, task!, step.data);
    }
    // No CPI task before anyone knows whether the person is job-activable.
    expect(await inboxTask('employment', caseId, 'employment_pact')).toBeUndefined();
    const social = await inboxTask('social', caseId, 'preliminary_assessment');
    expect(social).toBeDefined();

    // The PAD was signed 130 days ago: the statutory 120-day assessment is overdue and has escalated to the area manager.
    expect(social!.overdue).toBe(true);
    expect(social!.escalationLevel).toBeGreaterThanOrEqual(1);
    const stalled = await http<Page<{ case: { caseId: string }; reasons: Array<{ type: string }> }>>('GET', `/supervision/stalled?areaId=${AREA}&limit=100`, token('supervisor'));
    expect(stalled.status).toBe(200);
    const ours = stalled.body.items.find((item) => item.case.caseId === caseId);
    expect(ours?.reasons.map((r) => r.type).sort()).toEqual(expect.arrayContaining(['escalated', 'overdue_task']));

    // The supervisor gives the social worker two weeks more, with a reason; the ladder starts again
    // (two weeks, not one: the area manager's warning comes 10 days before the new date).
    const extended = await http<TaskView>('POST', `/tasks/${social!.taskId}/extend`, token('supervisor'), {
      newDueAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
      reason: 'Colloquio fissato con la persona',
    });
    expect(extended.status).toBe(200);
    expect(extended.body.overdue).toBe(false);
    expect(extended.body.escalationLevel).toBe(0);

    // The person attended; simple needs lead straight to the joint plan.
    await complete('social', (await inboxTask('social', caseId, 'preliminary_assessment'))!, answerOf('preliminary_assessment'));

    // The person is job-activable, so the joint plan needs the CPI's signature too: after the social service signs it waits for the job centre.
    const plan = await inboxTask('social', caseId, 'joint_plan');
    const [socialSigns, cpiSigns] = journey.filter((step) => step.stepId === 'joint_plan');
    await complete('social', plan!, socialSigns.data);
    const waitingForCpi = await inboxTask('employment', caseId, 'joint_plan');
    expect(waitingForCpi?.status).toBe('open');
    await complete('employment', waitingForCpi!, cpiSigns.data);

    // The plan opens the CPI's employment pact beside the follow-up, whose first check-in (after a minute in this variant) is due.
    const pact = await inboxTask('employment', caseId, 'employment_pact');
    expect(pact).toBeDefined();
    await complete('employment', pact!, followUpAnswers.employment_pact);
    const checkin = await eventually(() => inboxTask('social', caseId, 'checkin'), 'the follow-up check-in', 120_000);
    await complete('social', checkin, followUpAnswers.checkin);

    // After the follow-up the case manager records that no renewal was applied for.
    const renewal = await eventually(() => inboxTask('social', caseId, 'adi_renewal'), 'the renewal question');
    await complete('social', renewal, followUpAnswers.adi_renewal);

    // Review and closure with the outcome.
    const review = await inboxTask('social', caseId, 'review');
    await complete('social', review!, followUpAnswers.review);
    const closed = await http<{ status: string; outcome: string; openTasks: unknown[]; data: Record<string, Record<string, unknown>> }>('GET', `/cases/${caseId}`, token('supervisor'));
    expect(closed.body).toMatchObject({ status: 'closed', outcome: 'job', openTasks: [] });
    expect(closed.body.data.joint_plan.goals).toBe('Casa e lavoro');

    // The timeline tells the whole story, each event with its actor and time.
    const events: Array<{ type: string; actor: { id: string }; at: string; stepId: string | null }> = [];
    let cursor: string | null = null;
    do {
      const page: { body: Page<(typeof events)[number]> } = await http('GET', `/cases/${caseId}/timeline?limit=100${cursor ? `&cursor=${cursor}` : ''}`, token('supervisor'));
      events.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    const types = events.map((e) => e.type);
    for (const expected of ['case_started', 'decision_taken', 'branches_started', 'task_escalated', 'deadline_extended', 'branches_joined', 'task_signed', 'occurrence_started', 'case_closed']) {
      expect(types).toContain(expected);
    }
    expect(events.find((e) => e.type === 'case_started')?.actor.id).toBe(users.outreach);
    expect(events.find((e) => e.type === 'deadline_extended')?.actor.id).toBe(users.supervisor);
    expect(events.filter((e) => e.type === 'task_signed').map((e) => e.actor.id)).toEqual([users.social, users.employment]);
    expect(events.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);

    // The Temporal UI finds the case by codes (area, pathway, status), and nothing in its id or
    // search attributes names the person.
    const connection = await Connection.connect({ address: testTemporalAddress() });
    try {
      const client = new Client({ connection });
      const query = `ReticulateArea = "${AREA}" AND ReticulatePathway = "oss-e2e@1" AND ReticulateStatus = "closed"`;
      const listed = await eventually(async () => {
        for await (const execution of client.workflow.list({ query })) if (execution.workflowId === `case-${caseId}`) return execution;
        return undefined;
      }, 'the closed case in Temporal visibility');
      const indexed = JSON.stringify({ id: listed.workflowId, attributes: listed.searchAttributes });
      expect(indexed).not.toContain('Persona di prova');
      expect(indexed).not.toContain('Stazione');
    } finally {
      await connection.close();
    }

    // Prometheus: the API's route latencies and read-model figures, and the worker's own Temporal
    // metrics, with nothing of the person in either.
    const apiMetrics = await (await fetch(`${stack.baseUrl}/metrics`)).text();
    expect(apiMetrics).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/tasks\/:taskId\/complete",status_code="200"\} [1-9]/);
    expect(apiMetrics).toMatch(new RegExp(`reticulate_tasks_completed\\{area="${AREA}",service="social"\\} [1-9]`));
    const workerMetrics = await (await fetch(stack.workerMetricsUrl)).text();
    expect(workerMetrics).toMatch(/temporal_workflow_completed\{[^}]*workflow_type="pathwayCase"/);
    for (const text of [apiMetrics, workerMetrics]) {
      expect(text).not.toContain('Persona di prova');
      expect(text).not.toContain(caseId);
    }
  });

  it('sends each activable adult of a household, and only them, to the CPI, which co-signs the plan', async () => {
    const started = await http<{ caseId: string }>(
      'POST',
      '/cases',
      token('oss'),
      { pathwayKey: 'oss-integrated-pathway', areaId: AREA, data: { targetGroup: 'family_with_minors', entryPoint: 'walk_in' } },
      { 'idempotency-key': 'e2e-household-walk-in' },
    );
    expect(started.status).toBe(201);
    const caseId = started.body.caseId;
    const step = async (user: keyof typeof users, stepId: string, data: Record<string, unknown>) => {
      const task = await eventually(() => inboxTask(user, caseId, stepId), stepId);
      await complete(user, task, data);
    };
    await step('oss', 'intake', { alias: 'Famiglia di prova', householdType: 'family_with_minors', minors: true, privacyNoticeGiven: true });
    await step('oss', 'eligibility', { isee: 7100, inpsApplication: true, measure: 'adi', padDate: daysAgo(20) });
    await step('social', 'convocation', { meetingOn: daysAgo(0), place: 'Sportello OSS' });

    // The nucleo at the preliminary assessment: a member without a birth year is refused with its path, nothing recorded.
    const members = [
      { relation: 'self', birthYear: 1981, health: true, jobActivable: false },
      { relation: 'partner', birthYear: 1987, jobActivable: true },
      { relation: 'child', birthYear: 2017, jobActivable: false },
    ];
    const assessment = (await inboxTask('social', caseId, 'preliminary_assessment'))!;
    const refused = await http<{ issues: Array<{ path: string[] }> }>('POST', `/tasks/${assessment.taskId}/complete`, token('social'), {
      data: { attendance: 'attended', complexNeeds: false, members: [members[0], { relation: 'child', jobActivable: false }] },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.issues.map((issue) => issue.path.join('.'))).toEqual(['data.members.1.birthYear']);
    await complete('social', assessment, { attendance: 'attended', complexNeeds: false, members });

    // Someone is activable: the CPI signs the plan after the social service.
    await complete('social', await eventually(() => inboxTask('social', caseId, 'joint_plan'), 'the plan'), {
      goals: 'Lavoro per il partner, sostegno al nucleo',
      actions: 'CPI: patto di servizio; sociale: verifiche trimestrali',
      reviewDate: daysAgo(-90),
      signedOn: daysAgo(0),
      personAnswer: 'signed',
      personSignedOn: daysAgo(0),
    });
    await complete('employment', await eventually(() => inboxTask('employment', caseId, 'joint_plan'), 'the CPI’s signature'), {});

    // Exactly one pact, for the partner (member 1), beside the household's social check-in.
    const pacts = await eventually(async () => {
      const { body } = await http<Page<TaskView>>('GET', `/tasks?areaId=${AREA}&stepId=member_employment_pacts&limit=100`, token('employment'));
      const ours = body.items.filter((task) => task.caseId === caseId);
      return ours.length > 0 ? ours : undefined;
    }, 'the member’s employment pact');
    expect(pacts.map((task) => task.taskId.slice(task.taskId.lastIndexOf('.') + 1))).toEqual(['m1']);
    expect(await inboxTask('employment', caseId, 'employment_pact')).toBeUndefined();

    // The CPI reads who is activable, not the members' ages or clinical flags.
    const asCpi = await http<{ data: Record<string, Record<string, unknown>>; redactedFields: string[] }>('GET', `/cases/${caseId}`, token('employment'));
    expect(asCpi.body.data.preliminary_assessment.members).toEqual([
      { relation: 'self', jobActivable: false },
      { relation: 'partner', jobActivable: true },
      { relation: 'child', jobActivable: false },
    ]);
    expect(asCpi.body.redactedFields).toEqual(expect.arrayContaining(['preliminary_assessment.members.0.health', 'preliminary_assessment.members.2.birthYear']));

    // The partner missed the CPI appointment: the case goes back to the case manager, as for a person alone.
    await complete('employment', pacts[0], { cpiOutcome: 'missed_appointment', didSigned: false });
    const after = await eventually(async () => {
      const { body } = await http<{ data: Record<string, unknown> }>('GET', `/cases/${caseId}`, token('supervisor'));
      return body.data.member_employment_pacts ? body : undefined;
    }, 'the member’s pact recorded');
    expect(after.data.member_employment_pacts).toEqual({ byMember: [{ member: 1, cpiOutcome: 'missed_appointment', didSigned: false }] });
    expect((await eventually(() => inboxTask('social', caseId, 'back_to_case_manager'), 'the case manager’s task'))?.status).toBe('open');
    // The members who are not activable stay with the household's social follow-up.
    expect((await inboxTask('social', caseId, 'checkin'))?.status).toBe('open');
  });
});
