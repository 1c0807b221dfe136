/**
 * The reference pathway's routes (pathways/oss-integrated-pathway.yaml), driven through the pure
 * engine with a clock: each measure its own steps and durations (ADI, SFL, none), walk-in intake
 * at the desk, convocation and no-shows, the case conference, who signs the joint plan, and a
 * household whose activable members go to the CPI one by one.
 */
import { fieldCategories, fieldReader, redactCaseData } from '../../domain/field-access';
import type { GroupItem } from '../../domain/conditions';
import { at, localDay, planAnswers, reference, ReferenceCase, staff, throughEligibility } from '../support/reference-case';

const PAD = '2026-03-02';

/** An ADI case through the convocation, at the preliminary assessment. */
function adiAtAssessment(): ReferenceCase {
  const person = throughEligibility(PAD, { measure: 'adi', isee: 5200, padDate: PAD });
  person.complete(staff.social, 'convocation', { meetingOn: '2026-03-20', place: 'Sportello OSS' }, at('2026-03-05T10:00'));
  return person;
}

describe('start points', () => {
  it('starts a walk-in at the OSS desk with intake, and anyone else with the outreach unit', () => {
    const walkIn = new ReferenceCase({ targetGroup: 'family_with_minors', entryPoint: 'walk_in' }, at('2026-03-02T09:00'));
    expect(walkIn.openSteps()).toEqual(['intake']);
    expect(walkIn.task('intake').service).toBe('oss');
    const street = new ReferenceCase({ targetGroup: 'homeless' }, at('2026-03-02T09:00'));
    expect(street.openSteps()).toEqual(['outreach']);
  });

  it('does not complete intake without the privacy notice given', () => {
    const person = new ReferenceCase({ targetGroup: 'homeless', entryPoint: 'walk_in' }, at('2026-03-02T09:00'));
    const refused = person.rejection(staff.desk, { kind: 'completeTask', taskId: person.task('intake').id, data: { alias: 'X', privacyNoticeGiven: false } }, at('2026-03-02T09:10'));
    expect(refused?.issues).toEqual([{ path: ['privacyNoticeGiven'], message: expect.any(String) }]);
  });
});

describe('SFL', () => {
  it('is led by the CPI, never gets a PaIS step, and ends by 12 months from the PAD', () => {
    const person = throughEligibility(PAD, { measure: 'sfl', isee: 4100, padDate: PAD }, { targetGroup: 'homeless', entryPoint: 'walk_in' });
    expect(person.openSteps()).toEqual(['sfl_pact']);
    expect(person.task('sfl_pact').service).toBe('employment');
    person.complete(staff.cpi, 'sfl_pact', { attendance: 'attended', didSigned: true, profiling: 'gol_2', activities: 'Corso di formazione' }, at('2026-03-16T10:00'));

    const dueDays: string[] = [];
    for (let k = 1; k <= 4; k++) {
      // Each check opens when the previous one falls due (the first at once).
      if (k > 1) person.runClock(at(`${dueDays[k - 2]}T23:59:59.999`));
      const checkin = person.task('sfl_checkin');
      dueDays.push(localDay(checkin.dueAt!));
      person.complete(staff.cpi, 'sfl_checkin', { inActivities: true, changeInCircumstances: false }, at(`${localDay(checkin.dueAt!)}T10:00`));
    }
    // Quarterly checks at months 3, 6, 9 and 12 from the PAD, then no more.
    expect(dueDays).toEqual(['2026-06-02', '2026-09-02', '2026-12-02', '2027-03-02']);
    expect(person.openSteps()).toEqual(['review']);
    expect(localDay(person.task('review').createdAt)).toBe('2027-03-02');
    expect(person.task('review').createdAt <= at('2027-03-02T23:59:59').toISOString()).toBe(true);

    const steps = new Set(person.stepsSoFar());
    for (const adiOnly of ['convocation', 'preliminary_assessment', 'team_assessment', 'joint_plan', 'checkin', 'adi_renewal']) expect(steps).not.toContain(adiOnly);
    expect(person.state.tasks.filter((task) => task.stepId !== 'review' && !['intake', 'eligibility'].includes(task.stepId)).every((task) => task.service === 'employment')).toBe(true);
  });

  it('stops the checks as soon as the person leaves the activities', () => {
    const person = throughEligibility(PAD, { measure: 'sfl', padDate: PAD });
    person.complete(staff.cpi, 'sfl_pact', { attendance: 'attended' }, at('2026-03-16T10:00'));
    person.complete(staff.cpi, 'sfl_checkin', { inActivities: false, changeInCircumstances: false }, at('2026-06-01T10:00'));
    expect(person.openSteps()).toEqual(['review']);
  });
});

describe('no national measure', () => {
  it('gives a homeless person an assessment, a local plan and monthly reviews, not straight closure', () => {
    const person = throughEligibility(PAD, { measure: 'none' });
    expect(person.openSteps()).toEqual(['needs_assessment']);
    person.complete(staff.social, 'needs_assessment', { economicSituation: 'Nessun reddito', complexNeeds: false, housingNeed: false, jobActivable: false }, at('2026-03-10T10:00'));
    expect(person.openSteps()).toEqual(['local_plan']);
    expect(person.task('local_plan').signOff?.services).toEqual(['social']);
    person.complete(
      staff.social,
      'local_plan',
      { measures: ['night_shelter', 'residenza_fittizia'], goals: 'Residenza e accoglienza', actions: 'Sociale: residenza fittizia', signedOn: '2026-03-12', personAnswer: 'signed', personSignedOn: '2026-03-12' },
      at('2026-03-12T10:00'),
    );
    const review = person.task('local_checkin');
    expect(localDay(review.dueAt!)).toBe('2026-04-12');
    person.complete(staff.social, 'local_checkin', { attendance: 'attended', progress: 'In dormitorio', changeInCircumstances: false }, at('2026-04-10T10:00'));
    person.runClock(at('2026-04-13T08:00'));
    expect(localDay(person.task('local_checkin').dueAt!)).toBe('2026-05-12');
    expect(person.stepsSoFar()).toEqual(['outreach', 'intake', 'eligibility', 'needs_assessment', 'local_plan', 'local_checkin', 'local_checkin']);
  });

  it('sends a housing need to Housing First before the local plan', () => {
    const person = throughEligibility(PAD, { measure: 'none' });
    person.complete(staff.social, 'needs_assessment', { complexNeeds: false, housingNeed: true, jobActivable: true }, at('2026-03-10T10:00'));
    person.complete(staff.social, 'housing_first', { solution: 'housing_first', startedOn: '2026-03-20' }, at('2026-03-20T10:00'));
    expect(person.openSteps()).toEqual(['local_plan']);
    // Job-activable: the CPI signs the local plan too.
    expect(person.task('local_plan').signOff?.services).toEqual(['social', 'employment']);
  });
});

describe('convocation and attendance (ADI)', () => {
  it('re-convenes once after an unjustified absence, and raises the decadenza flag with a task for the case manager after the second', () => {
    const person = adiAtAssessment();
    const firstDue = person.task('preliminary_assessment').dueAt;
    person.complete(staff.social, 'preliminary_assessment', { attendance: 'unjustified_absence' }, at('2026-03-20T12:00'));
    expect(person.openSteps()).toEqual(['convocation']);
    person.complete(staff.social, 'convocation', { meetingOn: '2026-04-03', place: 'Sportello OSS' }, at('2026-03-21T10:00'));
    // Re-convening does not restart the law's 120 days.
    expect(person.task('preliminary_assessment').dueAt).toBe(firstDue);
    person.complete(staff.social, 'preliminary_assessment', { attendance: 'unjustified_absence' }, at('2026-04-03T12:00'));
    expect(person.openSteps()).toEqual(['decadenza']);
    expect(person.task('decadenza').service).toBe('social');
    expect(person.events('jumped_back').map((event) => event.stepId)).toEqual(['reconvene_once']);
    person.complete(staff.social, 'decadenza', { reportedOn: '2026-04-06' }, at('2026-04-06T10:00'));
    expect(person.openSteps()).toEqual(['review']);
  });

  it('does not count a justified absence', () => {
    const person = adiAtAssessment();
    person.complete(staff.social, 'preliminary_assessment', { attendance: 'justified_absence' }, at('2026-03-20T12:00'));
    person.complete(staff.social, 'convocation', { meetingOn: '2026-04-03', place: 'Sportello OSS' }, at('2026-03-21T10:00'));
    person.complete(staff.social, 'preliminary_assessment', { attendance: 'unjustified_absence' }, at('2026-04-03T12:00'));
    expect(person.openSteps()).toEqual(['convocation']);
  });

  it('asks the assessment’s answers only of a person who came', () => {
    const person = adiAtAssessment();
    const taskId = person.task('preliminary_assessment').id;
    const missing = person.rejection(staff.social, { kind: 'completeTask', taskId, data: { attendance: 'attended' } }, at('2026-03-20T12:00'));
    expect(missing?.issues?.map((issue) => issue.path.join('.')).sort()).toEqual(['complexNeeds', 'jobActivable']);
  });
});

describe('the joint plan (PaIS)', () => {
  function atPlan(jobActivable: boolean): ReferenceCase {
    const person = adiAtAssessment();
    person.complete(staff.social, 'preliminary_assessment', { attendance: 'attended', complexNeeds: false, jobActivable }, at('2026-03-20T12:00'));
    return person;
  }

  it('asks the CPI to sign, and opens the employment pact, only when the person is job-activable', () => {
    const notActivable = atPlan(false);
    expect(notActivable.task('joint_plan').signOff?.services).toEqual(['social']);
    notActivable.complete(staff.social, 'joint_plan', planAnswers('2026-04-01'), at('2026-04-01T10:00'));
    expect(notActivable.openSteps()).toEqual(['checkin']);
    expect(notActivable.stepsSoFar()).not.toContain('employment_pact');

    const activable = atPlan(true);
    expect(activable.task('joint_plan').signOff?.services).toEqual(['social', 'employment']);
    activable.complete(staff.social, 'joint_plan', planAnswers('2026-04-01'), at('2026-04-01T10:00'));
    expect(activable.openSteps()).toEqual(['joint_plan']);
    activable.complete(staff.cpi, 'joint_plan', {}, at('2026-04-01T11:00'));
    expect(activable.openSteps().sort()).toEqual(['checkin', 'employment_pact']);
  });

  it('lets a supervisor holding both services sign for one of them only', () => {
    const person = atPlan(true);
    const taskId = person.task('joint_plan').id;
    expect(person.rejection(staff.areaManager, { kind: 'completeTask', taskId, data: planAnswers('2026-04-01') }, at('2026-04-01T09:00'))?.type).toBe('forbidden');
    person.complete(staff.supervisorOfBoth, 'joint_plan', planAnswers('2026-04-01'), at('2026-04-01T10:00'));
    expect(person.rejection(staff.supervisorOfBoth, { kind: 'completeTask', taskId, data: {} }, at('2026-04-01T10:05'))).toMatchObject({ type: 'conflict' });
    person.complete(staff.cpi, 'joint_plan', {}, at('2026-04-01T11:00'));
    expect(person.openSteps()).toContain('checkin');
    expect(person.state.tasks.find((task) => task.stepId === 'joint_plan')?.signOff?.signed.map((s) => [s.service, s.actorId])).toEqual([
      ['social', staff.supervisorOfBoth.id],
      ['employment', staff.cpi.id],
    ]);
  });

  it('records the person’s refusal with its reason instead of a signature date', () => {
    const person = atPlan(false);
    const taskId = person.task('joint_plan').id;
    const refusal = { ...planAnswers('2026-04-01'), personAnswer: 'refused', personSignedOn: null };
    expect(person.rejection(staff.social, { kind: 'completeTask', taskId, data: refusal }, at('2026-04-01T10:00'))?.issues).toEqual([{ path: ['refusalReason'], message: 'required' }]);
    person.complete(staff.social, 'joint_plan', { ...refusal, refusalReason: 'Non condivide gli obiettivi' }, at('2026-04-01T10:00'));
    expect(person.state.data.joint_plan).toMatchObject({ personAnswer: 'refused', refusalReason: 'Non condivide gli obiettivi' });
  });
});

describe('the case conference (équipe multidisciplinare)', () => {
  const conference = {
    conferenceOn: '2026-03-25',
    participantServices: ['social', 'employment', 'health'],
    participants: 'AS Rossi (sociale), dott.ssa Bianchi (CPI), dott. Verdi (SerD)',
    minutes: 'Percorso di cura in corso presso il SerD',
    decisions: 'Prima la cura, poi il lavoro',
    housingNeed: false,
    jobReady: false,
  };

  it('counts as the team assessment for complex needs; "not job-ready" keeps the CPI out of the plan', () => {
    const person = adiAtAssessment();
    person.complete(staff.social, 'preliminary_assessment', { attendance: 'attended', complexNeeds: true, jobActivable: true }, at('2026-03-20T12:00'));
    expect(person.openSteps()).toEqual(['team_assessment']);
    const task = person.task('team_assessment');
    // Not convened within 15 of its 30 days → the district coordinator hears of it.
    expect(task.escalations.map((level) => [level.role, localDay(level.at), level.beforeDeadline ?? false])).toEqual([
      ['coordinator', '2026-04-04', true],
      ['supervisor', '2026-04-19', false],
    ]);
    const fields = reference.steps.team_assessment.kind === 'task' ? reference.steps.team_assessment.form.fields : [];
    expect(fields.find((field) => field.key === 'minutes')?.category).toBe('health');
    const incomplete = person.rejection(staff.social, { kind: 'completeTask', taskId: task.id, data: { conferenceOn: '2026-03-25' } }, at('2026-03-25T12:00'));
    expect(incomplete?.issues?.map((issue) => issue.path.join('.')).sort()).toEqual(['decisions', 'housingNeed', 'jobReady', 'minutes', 'participantServices', 'participants']);

    person.complete(staff.social, 'team_assessment', conference, at('2026-03-25T12:00'));
    expect(person.task('joint_plan').signOff?.services).toEqual(['social']);
  });

  it('sends a housing need to Housing First, then to the joint plan', () => {
    const person = adiAtAssessment();
    person.complete(staff.social, 'preliminary_assessment', { attendance: 'attended', complexNeeds: true, jobActivable: true }, at('2026-03-20T12:00'));
    person.complete(staff.social, 'team_assessment', { ...conference, housingNeed: true, jobReady: true }, at('2026-03-25T12:00'));
    person.complete(staff.social, 'housing_first', { solution: 'housing_first' }, at('2026-04-10T12:00'));
    expect(person.task('joint_plan').signOff?.services).toEqual(['social', 'employment']);
  });
});

describe('households (ADI)', () => {
  // The nucleo as the social worker lists it at the preliminary assessment, the applicant included.
  const activableAdult: GroupItem = { relation: 'partner', birthYear: 1986, jobActivable: true };
  const notActivableAdult: GroupItem = { relation: 'self', birthYear: 1979, health: true, jobActivable: false };
  const child: GroupItem = { relation: 'child', birthYear: 2016, jobActivable: false };

  /** An ADI household assessed (attended, simple needs unless said) with `members`, at the joint plan. */
  function householdAtPlan(members: GroupItem[], answers: Record<string, boolean> = {}): ReferenceCase {
    const household = adiAtAssessment();
    household.complete(staff.social, 'preliminary_assessment', { attendance: 'attended', complexNeeds: false, members, ...answers }, at('2026-03-20T12:00'));
    return household;
  }

  const employmentTasks = (household: ReferenceCase) => household.state.tasks.filter((task) => task.service === 'employment' && task.stepId !== 'joint_plan');

  it('sends exactly the activable adult to the CPI, for that member only, and the CPI signs the plan', () => {
    const household = householdAtPlan([notActivableAdult, activableAdult]);
    expect(household.task('joint_plan').signOff?.services).toEqual(['social', 'employment']);
    household.complete(staff.social, 'joint_plan', planAnswers('2026-04-01'), at('2026-04-01T10:00'));
    expect(household.openSteps()).toEqual(['joint_plan']);
    household.complete(staff.cpi, 'joint_plan', {}, at('2026-04-01T11:00'));

    expect(household.openSteps().sort()).toEqual(['checkin', 'member_employment_pacts']);
    const pacts = employmentTasks(household);
    expect(pacts.map((task) => [task.stepId, task.member, task.id.endsWith('.m1')])).toEqual([['member_employment_pacts', 1, true]]);
    // 60 days, an internal service level, as the person alone's pact.
    expect(localDay(pacts[0].dueAt!)).toBe('2026-05-31');
    expect(household.events('decision_taken').find((event) => event.stepId === 'member_employment_pacts')?.details).toEqual({ forEach: 'members', members: [1] });
    // The household's social follow-up goes on beside it, for the members who are not activable.
    expect(household.task('checkin').service).toBe('social');

    household.complete(staff.cpi, 'member_employment_pacts', { cpiOutcome: 'pact_signed', didSigned: true, profiling: 'gol_1' }, at('2026-04-20T10:00'));
    expect(household.state.data.member_employment_pacts).toEqual({ byMember: [{ member: 1, cpiOutcome: 'pact_signed', didSigned: true, profiling: 'gol_1' }] });
    expect(household.openSteps()).toEqual(['checkin']);
    expect(household.stepsSoFar()).not.toContain('employment_pact');
  });

  /** Two activable adults (members 0 and 1) past the joint plan, each with a CPI task. */
  function twoActivableAtPacts(): ReferenceCase {
    const household = householdAtPlan([activableAdult, { ...activableAdult, relation: 'self', birthYear: 1984 }, child]);
    household.complete(staff.social, 'joint_plan', planAnswers('2026-04-01'), at('2026-04-01T10:00'));
    household.complete(staff.cpi, 'joint_plan', {}, at('2026-04-01T11:00'));
    expect(employmentTasks(household).map((task) => task.member)).toEqual([0, 1]);
    return household;
  }
  const memberTask = (household: ReferenceCase, member: number) => household.state.tasks.find((task) => task.stepId === 'member_employment_pacts' && task.member === member)!;

  it('sends the case back to the case manager when one member misses the CPI appointment, as for a person alone', () => {
    const household = twoActivableAtPacts();
    household.run(staff.cpi, { kind: 'completeTask', taskId: memberTask(household, 0).id, data: { cpiOutcome: 'pact_signed', didSigned: true } }, at('2026-04-20T10:00'));
    expect(household.openSteps().sort()).toEqual(['checkin', 'member_employment_pacts']);
    household.run(staff.cpi, { kind: 'completeTask', taskId: memberTask(household, 1).id, data: { cpiOutcome: 'missed_appointment' } }, at('2026-04-21T10:00'));
    expect(household.openSteps().sort()).toEqual(['back_to_case_manager', 'checkin']);
    expect(household.task('back_to_case_manager').service).toBe('social');
    expect(household.events('decision_taken').find((event) => event.stepId === 'member_employment_result')?.details).toEqual({ rule: 0, next: 'back_to_case_manager' });
  });

  it('ends the employment branch without the case manager when every member signed the pact', () => {
    const household = twoActivableAtPacts();
    for (const member of [1, 0]) {
      household.run(staff.cpi, { kind: 'completeTask', taskId: memberTask(household, member).id, data: { cpiOutcome: 'pact_signed', didSigned: true } }, at('2026-04-20T10:00'));
    }
    expect(household.openSteps()).toEqual(['checkin']);
    expect(household.stepsSoFar()).not.toContain('back_to_case_manager');
    expect(household.events('decision_taken').find((event) => event.stepId === 'member_employment_result')?.details).toEqual({ rule: 'otherwise', next: 'employment_done' });
  });

  it('never sends a minor to the CPI, even one recorded as activable', () => {
    const household = householdAtPlan([activableAdult, { ...child, jobActivable: true }]);
    household.complete(staff.social, 'joint_plan', planAnswers('2026-04-01'), at('2026-04-01T10:00'));
    household.complete(staff.cpi, 'joint_plan', {}, at('2026-04-01T11:00'));
    expect(employmentTasks(household).map((task) => task.member)).toEqual([0]);
  });

  it('asks no CPI signature when the only member recorded as activable is a child', () => {
    const household = householdAtPlan([notActivableAdult, { ...child, jobActivable: true }]);
    expect(household.task('joint_plan').signOff?.services).toEqual(['social']);
    household.complete(staff.social, 'joint_plan', planAnswers('2026-04-01'), at('2026-04-01T10:00'));
    expect(household.openSteps()).toEqual(['checkin']);
    expect(employmentTasks(household)).toEqual([]);
  });

  it('gives no CPI task and no CPI signature to a household with no activable member', () => {
    const household = householdAtPlan([notActivableAdult, { ...activableAdult, jobActivable: false }, child]);
    const plan = household.task('joint_plan');
    expect(plan.signOff?.services).toEqual(['social']);
    expect(household.rejection(staff.cpi, { kind: 'completeTask', taskId: plan.id, data: {} }, at('2026-04-01T09:00'))?.type).toBe('forbidden');
    household.complete(staff.social, 'joint_plan', planAnswers('2026-04-01'), at('2026-04-01T10:00'));
    expect(household.openSteps()).toEqual(['checkin']);
    expect(employmentTasks(household)).toEqual([]);
    expect(household.state.tasks.find((task) => task.stepId === 'joint_plan')?.signOff?.signed.map((s) => s.service)).toEqual(['social']);
  });

  it('keeps the CPI out when the case conference finds the household not job-ready', () => {
    const household = householdAtPlan([notActivableAdult, activableAdult], { complexNeeds: true });
    household.complete(
      staff.social,
      'team_assessment',
      { conferenceOn: '2026-03-25', participantServices: ['social', 'health'], participants: 'AS Rossi, dott. Verdi', minutes: 'Percorso di cura', decisions: 'Prima la cura', housingNeed: false, jobReady: false },
      at('2026-03-25T12:00'),
    );
    expect(household.task('joint_plan').signOff?.services).toEqual(['social']);
    household.complete(staff.social, 'joint_plan', planAnswers('2026-04-01'), at('2026-04-01T10:00'));
    expect(employmentTasks(household)).toEqual([]);
  });

  it('asks the person-level answer only when no household is listed, and names the member at fault', () => {
    const household = adiAtAssessment();
    const taskId = household.task('preliminary_assessment').id;
    const both = household.rejection(staff.social, { kind: 'completeTask', taskId, data: { attendance: 'attended', complexNeeds: false, members: [activableAdult], jobActivable: true } }, at('2026-03-20T12:00'));
    expect(both?.issues).toEqual([{ path: ['jobActivable'], message: expect.stringContaining('not asked') }]);
    const badMember = household.rejection(
      staff.social,
      { kind: 'completeTask', taskId, data: { attendance: 'attended', complexNeeds: false, members: [activableAdult, { relation: 'child', jobActivable: false }] } },
      at('2026-03-20T12:00'),
    );
    expect(badMember?.issues).toEqual([{ path: ['members', '1', 'birthYear'], message: 'required' }]);
    const absent = household.rejection(staff.social, { kind: 'completeTask', taskId, data: { attendance: 'unjustified_absence', members: [activableAdult] } }, at('2026-03-20T12:00'));
    expect(absent?.issues?.map((issue) => issue.path.join('.'))).toEqual(['members']);
  });

  it('shows the CPI who is activable, but not the members’ ages or clinical flags', () => {
    const data = { preliminary_assessment: { members: [notActivableAdult, activableAdult, { ...child, minor: true, disability: true }] } };
    const cpi = redactCaseData(data, fieldReader({ roles: ['operator'], services: ['employment'] }, fieldCategories(reference)));
    expect(cpi.data.preliminary_assessment.members).toEqual([
      { relation: 'self', jobActivable: false },
      { relation: 'partner', jobActivable: true },
      { relation: 'child', jobActivable: false },
    ]);
    expect(cpi.redactedFields.sort()).toEqual([
      'preliminary_assessment.members.0.birthYear',
      'preliminary_assessment.members.0.health',
      'preliminary_assessment.members.1.birthYear',
      'preliminary_assessment.members.2.birthYear',
      'preliminary_assessment.members.2.disability',
      'preliminary_assessment.members.2.minor',
    ]);
    const social = redactCaseData(data, fieldReader({ roles: ['operator'], services: ['social'] }, fieldCategories(reference)));
    expect(social.data).toEqual(data);
  });
});
