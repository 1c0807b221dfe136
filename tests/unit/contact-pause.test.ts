/**
 * Failed contact attempts pausing the internal clocks, through the pure engine with a clock: N
 * failed attempts in a row pause them (statutory deadlines run on), a successful contact resumes them
 * shifted by the pause; a reminder due during the pause waits; a suspension in between is not
 * counted twice; commands without the rule (recorded before it existed) change no clock.
 */
import { DateTime } from 'luxon';
import { applyCommand, checkCommand } from '../../domain/case-command-handlers';
import type { CaseCommand } from '../../domain/case-commands';
import { createCase, nextWakeAt, openTasks, tick } from '../../domain/case-engine';
import type { Actor, CaseEvent, CaseState } from '../../domain/case-state';
import { pathwayDefinitionSchema, type PathwayDefinition } from '../../domain/pathway-schema';

const t = (it: string) => ({ it });
const local = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Rome' }).toJSDate();
const START = '2026-03-02T09:00:00.000Z';
const operator: Actor = { id: 'u-social', kind: 'user', roles: ['operator'], areas: ['livorno'], services: ['oss', 'social'] };
const DM_2023 = { it: 'DM dicembre 2023, art. 9' };

const definition: PathwayDefinition = pathwayDefinitionSchema.parse({
  key: 'pause-test',
  title: t('Pausa'),
  start: 'eligibility',
  steps: {
    eligibility: {
      kind: 'task',
      title: t('Verifica requisiti'),
      assignee: { service: 'oss' },
      form: { fields: [{ key: 'padDate', label: t('Data PAD'), type: 'date', required: true }] },
      next: 'convene',
    },
    convene: { kind: 'parallel', title: t('Convocazione'), branches: ['meeting', 'home_visit'], next: 'done' },
    meeting: {
      kind: 'task',
      title: t('Incontro e PaIS'),
      assignee: { service: 'social' },
      deadline: { amount: 120, unit: 'calendarDays', from: { field: 'eligibility.padDate' }, clock: 'statutory', legalBasis: DM_2023 },
      reminders: [{ before: { amount: 110, unit: 'calendarDays' } }],
    },
    home_visit: {
      kind: 'task',
      title: t('Visita domiciliare'),
      assignee: { service: 'social' },
      deadline: { amount: 30, unit: 'calendarDays', clock: 'internal' },
      reminders: [{ before: { amount: 20, unit: 'calendarDays' } }],
    },
    done: { kind: 'end', title: t('Fine'), outcome: 'completed' },
  },
});

function started(): CaseState {
  const state = createCase({
    caseId: '11111111-2222-4333-8444-555555555556',
    reference: 'RT-LI-PAUSE1',
    areaId: 'livorno',
    startedAt: START,
    startedBy: { id: operator.id, kind: 'user' },
    caseData: {},
    pathway: { key: definition.key, version: 1, definition },
    localHolidays: [],
  }).state;
  const eligibility = openTasks(state).find((task) => task.stepId === 'eligibility')!;
  run(state, { kind: 'completeTask', taskId: eligibility.id, data: { padDate: '2026-03-02' } }, new Date(START));
  return state;
}

function run(state: CaseState, command: CaseCommand, at: Date): void {
  const rejection = checkCommand(state, definition, { actor: operator, command });
  if (rejection) throw new Error(rejection.message);
  applyCommand(state, definition, { actor: operator, command }, at);
}

/** `threshold` 'legacy': a command recorded before the rule existed (no field at all). */
const contact = (outcome: 'reached' | 'failed_attempt', at: Date, threshold: number | null | 'legacy' = 3): CaseCommand => ({
  kind: 'recordContact',
  outcome,
  channel: 'phone',
  at: at.toISOString(),
  ...(threshold === 'legacy' ? {} : { pauseAfterFailedAttempts: threshold }),
});

const task = (state: CaseState, stepId: string) => openTasks(state).find((candidate) => candidate.stepId === stepId)!;
const events = (state: CaseState, type: CaseEvent['type']) => state.pendingEvents.filter((event) => event.type === type);
const runClock = (state: CaseState, until: Date) => {
  for (let wake = nextWakeAt(state); wake && wake.getTime() <= until.getTime(); wake = nextWakeAt(state)) tick(state, definition, wake);
  tick(state, definition, until);
};
const dayMs = 86_400_000;
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

describe('failed contacts pause the internal clocks', () => {
  it('pauses after N failed attempts in a row, and a contact resumes them shifted by the pause; the statutory date never moves', () => {
    const state = started();
    const before = { meeting: structuredClone(task(state, 'meeting')), visit: structuredClone(task(state, 'home_visit')) };

    run(state, contact('failed_attempt', local('2026-03-03T10:00')), local('2026-03-03T10:00'));
    run(state, contact('failed_attempt', local('2026-03-04T10:00')), local('2026-03-04T10:00'));
    expect(state.contactPausedAt ?? null).toBeNull();
    const pausedAt = local('2026-03-05T10:00');
    run(state, contact('failed_attempt', pausedAt), pausedAt);
    expect(state.contactPausedAt).toBe(pausedAt.toISOString());
    expect(events(state, 'clocks_paused').map((event) => event.details)).toEqual([{ failedAttempts: 3, threshold: 3 }]);
    // A fourth failure does not pause twice.
    run(state, contact('failed_attempt', local('2026-03-06T10:00')), local('2026-03-06T10:00'));
    expect(events(state, 'clocks_paused')).toHaveLength(1);

    // The home visit's reminder (day 10) falls during the pause: it waits; the statutory reminder (day 12) is the only wake-up left, and fires.
    expect(nextWakeAt(state)?.toISOString()).toBe(before.meeting.reminders[0].at);
    runClock(state, local('2026-03-20T10:00'));
    expect(events(state, 'reminder_due').map((event) => event.stepId)).toEqual(['meeting']);

    const reachedAt = local('2026-03-25T10:00');
    run(state, contact('reached', reachedAt), reachedAt);
    const pause = reachedAt.getTime() - pausedAt.getTime();
    expect(state.contactPausedAt).toBeNull();
    expect(state.failedContactsInRow).toBe(0);
    expect(events(state, 'clocks_resumed').map((event) => event.details)).toEqual([{ pausedMs: pause }]);
    expect(task(state, 'home_visit').dueAt).toBe(plus(before.visit.dueAt!, pause));
    expect(task(state, 'home_visit').reminders.map((r) => r.at)).toEqual(before.visit.reminders.map((r) => plus(r.at, pause)));
    expect(task(state, 'meeting').dueAt).toBe(before.meeting.dueAt);
    expect(task(state, 'meeting').reminders.map((r) => r.at)).toEqual(before.meeting.reminders.map((r) => r.at));
  });

  it('counts failures in a row only: a contact in between starts the count again', () => {
    const state = started();
    run(state, contact('failed_attempt', local('2026-03-03T10:00')), local('2026-03-03T10:00'));
    run(state, contact('failed_attempt', local('2026-03-04T10:00')), local('2026-03-04T10:00'));
    run(state, contact('reached', local('2026-03-05T10:00')), local('2026-03-05T10:00'));
    run(state, contact('failed_attempt', local('2026-03-06T10:00')), local('2026-03-06T10:00'));
    run(state, contact('failed_attempt', local('2026-03-07T10:00')), local('2026-03-07T10:00'));
    expect(state.contactPausedAt ?? null).toBeNull();
    expect(events(state, 'clocks_paused')).toHaveLength(0);
    expect(events(state, 'clocks_resumed')).toHaveLength(0);
  });

  it('changes no clock when the rule is off, nor for contacts recorded before the rule existed', () => {
    for (const threshold of [null, 'legacy'] as const) {
      const state = started();
      const due = task(state, 'home_visit').dueAt;
      for (let day = 3; day <= 9; day += 1) run(state, contact('failed_attempt', local(`2026-03-0${day}T10:00`), threshold), local(`2026-03-0${day}T10:00`));
      run(state, contact('reached', local('2026-03-10T10:00'), threshold), local('2026-03-10T10:00'));
      expect(events(state, 'clocks_paused')).toHaveLength(0);
      expect(task(state, 'home_visit').dueAt).toBe(due);
      if (threshold === 'legacy') expect(state).not.toHaveProperty('failedContactsInRow');
    }
  });

  it('does not count a suspension during the pause twice', () => {
    const state = started();
    const due = task(state, 'home_visit').dueAt!;
    const pausedAt = local('2026-03-05T10:00');
    run(state, contact('failed_attempt', pausedAt, 1), pausedAt);
    const suspendedAt = local('2026-03-08T10:00');
    run(state, { kind: 'suspendCase', reason: 'ricoverato' }, suspendedAt);
    const resumedAt = local('2026-03-12T10:00');
    run(state, { kind: 'resumeCase' }, resumedAt);
    const reachedAt = local('2026-03-15T10:00');
    run(state, contact('reached', reachedAt, 1), reachedAt);
    // Paused (or suspended) from 5 to 15 March without a gap: ten days, once.
    expect(task(state, 'home_visit').dueAt).toBe(plus(due, reachedAt.getTime() - pausedAt.getTime()));
    expect(reachedAt.getTime() - pausedAt.getTime()).toBe(10 * dayMs);
  });

  it('shifts a task raised during the pause only by the time since it was raised', () => {
    const state = started();
    const pausedAt = local('2026-03-05T10:00');
    run(state, contact('failed_attempt', pausedAt, 1), pausedAt);
    // Work goes on while the person is unreachable: the statutory meeting is held, the case moves on (nothing new here but the end).
    const visit = task(state, 'home_visit');
    visit.createdAt = local('2026-03-09T10:00').toISOString();
    const due = visit.dueAt!;
    const reachedAt = local('2026-03-15T10:00');
    run(state, contact('reached', reachedAt, 1), reachedAt);
    expect(task(state, 'home_visit').dueAt).toBe(plus(due, 6 * dayMs));
  });
});
