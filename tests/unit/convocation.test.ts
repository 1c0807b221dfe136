/**
 * Convocation and attendance, written in the pathway language: a convocation records date and
 * place; an unjustified absence re-convenes once; a second one raises the decadenza (loss of
 * benefit) flag and a task for the case manager; a justified absence re-convenes without counting.
 */
import { applyCommand, checkCommand } from '../../domain/case-command-handlers';
import type { CaseCommand } from '../../domain/case-commands';
import { createCase, openTasks } from '../../domain/case-engine';
import type { Actor, CaseState } from '../../domain/case-state';
import { checkPathway } from '../../domain/pathway-checks';
import { pathwayDefinitionSchema } from '../../domain/pathway-schema';

const t = (it: string) => ({ it });
const socialWorker: Actor = { id: 'u-social', kind: 'user', roles: ['operator'], areas: ['livorno'], services: ['social'] };
const attendance = ['attended', 'justified', 'unjustified'].map((value) => ({ value, label: t(value) }));

const definition = pathwayDefinitionSchema.parse({
  key: 'convocation-test',
  title: t('Convocazione'),
  start: 'convene',
  steps: {
    convene: {
      kind: 'task',
      title: t('Convocazione del nucleo'),
      assignee: { service: 'social' },
      form: {
        fields: [
          { key: 'meetingOn', label: t('Data dell’incontro'), type: 'date', required: true },
          { key: 'place', label: t('Luogo'), type: 'text', required: true },
        ],
      },
      next: 'meeting',
    },
    meeting: {
      kind: 'task',
      title: t('Incontro'),
      assignee: { service: 'social' },
      deadline: { amount: 0, unit: 'calendarDays', from: { field: 'convene.meetingOn' } },
      form: { fields: [{ key: 'attendance', label: t('Presenza'), type: 'select', required: true, options: attendance }] },
      next: 'route',
    },
    route: {
      kind: 'decision',
      title: t('Esito della convocazione'),
      rules: [
        { when: { field: 'meeting.attendance', op: 'eq', value: 'attended' }, next: 'assessment' },
        { when: { field: 'meeting.attendance', op: 'eq', value: 'justified' }, next: 'reconvene_justified' },
      ],
      otherwise: 'reconvene_once',
    },
    // A justified reason (giustificato motivo) re-convenes without counting against the person.
    reconvene_justified: { kind: 'goto', title: t('Nuova convocazione (giustificato)'), target: 'convene', maxTimes: 5, otherwise: 'decadenza' },
    // The law's rule: an unjustified no-show re-convenes once; the second is the loss of the benefit.
    reconvene_once: { kind: 'goto', title: t('Nuova convocazione'), target: 'convene', maxTimes: 1, otherwise: 'decadenza' },
    decadenza: {
      kind: 'task',
      title: t('Decadenza: segnalazione all’INPS'),
      assignee: { service: 'social' },
      deadline: { amount: 5, unit: 'workingDays' },
      form: { fields: [{ key: 'reportedOn', label: t('Segnalato il'), type: 'date', required: true }] },
      next: 'lost',
    },
    assessment: { kind: 'task', title: t('Analisi preliminare'), assignee: { service: 'social' }, next: 'done' },
    lost: { kind: 'end', title: t('Beneficio decaduto'), outcome: 'lost_benefit' },
    done: { kind: 'end', title: t('Fine'), outcome: 'completed' },
  },
});

function run(state: CaseState, command: CaseCommand): void {
  const rejection = checkCommand(state, definition, { actor: socialWorker, command });
  if (rejection) throw Object.assign(new Error(rejection.message), { rejection });
  applyCommand(state, definition, { actor: socialWorker, command }, new Date('2026-03-10T10:00:00.000Z'));
}

function startCase(): CaseState {
  expect(checkPathway(definition, { services: ['social'] })).toEqual([]);
  return createCase({
    caseId: '51111111-2222-4333-8444-555555555555',
    reference: 'RT-LI-CONV01',
    areaId: 'livorno',
    startedAt: '2026-03-02T09:00:00.000Z',
    startedBy: { id: socialWorker.id, kind: 'user' },
    caseData: {},
    pathway: { key: definition.key, version: 1, definition },
    localHolidays: [],
  }).state;
}

const open = (state: CaseState) => openTasks(state).map((task) => task.stepId);
const complete = (state: CaseState, stepId: string, data: Record<string, string>) =>
  run(state, { kind: 'completeTask', taskId: openTasks(state).find((task) => task.stepId === stepId)!.id, data });
const convene = (state: CaseState, meetingOn: string) => complete(state, 'convene', { meetingOn, place: 'Sportello OSS, via Roma 1' });

describe('convocation and attendance', () => {
  it('re-convenes once after an unjustified absence, and raises decadenza with a task for the case manager after the second', () => {
    const state = startCase();
    convene(state, '2026-03-16');
    expect(openTasks(state)[0].dueAt).toBe('2026-03-16T22:59:59.999Z'); // the meeting day, end of the day in Rome
    complete(state, 'meeting', { attendance: 'unjustified' });
    expect(open(state)).toEqual(['convene']);
    convene(state, '2026-03-23');
    complete(state, 'meeting', { attendance: 'unjustified' });
    expect(open(state)).toEqual(['decadenza']);
    expect(state.pendingEvents.filter((event) => event.type === 'jumped_back').map((event) => event.stepId)).toEqual(['reconvene_once']);
    complete(state, 'decadenza', { reportedOn: '2026-03-24' });
    expect(state.outcome).toBe('lost_benefit');
  });

  it('does not count a justified absence', () => {
    const state = startCase();
    convene(state, '2026-03-16');
    complete(state, 'meeting', { attendance: 'justified' });
    convene(state, '2026-03-23');
    complete(state, 'meeting', { attendance: 'unjustified' });
    expect(open(state)).toEqual(['convene']);
    convene(state, '2026-03-30');
    complete(state, 'meeting', { attendance: 'attended' });
    expect(open(state)).toEqual(['assessment']);
  });
});
