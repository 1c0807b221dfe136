/**
 * The law's clocks in the reference pathway (pathways/oss-integrated-pathway.yaml), driven through
 * the pure engine with a clock: the 120 days from the PAD with the area manager warned on day 110;
 * six check-ins exactly 90 days apart with reminders 15 and 7 days before each; suspension that
 * leaves statutory dates alone and moves internal ones; the ADI renewal restarting the 120 days.
 */
import { DateTime } from 'luxon';
import { at, daysBetween, localDay, planAnswers, ReferenceCase, staff, throughEligibility, ZONE } from '../support/reference-case';

const PAD = '2026-03-02';

function adiAtAssessment(pad = PAD, person = throughEligibility(pad, { measure: 'adi', padDate: pad })): ReferenceCase {
  person.complete(staff.social, 'convocation', { meetingOn: plusDays(pad, 20), place: 'Sportello OSS' }, at(`${plusDays(pad, 3)}T10:00`));
  return person;
}

const plusDays = (day: string, days: number): string => DateTime.fromISO(day, { zone: ZONE }).plus({ days }).toISODate()!;

/** From the assessment (attended, simple needs, not activable) to the plan signed on `signedOn`. */
function toSignedPlan(person: ReferenceCase, assessedOn: string, signedOn: string): void {
  person.complete(staff.social, 'preliminary_assessment', { attendance: 'attended', complexNeeds: false, jobActivable: false }, at(`${assessedOn}T12:00`));
  person.complete(staff.social, 'joint_plan', planAnswers(signedOn), at(`${signedOn}T10:00`));
}

/** Works every check-in of the running follow-up two days before its date; returns their due days and the days their reminders fired. */
function workCheckIns(person: ReferenceCase, count: number): Array<{ due: string; reminders: string[] }> {
  const seen: Array<{ due: string; reminders: string[] }> = [];
  for (let k = 1; k <= count; k++) {
    const task = person.task('checkin');
    const due = localDay(task.dueAt!);
    person.runClock(at(`${plusDays(due, -2)}T10:00`));
    const reminders = person.events('reminder_due').filter((event) => event.taskId === task.id).map((event) => localDay(event.at));
    seen.push({ due, reminders });
    person.complete(staff.social, 'checkin', { attendance: 'attended', changeInCircumstances: false }, at(`${plusDays(due, -2)}T10:00`));
    // The next one opens when this one falls due.
    person.runClock(at(`${plusDays(due, 1)}T07:00`));
  }
  return seen;
}

describe('the 120 days from the PAD', () => {
  it('warns the area manager on day 110, before the day-120 deadline, with alerts on days 60 and 90', () => {
    const person = adiAtAssessment();
    const task = person.task('preliminary_assessment');
    expect(localDay(task.dueAt!)).toBe('2026-06-30'); // PAD + 120 days
    expect(task.deadlineClock).toEqual({ kind: 'statutory', legalBasis: expect.objectContaining({ it: expect.stringContaining('120 giorni') }) });

    person.runClock(at('2026-06-20T07:59'));
    expect(person.events('reminder_due').map((event) => localDay(event.at))).toEqual(['2026-05-01', '2026-05-31']); // days 60 and 90
    expect(person.events('task_escalated')).toEqual([]);

    person.runClock(at('2026-06-20T08:00'));
    const [warning] = person.events('task_escalated');
    expect(localDay(warning.at)).toBe('2026-06-20'); // day 110
    expect(warning.details).toMatchObject({ role: 'supervisor', service: 'social', reassigned: false, beforeDeadline: true });
    expect(Date.parse(warning.at)).toBeLessThan(Date.parse(task.dueAt!));
    expect(task.status).toBe('open');
  });

  it('gives the joint plan the same statutory date, with the day-100 reminder and the day-110 warning', () => {
    const person = adiAtAssessment();
    person.complete(staff.social, 'preliminary_assessment', { attendance: 'attended', complexNeeds: false, jobActivable: false }, at('2026-03-25T12:00'));
    const plan = person.task('joint_plan');
    expect(localDay(plan.dueAt!)).toBe('2026-06-30');
    expect(plan.reminders.map((reminder) => localDay(reminder.at))).toEqual(['2026-06-10']);
    expect(plan.escalations.filter((level) => level.beforeDeadline).map((level) => [level.role, localDay(level.at)])).toEqual([['supervisor', '2026-06-20']]);
  });
});

describe('ADI follow-up', () => {
  it('runs six check-ins exactly 90 days apart from the PaIS, with reminders 15 and 7 days before each, then asks about renewal', () => {
    const person = adiAtAssessment();
    toSignedPlan(person, '2026-03-25', '2026-04-01');
    const checkIns = workCheckIns(person, 6);
    expect(checkIns.map(({ due }) => daysBetween('2026-04-01', due))).toEqual([90, 180, 270, 360, 450, 540]);
    for (const { due, reminders } of checkIns) expect(reminders).toEqual([plusDays(due, -15), plusDays(due, -7)]);
    expect(person.openSteps()).toEqual(['adi_renewal']);
  });

  it('keeps the next date when a check-in is late', () => {
    const person = adiAtAssessment();
    toSignedPlan(person, '2026-03-25', '2026-04-01');
    const first = localDay(person.task('checkin').dueAt!);
    person.complete(staff.social, 'checkin', { attendance: 'attended', changeInCircumstances: false }, at(`${plusDays(first, 12)}T10:00`));
    expect(daysBetween('2026-04-01', localDay(person.task('checkin').dueAt!))).toBe(180);
  });
});

describe('suspension', () => {
  it('leaves statutory dates where the law puts them and moves internal ones by the time suspended', () => {
    const person = throughEligibility(PAD, { measure: 'adi', padDate: PAD });
    // The convocation's 60 days are an internal service level (DM 72/2024 only recommends them).
    const convocation = person.task('convocation');
    const convocationDue = convocation.dueAt!;
    person.run(staff.areaManager, { kind: 'suspendCase', reason: 'Persona irreperibile' }, at('2026-03-10T10:00'));
    person.run(staff.areaManager, { kind: 'resumeCase' }, at('2026-03-20T10:00'));
    expect(Date.parse(convocation.dueAt!) - Date.parse(convocationDue)).toBe(10 * 86_400_000);

    person.complete(staff.social, 'convocation', { meetingOn: '2026-04-10', place: 'Sportello OSS' }, at('2026-03-21T10:00'));
    const assessment = person.task('preliminary_assessment');
    const before = { due: assessment.dueAt, alerts: [...assessment.reminders, ...assessment.escalations].map((alert) => alert.at) };
    person.run(staff.areaManager, { kind: 'suspendCase', reason: 'Ricovero ospedaliero' }, at('2026-04-01T10:00'));
    person.run(staff.areaManager, { kind: 'resumeCase' }, at('2026-04-21T10:00'));
    expect({ due: assessment.dueAt, alerts: [...assessment.reminders, ...assessment.escalations].map((alert) => alert.at) }).toEqual(before);
    expect(localDay(assessment.dueAt!)).toBe('2026-06-30');
  });
});

describe('ADI renewal', () => {
  it('restarts the 120-day clock from the renewal’s PAD and runs four check-ins of the 12 months', () => {
    const person = adiAtAssessment();
    toSignedPlan(person, '2026-03-25', '2026-04-01');
    workCheckIns(person, 6);
    const renewedOn = localDay(person.task('adi_renewal').createdAt);
    person.complete(staff.social, 'adi_renewal', { renew: true }, at(`${plusDays(renewedOn, 5)}T10:00`));

    // A renewal is a new application: eligibility again, with the new PAD.
    const newPad = plusDays(renewedOn, 35);
    person.complete(staff.desk, 'eligibility', { measure: 'adi', padDate: newPad }, at(`${newPad}T12:00`));
    adiAtAssessment(newPad, person);
    const assessment = person.task('preliminary_assessment');
    expect(daysBetween(newPad, localDay(assessment.dueAt!))).toBe(120);

    toSignedPlan(person, plusDays(newPad, 30), plusDays(newPad, 40));
    const renewalCheckIns = workCheckIns(person, 4);
    expect(renewalCheckIns.map(({ due }) => daysBetween(plusDays(newPad, 40), due))).toEqual([90, 180, 270, 360]);
    // The renewal can be granted once: after its 12 months the case goes to review.
    expect(person.openSteps()).toEqual(['review']);
  });

  it('re-convenes once again after a no-show in the renewal, however the first period went', () => {
    const person = adiAtAssessment();
    person.complete(staff.social, 'preliminary_assessment', { attendance: 'unjustified_absence' }, at('2026-03-20T12:00'));
    adiAtAssessment(PAD, person);
    toSignedPlan(person, '2026-03-25', '2026-04-01');
    workCheckIns(person, 6);
    person.complete(staff.social, 'adi_renewal', { renew: true }, at('2027-10-01T10:00'));
    person.complete(staff.desk, 'eligibility', { measure: 'adi', padDate: '2027-10-15' }, at('2027-10-15T12:00'));
    adiAtAssessment('2027-10-15', person);
    person.complete(staff.social, 'preliminary_assessment', { attendance: 'unjustified_absence' }, at('2027-11-05T12:00'));
    expect(person.openSteps()).toEqual(['convocation']);
    adiAtAssessment('2027-10-15', person);
    person.complete(staff.social, 'preliminary_assessment', { attendance: 'unjustified_absence' }, at('2027-11-20T12:00'));
    expect(person.openSteps()).toEqual(['decadenza']);
  });
});
