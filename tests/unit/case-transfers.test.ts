/**
 * Transfers as requests, through the pure engine: the case stays (and can be worked) until a manager
 * of the receiving area accepts; then its open tasks move there unassigned with the area's calendar.
 * Who may ask, answer or withdraw, and what each leaves on the timeline.
 */
import { applyCommand, checkCommand } from '../../domain/case-command-handlers';
import type { CaseCommand } from '../../domain/case-commands';
import { createCase, openTasks } from '../../domain/case-engine';
import type { Actor, CaseState } from '../../domain/case-state';
import { pathwayDefinitionSchema, type PathwayDefinition } from '../../domain/pathway-schema';

const t = (it: string) => ({ it });
const definition: PathwayDefinition = pathwayDefinitionSchema.parse({
  key: 'transfer-test',
  title: t('Trasferimento'),
  start: 'intake',
  steps: {
    intake: { kind: 'task', title: t('Accoglienza'), assignee: { service: 'oss' }, deadline: { amount: 5, unit: 'workingDays' }, next: 'done' },
    done: { kind: 'end', title: t('Fine'), outcome: 'completed' },
  },
});
const user = (id: string, roles: Actor['roles'], area: string): Actor => ({ id, kind: 'user', roles, areas: [area], services: ['oss'] });
const livornoManager = user('sup-li', ['supervisor'], 'livorno');
const livornoDesk = user('oss-li', ['operator'], 'livorno');
const luccaManager = user('sup-lu', ['supervisor'], 'lucca');
const pistoiaManager = user('sup-pt', ['supervisor'], 'pistoia');
const SAN_PAOLINO = { month: 7, day: 12, name: 'San Paolino' };

function started(): CaseState {
  return createCase({
    caseId: '11111111-2222-4333-8444-555555555557',
    reference: 'RT-LI-TRANS1',
    areaId: 'livorno',
    startedAt: '2026-03-02T09:00:00.000Z',
    startedBy: { id: livornoDesk.id, kind: 'user' },
    caseData: {},
    pathway: { key: definition.key, version: 1, definition },
    localHolidays: [],
  }).state;
}

const refusalOf = (state: CaseState, actor: Actor, command: CaseCommand) => checkCommand(state, definition, { actor, command });
function run(state: CaseState, actor: Actor, command: CaseCommand): void {
  const refusal = refusalOf(state, actor, command);
  if (refusal) throw new Error(refusal.message);
  applyCommand(state, definition, { actor, command }, new Date('2026-03-03T09:00:00.000Z'));
}

const ask = (areaId = 'lucca'): CaseCommand => ({ kind: 'requestTransfer', areaId, reason: 'Si è trasferita a Lucca' });

describe('transfer requests in the engine', () => {
  it('keeps the case and its claimed task where they are until the receiving manager accepts; then they move', () => {
    const state = started();
    const task = openTasks(state)[0];
    run(state, livornoDesk, { kind: 'claimTask', taskId: task.id });
    expect(refusalOf(state, livornoDesk, ask())?.type).toBe('forbidden');
    expect(refusalOf(state, livornoManager, ask('livorno'))).toMatchObject({ type: 'invalid_data', issues: [{ path: ['areaId'] }] });
    run(state, livornoManager, ask());
    const transferId = state.pendingTransfer!.transferId;
    expect(state.pendingTransfer).toMatchObject({ fromAreaId: 'livorno', toAreaId: 'lucca', requestedBy: 'sup-li' });
    expect([state.areaId, openTasks(state)[0].areaId, openTasks(state)[0].assigneeId]).toEqual(['livorno', 'livorno', 'oss-li']);
    expect(refusalOf(state, livornoManager, ask('pistoia'))?.type).toBe('conflict');

    const accept: Extract<CaseCommand, { kind: 'acceptTransfer' }> = { kind: 'acceptTransfer', transferId, localHolidays: [SAN_PAOLINO] };
    expect(refusalOf(state, livornoManager, accept)?.type).toBe('forbidden');
    expect(refusalOf(state, pistoiaManager, accept)?.type).toBe('forbidden');
    expect(refusalOf(state, luccaManager, { ...accept, transferId: 'transfer-1' })?.type).toBe('not_found');
    run(state, luccaManager, accept);
    expect(state.pendingTransfer).toBeNull();
    expect([state.areaId, openTasks(state)[0].areaId, openTasks(state)[0].assigneeId, openTasks(state)[0].status]).toEqual(['lucca', 'lucca', null, 'open']);
    expect(state.calendar.holidays).toContainEqual(SAN_PAOLINO);
    const events = state.pendingEvents.filter((e) => e.type === 'transfer_requested' || e.type === 'case_transferred');
    expect(events.map((e) => [e.type, e.actor.id, e.details.transferId, e.details.toAreaId])).toEqual([
      ['transfer_requested', 'sup-li', transferId, 'lucca'],
      ['case_transferred', 'sup-lu', transferId, 'lucca'],
    ]);
    // Answered: nothing left to accept.
    expect(refusalOf(state, luccaManager, accept)?.type).toBe('not_found');
  });

  it('refused or withdrawn, the case stays and may be asked for again', () => {
    const state = started();
    run(state, livornoManager, ask());
    const first = state.pendingTransfer!.transferId;
    expect(refusalOf(state, luccaManager, { kind: 'withdrawTransfer', transferId: first })?.type).toBe('forbidden');
    run(state, luccaManager, { kind: 'refuseTransfer', transferId: first, reason: 'Non risiede qui' });
    expect([state.areaId, state.pendingTransfer]).toEqual(['livorno', null]);
    expect(state.pendingEvents.find((e) => e.type === 'transfer_refused')?.details).toEqual({ transferId: first, fromAreaId: 'livorno', toAreaId: 'lucca', reason: 'Non risiede qui' });

    run(state, livornoManager, ask('pistoia'));
    const second = state.pendingTransfer!.transferId;
    expect(second).not.toBe(first);
    run(state, livornoManager, { kind: 'withdrawTransfer', transferId: second });
    expect([state.areaId, state.pendingTransfer]).toEqual(['livorno', null]);
    expect(state.pendingEvents.filter((e) => e.type === 'transfer_withdrawn')).toHaveLength(1);
  });

  it('refuses every transfer command on a closed case', () => {
    const state = started();
    run(state, livornoManager, ask());
    const transferId = state.pendingTransfer!.transferId;
    run(state, livornoManager, { kind: 'cancelCase', reason: 'Registrato per errore' });
    expect(refusalOf(state, luccaManager, { kind: 'acceptTransfer', transferId, localHolidays: [] })?.type).toBe('case_not_active');
    expect(refusalOf(state, livornoManager, ask('pistoia'))?.type).toBe('case_not_active');
  });
});
