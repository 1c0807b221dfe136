/**
 * The law's clocks, driven through the pure engine with a clock: warnings before a deadline (day
 * 110 of 120 → area manager); check-ins anchored to the PaIS signature (every 90 days, reminders 15
 * and 7 days before each, a late one shifting nothing); statutory deadlines that suspension never
 * moves beside internal ones it pauses.
 */
import { DateTime } from 'luxon';
import { applyCommand, checkCommand, commandTime } from '../../domain/case-command-handlers';
import type { CaseCommand } from '../../domain/case-commands';
import { createCase, nextWakeAt, openTasks, tick } from '../../domain/case-engine';
import type { Actor, CaseEvent, CaseState } from '../../domain/case-state';
import { checkPathway } from '../../domain/pathway-checks';
import { pathwayDefinitionSchema, type PathwayDefinition, type PathwayDefinitionInput } from '../../domain/pathway-schema';

const t = (it: string) => ({ it });
const ZONE = 'Europe/Rome';
const START = '2026-03-02T09:00:00.000Z'; // a Monday
const services = ['oss', 'social', 'employment'];

const livorno = (id: string, services: string[], roles: Actor['roles'] = ['operator']): Actor => ({ id, kind: 'user', roles, areas: ['livorno'], services });
const deskOperator = livorno('u-desk', ['oss']);
const socialWorker = livorno('u-social', ['social']);

type Steps = PathwayDefinitionInput['steps'];

/** Eligibility records the PAD date; then the case follows `steps` from `next`. */
function pathway(steps: Steps, first: string): PathwayDefinition {
  return pathwayDefinitionSchema.parse({
    key: 'clock-test',
    title: t('Orologi'),
    start: 'eligibility',
    steps: {
      eligibility: {
        kind: 'task',
        title: t('Verifica requisiti'),
        assignee: { service: 'oss' },
        form: { fields: [{ key: 'padDate', label: t('Data PAD'), type: 'date', required: true }] },
        next: first,
      },
      ...steps,
      done: { kind: 'end', title: t('Fine'), outcome: 'completed' },
    },
  });
}

function startCase(definition: PathwayDefinition): CaseState {
  expect(checkPathway(definition, { services })).toEqual([]);
  return createCase({
    caseId: '11111111-2222-4333-8444-555555555555',
    reference: 'RT-LI-CLOCK1',
    areaId: 'livorno',
    startedAt: START,
    startedBy: { id: deskOperator.id, kind: 'user' },
    caseData: {},
    pathway: { key: definition.key, version: 1, definition },
    localHolidays: [],
  }).state;
}

function run(state: CaseState, definition: PathwayDefinition, actor: Actor, command: CaseCommand, at: Date): void {
  const rejection = checkCommand(state, definition, { actor, command });
  if (rejection) throw Object.assign(new Error(rejection.message), { rejection });
  applyCommand(state, definition, { actor, command }, at);
}

const openTask = (state: CaseState, stepId: string) => {
  const task = openTasks(state).find((candidate) => candidate.stepId === stepId);
  if (!task) throw new Error(`no open task for ${stepId}; open: ${openTasks(state).map((x) => x.stepId).join(',')}`);
  return task;
};

/** Runs the clock to `until`, waking the engine exactly when it asks (as the workflow does). */
function runClock(state: CaseState, definition: PathwayDefinition, until: Date): void {
  for (let wake = nextWakeAt(state); wake && wake.getTime() <= until.getTime(); wake = nextWakeAt(state)) tick(state, definition, wake);
  tick(state, definition, until);
}

const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE });
const localDay = (iso: string) => local(iso).toISODate();
const eventsOf = (state: CaseState, type: CaseEvent['type']) => state.pendingEvents.filter((event) => event.type === type);

describe('the time of a command', () => {
  const lastEvent = { updatedAt: '2026-03-02T10:00:00.000Z' };
  const clock = new Date('2026-03-02T09:00:00.000Z'); // a stale workflow clock, before the last event

  it('is when its sender sent it, not the workflow clock', () => {
    expect(commandTime(lastEvent, '2026-03-02T11:30:00.000Z', clock).toISOString()).toBe('2026-03-02T11:30:00.000Z');
  });

  it('is never before the case\'s last event', () => {
    expect(commandTime(lastEvent, '2026-03-02T09:59:59.000Z', clock).toISOString()).toBe(lastEvent.updatedAt);
  });

  it('falls back to the workflow clock for a command sent without a readable time', () => {
    expect(commandTime(lastEvent, undefined, clock)).toBe(clock);
    expect(commandTime(lastEvent, 'not a time', clock)).toBe(clock);
  });

  it('starts the deadlines the command sets', () => {
    const definition = pathway({ meeting: { kind: 'task', title: t('Colloquio'), assignee: { service: 'social' }, deadline: { amount: 5, unit: 'calendarDays' }, next: 'done' } }, 'meeting');
    const state = startCase(definition);
    const eligibility = openTask(state, 'eligibility');
    const sentAt = '2026-03-03T23:30:00.000Z'; // already 4 March in Rome
    run(state, definition, deskOperator, { kind: 'completeTask', taskId: eligibility.id, data: { padDate: '2026-03-01' } }, commandTime(state, sentAt, clock));
    // Calendar days run to the end of the day, in the area's zone.
    expect(openTask(state, 'meeting').dueAt).toBe(DateTime.fromISO(sentAt, { zone: ZONE }).plus({ days: 5 }).endOf('day').toUTC().toISO());
    expect(openTask(state, 'meeting').dueAt).toBe('2026-03-09T22:59:59.999Z');
  });
});

describe('warnings before a deadline', () => {
  const assessment: Steps = {
    assessment: {
      kind: 'task',
      title: t('Analisi preliminare'),
      assignee: { service: 'social' },
      // DM Dec 2023 art. 9: the PaIS within 120 days of the PAD.
      deadline: { amount: 120, unit: 'calendarDays', from: { field: 'eligibility.padDate' } },
      reminders: [{ before: { amount: 60, unit: 'calendarDays' } }, { before: { amount: 30, unit: 'calendarDays' } }],
      escalation: [
        { before: { amount: 10, unit: 'calendarDays' }, role: 'supervisor' },
        { after: { amount: 1, unit: 'calendarDays' }, role: 'supervisor', reassign: true },
      ],
      next: 'done',
    },
  };

  it('reaches the area manager on day 110, before the day-120 deadline, then escalates after it as before', () => {
    const definition = pathway(assessment, 'assessment');
    const state = startCase(definition);
    const padDate = '2026-03-02';
    run(state, definition, deskOperator, { kind: 'completeTask', taskId: openTask(state, 'eligibility').id, data: { padDate } }, new Date(START));
    const task = openTask(state, 'assessment');
    expect(localDay(task.dueAt!)).toBe('2026-06-30'); // PAD + 120 days
    expect(task.escalations.map((level) => [level.level, localDay(level.at), level.beforeDeadline ?? false])).toEqual([
      [1, '2026-06-20', true], // day 110
      [2, '2026-07-01', false],
    ]);

    runClock(state, definition, local('2026-06-20T07:59').toJSDate());
    expect(eventsOf(state, 'reminder_due').map((event) => localDay(event.at))).toEqual(['2026-05-01', '2026-05-31']); // days 60 and 90
    expect(eventsOf(state, 'task_escalated')).toEqual([]);

    runClock(state, definition, local('2026-06-20T08:00').toJSDate());
    const warning = eventsOf(state, 'task_escalated');
    expect(warning).toHaveLength(1);
    expect(warning[0].details).toMatchObject({ level: 1, role: 'supervisor', service: 'social', reassigned: false, beforeDeadline: true });
    expect(Date.parse(warning[0].at)).toBeLessThan(Date.parse(task.dueAt!));
    expect(task.escalationLevel).toBe(1);
    expect(task.status).toBe('open');

    runClock(state, definition, local('2026-07-01T08:00').toJSDate());
    expect(eventsOf(state, 'task_escalated').map((event) => [event.details.level, event.details.beforeDeadline ?? false, event.details.reassigned])).toEqual([
      [1, true, false],
      [2, false, true],
    ]);
  });

  it('leaves a task done in time with only the warning fired', () => {
    const definition = pathway(assessment, 'assessment');
    const state = startCase(definition);
    run(state, definition, deskOperator, { kind: 'completeTask', taskId: openTask(state, 'eligibility').id, data: { padDate: '2026-03-02' } }, new Date(START));
    runClock(state, definition, local('2026-06-25T10:00').toJSDate());
    run(state, definition, socialWorker, { kind: 'completeTask', taskId: openTask(state, 'assessment').id, data: {} }, local('2026-06-25T10:00').toJSDate());
    expect(state.status).toBe('closed');
    expect(eventsOf(state, 'task_escalated')).toHaveLength(1);
  });

  it('requires exactly one of before and after, and orders warnings before levels after the deadline', () => {
    const both = pathwayDefinitionSchema.safeParse({
      key: 'x-test',
      title: t('x'),
      start: 'a',
      steps: {
        a: { kind: 'task', title: t('a'), assignee: { service: 'oss' }, deadline: { amount: 1, unit: 'calendarDays' }, escalation: [{ role: 'supervisor' }], next: 'b' },
        b: { kind: 'end', title: t('b'), outcome: 'x' },
      },
    });
    expect(both.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['steps.a.escalation.0.after']);

    const disordered = pathway(
      {
        assessment: {
          kind: 'task',
          title: t('a'),
          assignee: { service: 'social' },
          deadline: { amount: 30, unit: 'calendarDays' },
          escalation: [
            { after: { amount: 1, unit: 'calendarDays' }, role: 'supervisor' },
            { before: { amount: 5, unit: 'calendarDays' }, role: 'supervisor' },
            { before: { amount: 2, unit: 'calendarDays' }, role: 'admin' },
          ],
          next: 'done',
        },
      },
      'assessment',
    );
    expect(checkPathway(disordered, { services }).map((issue) => [issue.code, issue.path.join('.')])).toEqual([['escalation_order', 'steps.assessment.escalation.1.before']]);
  });
});

describe('anchored recurrence', () => {
  const followUp = (extra: Record<string, unknown> = {}): Steps => ({
    plan: {
      kind: 'task',
      title: t('Patto per l’inclusione'),
      assignee: { service: 'social' },
      form: { fields: [{ key: 'signedOn', label: t('Data di firma'), type: 'date', required: true }] },
      next: 'checkins',
    },
    checkins: { kind: 'recurring', title: t('Verifiche'), every: { amount: 90, unit: 'calendarDays' }, times: 6, anchor: { field: 'plan.signedOn' }, body: 'checkin', next: 'done', ...extra },
    checkin: {
      kind: 'task',
      title: t('Verifica trimestrale'),
      assignee: { service: 'social' },
      // Due on the occurrence's own date, with the brief's reminders 15 and 7 days before it.
      deadline: { amount: 0, unit: 'calendarDays', from: { field: 'checkins.dueDate' } },
      reminders: [{ before: { amount: 15, unit: 'calendarDays' } }, { before: { amount: 7, unit: 'calendarDays' } }],
      form: { fields: [{ key: 'attended', label: t('Presente'), type: 'boolean', required: true }] },
    },
  });

  /** Signs the plan on 2026-04-01, then works each check-in: on time (2 days before its date) except those in `late` (5 days after). */
  function runSixCheckIns(late: number[] = [], extra: Record<string, unknown> = {}) {
    const definition = pathway(followUp(extra), 'plan');
    const state = startCase(definition);
    run(state, definition, deskOperator, { kind: 'completeTask', taskId: openTask(state, 'eligibility').id, data: { padDate: '2026-03-02' } }, new Date(START));
    const signed = local('2026-04-01T10:00').toJSDate();
    run(state, definition, socialWorker, { kind: 'completeTask', taskId: openTask(state, 'plan').id, data: { signedOn: '2026-04-01' } }, signed);
    const checkIns: Array<{ createdAt: string; dueAt: string; reminders: string[] }> = [];
    for (let k = 1; k <= 6; k += 1) {
      // On to the moment the check-in opens (the clock's next wake-up; it is open already after a late one).
      const wake = nextWakeAt(state);
      if (!openTasks(state).some((candidate) => candidate.stepId === 'checkin') && wake) runClock(state, definition, wake);
      const task = openTask(state, 'checkin');
      const reminders = task.reminders.map((reminder) => reminder.at);
      checkIns.push({ createdAt: task.createdAt, dueAt: task.dueAt!, reminders });
      const doneAt = local(task.dueAt!).plus({ days: late.includes(k) ? 5 : -2 }).set({ hour: 11, minute: 0 }).toJSDate();
      runClock(state, definition, doneAt);
      run(state, definition, socialWorker, { kind: 'completeTask', taskId: task.id, data: { attended: true } }, doneAt);
    }
    return { state, checkIns };
  }

  it('gives six check-ins exactly 90 days apart from the plan signature, with reminders 15 and 7 days before each', () => {
    const { state, checkIns } = runSixCheckIns();
    const anchor = local('2026-04-01T00:00');
    expect(checkIns.map((c) => localDay(c.dueAt))).toEqual([1, 2, 3, 4, 5, 6].map((k) => anchor.plus({ days: 90 * k }).toISODate()));
    for (let k = 1; k < checkIns.length; k += 1) {
      expect(local(checkIns[k].dueAt).startOf('day').diff(local(checkIns[k - 1].dueAt).startOf('day'), 'days').days).toBe(90);
    }
    for (const c of checkIns) {
      // Each due date is the end of its local day; the reminders reach the worker at 08:00, 15 and 7 days before it.
      expect(local(c.dueAt).toFormat('HH:mm')).toBe('23:59');
      expect(c.reminders.map((at) => local(at).toFormat('yyyy-MM-dd HH:mm'))).toEqual([
        local(c.dueAt).minus({ days: 15 }).toFormat('yyyy-MM-dd 08:00'),
        local(c.dueAt).minus({ days: 7 }).toFormat('yyyy-MM-dd 08:00'),
      ]);
    }
    expect(eventsOf(state, 'reminder_due')).toHaveLength(12);
    // Each check-in opens when the previous one falls due (the first at the signature).
    expect(localDay(checkIns[0].createdAt)).toBe('2026-04-01');
    for (let k = 1; k < checkIns.length; k += 1) expect(checkIns[k].createdAt).toBe(new Date(Date.parse(checkIns[k - 1].dueAt)).toISOString());
    expect(eventsOf(state, 'occurrence_started').map((event) => event.details)).toEqual(checkIns.map((c, i) => ({ occurrence: i + 1, dueDate: localDay(c.dueAt) })));
    expect(state.status).toBe('closed');
  });

  it('keeps the next due date when a check-in is done late: the late one opens the next at once, due on its own date', () => {
    const onTime = runSixCheckIns().checkIns;
    const { checkIns } = runSixCheckIns([3]);
    expect(checkIns.map((c) => c.dueAt)).toEqual(onTime.map((c) => c.dueAt));
    // The fourth opened when the late third was done (5 days after the third's date).
    expect(localDay(checkIns[3].createdAt)).toBe(local(checkIns[2].dueAt).plus({ days: 5 }).toISODate());
    // Its 15-day reminder was still ahead; the reminders of a check-in opened late are never sent late.
    expect(checkIns[3].reminders).toHaveLength(2);
  });

  it('opens each check-in a set time before its date when asked (opensBefore), the first included', () => {
    const { checkIns } = runSixCheckIns([], { opensBefore: { amount: 30, unit: 'calendarDays' } });
    for (const c of checkIns) expect(localDay(c.createdAt)).toBe(local(c.dueAt).minus({ days: 30 }).toISODate());
  });

  it('is checked: the anchor must be a date, opensBefore needs an anchor, and only dueDate and occurrence can be read', () => {
    const badAnchor = pathway({ ...followUp({ anchor: { field: 'eligibility.nothing' } }) }, 'plan');
    expect(checkPathway(badAnchor, { services }).map((issue) => issue.path.join('.'))).toEqual(['steps.checkins.anchor.field']);
    const badRead = followUp();
    (badRead.checkin as { deadline: { from: { field: string } } }).deadline.from.field = 'checkins.date';
    expect(checkPathway(pathway(badRead, 'plan'), { services }).map((issue) => issue.message)).toEqual(['anchored follow-up "checkins" records dueDate and occurrence, not "date"']);
    const unanchored = pathwayDefinitionSchema.safeParse({
      key: 'x-test',
      title: t('x'),
      start: 'r',
      steps: { r: { kind: 'recurring', title: t('r'), every: { amount: 1, unit: 'months' }, times: 2, opensBefore: { amount: 1, unit: 'calendarDays' }, body: 'b' } },
    });
    expect(unanchored.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['steps.r.opensBefore']);
  });
});

describe('statutory and internal clocks', () => {
  const DM_2023 = { it: 'DM dicembre 2023, art. 9: PaIS entro 120 giorni dal PAD', en: 'Ministerial decree Dec 2023, art. 9: PaIS within 120 days of the PAD' };
  const steps: Steps = {
    convene: { kind: 'parallel', title: t('Convocazione'), branches: ['meeting', 'home_visit', 'legacy_call'], next: 'done' },
    meeting: {
      kind: 'task',
      title: t('Incontro e PaIS'),
      assignee: { service: 'social' },
      deadline: { amount: 120, unit: 'calendarDays', from: { field: 'eligibility.padDate' }, clock: 'statutory', legalBasis: DM_2023 },
      reminders: [{ before: { amount: 30, unit: 'calendarDays' } }],
      escalation: [{ before: { amount: 10, unit: 'calendarDays' }, role: 'supervisor' }],
    },
    home_visit: {
      kind: 'task',
      title: t('Visita domiciliare'),
      assignee: { service: 'social' },
      deadline: { amount: 30, unit: 'calendarDays', clock: 'internal' },
      reminders: [{ before: { amount: 5, unit: 'calendarDays' } }],
    },
    // A deadline written before clocks had kinds: it moves on resume, as every deadline did.
    legacy_call: { kind: 'task', title: t('Telefonata'), assignee: { service: 'social' }, deadline: { amount: 40, unit: 'calendarDays' } },
  };

  it('leaves the statutory date (and its alerts) where the law puts it across a suspension, and moves the internal ones by the time suspended', () => {
    const definition = pathway(steps, 'convene');
    const state = startCase(definition);
    run(state, definition, deskOperator, { kind: 'completeTask', taskId: openTask(state, 'eligibility').id, data: { padDate: '2026-03-02' } }, new Date(START));
    const before = Object.fromEntries(['meeting', 'home_visit', 'legacy_call'].map((id) => [id, structuredClone(openTask(state, id))]));
    expect(before.meeting.deadlineClock).toEqual({ kind: 'statutory', legalBasis: DM_2023 });
    expect(before.home_visit.deadlineClock).toEqual({ kind: 'internal', legalBasis: null });
    expect(before.legacy_call).not.toHaveProperty('deadlineClock');

    const suspendedAt = local('2026-03-10T10:00').toJSDate();
    const resumedAt = local('2026-03-30T10:00').toJSDate(); // 20 days later
    run(state, definition, socialWorker, { kind: 'suspendCase', reason: 'persona irreperibile' }, suspendedAt);
    run(state, definition, socialWorker, { kind: 'resumeCase' }, resumedAt);
    const shift = resumedAt.getTime() - suspendedAt.getTime();
    const moved = (iso: string) => new Date(Date.parse(iso) + shift).toISOString();

    const meeting = openTask(state, 'meeting');
    expect(meeting.dueAt).toBe(before.meeting.dueAt);
    expect(localDay(meeting.dueAt!)).toBe('2026-06-30');
    expect(meeting.reminders).toEqual(before.meeting.reminders);
    expect(meeting.escalations).toEqual(before.meeting.escalations);
    for (const id of ['home_visit', 'legacy_call']) {
      const task = openTask(state, id);
      expect(task.dueAt).toBe(moved(before[id].dueAt!));
      expect(task.reminders.map((r) => r.at)).toEqual(before[id].reminders.map((r) => moved(r.at)));
    }
    const created = state.pendingEvents.filter((event) => event.type === 'task_created' && event.stepId !== 'eligibility');
    expect(created.map((event) => [event.stepId, event.details.clock ?? null])).toEqual([
      ['meeting', 'statutory'],
      ['home_visit', 'internal'],
      ['legacy_call', null],
    ]);
  });

  it('requires a statutory deadline to count from a legal date and to name its legal basis', () => {
    const broken = pathway(
      {
        ...steps,
        meeting: { ...(steps.meeting as object), deadline: { amount: 120, unit: 'calendarDays', clock: 'statutory' } } as Steps[string],
        home_visit: { ...(steps.home_visit as object), deadline: { amount: 30, unit: 'calendarDays', legalBasis: DM_2023 } } as Steps[string],
      },
      'convene',
    );
    expect(checkPathway(broken, { services }).map((issue) => [issue.code, issue.path.join('.')])).toEqual([
      ['statutory_clock', 'steps.home_visit.deadline.clock'],
      ['statutory_clock', 'steps.meeting.deadline.from'],
      ['statutory_clock', 'steps.meeting.deadline.legalBasis'],
    ]);
  });
});
