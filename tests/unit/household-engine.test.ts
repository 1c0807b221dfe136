/**
 * Households in the pure engine, with its clock: per-member steps (one task per matching member,
 * carrying the member's index; the step joins when all are done), household facts in rules (a
 * child under 3 changes the route and its deadline; the CPI signs the plan only when a member is
 * activable), members collected by a form, and definitions without a household unchanged.
 */
import { applyCommand, checkCommand } from '../../domain/case-command-handlers';
import type { CaseCommand } from '../../domain/case-commands';
import { createCase, openTasks } from '../../domain/case-engine';
import type { Actor, CaseState } from '../../domain/case-state';
import { factsOf, memberView } from '../../domain/household';
import { checkPathway } from '../../domain/pathway-checks';
import { pathwayDefinitionSchema, type PathwayDefinition } from '../../domain/pathway-schema';
import { householdPathway, householdPathwayDocument, startHouseholdCase } from './household-pathway';

const livorno = (id: string, services: string[]): Actor => ({ id, kind: 'user', roles: ['operator'], areas: ['livorno'], services });
const socialWorker = livorno('u-social', ['social']);
const cpiCounsellor = livorno('u-cpi', ['employment']);
const services = ['social', 'employment', 'oss'];

const adultActivable = { relation: 'self', birthYear: 1984, jobActivable: true };
const adultNotActivable = { relation: 'partner', birthYear: 1979, jobActivable: false, disability: true };

const start = startHouseholdCase;

function run(state: CaseState, def: PathwayDefinition, actor: Actor, command: CaseCommand, at = '2026-03-10T10:00:00.000Z'): void {
  const rejection = checkCommand(state, def, { actor, command });
  if (rejection) throw Object.assign(new Error(rejection.message), { rejection });
  applyCommand(state, def, { actor, command }, new Date(at));
}

const open = (state: CaseState, stepId: string) => openTasks(state).filter((task) => task.stepId === stepId);

describe('per-member steps', () => {
  it('sends exactly the one activable member to the CPI and the other to a social check-in; the CPI then co-signs the plan', () => {
    const def = householdPathway();
    expect(checkPathway(def, { services })).toEqual([]);
    const state = start(def, { members: [adultActivable, adultNotActivable] });
    const [assessment] = open(state, 'assessment');
    run(state, def, socialWorker, { kind: 'completeTask', taskId: assessment.id, data: {} });

    const cpi = open(state, 'cpi_pact');
    const checkins = open(state, 'social_checkin');
    expect(cpi.map((task) => ({ service: task.service, member: task.member }))).toEqual([{ service: 'employment', member: 0 }]);
    expect(checkins.map((task) => ({ service: task.service, member: task.member }))).toEqual([{ service: 'social', member: 1 }]);
    // The member travels as an index, in the id and the event: never a name.
    expect(cpi[0].id).toMatch(/\.m0$/);
    expect(checkins[0].id).toMatch(/\.m1$/);
    const created = state.pendingEvents.filter((event) => event.type === 'task_created' && event.stepId === 'cpi_pact');
    expect(created.map((event) => event.details.member)).toEqual([0]);

    run(state, def, cpiCounsellor, { kind: 'completeTask', taskId: cpi[0].id, data: { didSigned: true } });
    expect(open(state, 'plan')).toEqual([]);
    run(state, def, socialWorker, { kind: 'completeTask', taskId: checkins[0].id, data: { note: 'Colloquio fatto' } });
    expect(state.data.cpi_pact).toEqual({ byMember: [{ member: 0, didSigned: true }] });
    expect(state.data.social_checkin).toEqual({ byMember: [{ member: 1, note: 'Colloquio fatto' }] });

    const [plan] = open(state, 'plan');
    expect(plan.signOff?.services).toEqual(['social', 'employment']);
    run(state, def, socialWorker, { kind: 'completeTask', taskId: plan.id, data: { goals: 'Lavoro e casa' } });
    expect(state.status).toBe('active');
    run(state, def, cpiCounsellor, { kind: 'completeTask', taskId: plan.id, data: {} });
    expect(state.status).toBe('closed');
  });

  it('opens no CPI task and asks no CPI signature when nobody is activable; every member gets a check-in', () => {
    const def = householdPathway();
    const state = start(def, { members: [{ ...adultActivable, jobActivable: false }, adultNotActivable] });
    run(state, def, socialWorker, { kind: 'completeTask', taskId: open(state, 'assessment')[0].id, data: {} });
    expect(open(state, 'cpi_pact')).toEqual([]);
    expect(open(state, 'social_checkin').map((task) => task.member)).toEqual([0, 1]);
    const skipped = state.pendingEvents.find((event) => event.type === 'decision_taken' && event.stepId === 'cpi_pact');
    expect(skipped?.details).toEqual({ forEach: 'members', members: [], next: null });
    // The step joins only after both members' check-ins.
    run(state, def, socialWorker, { kind: 'completeTask', taskId: open(state, 'social_checkin')[0].id, data: {} });
    expect(open(state, 'plan')).toEqual([]);
    run(state, def, socialWorker, { kind: 'completeTask', taskId: open(state, 'social_checkin')[0].id, data: {} });
    expect(open(state, 'plan')[0].signOff?.services).toEqual(['social']);
  });

  it('refuses a per-member task twice and validates each instance against the step form', () => {
    const def = householdPathway();
    const state = start(def, { members: [adultActivable, { ...adultActivable, relation: 'partner' }] });
    run(state, def, socialWorker, { kind: 'completeTask', taskId: open(state, 'assessment')[0].id, data: {} });
    const [first, second] = open(state, 'cpi_pact');
    expect(checkCommand(state, def, { actor: cpiCounsellor, command: { kind: 'completeTask', taskId: first.id, data: {} } })?.issues).toEqual([{ path: ['didSigned'], message: 'required' }]);
    run(state, def, cpiCounsellor, { kind: 'completeTask', taskId: second.id, data: { didSigned: false } });
    run(state, def, cpiCounsellor, { kind: 'completeTask', taskId: first.id, data: { didSigned: true } });
    expect(checkCommand(state, def, { actor: cpiCounsellor, command: { kind: 'completeTask', taskId: first.id, data: { didSigned: true } } })?.type).toBe('conflict');
    expect(state.data.cpi_pact).toEqual({ byMember: [{ member: 0, didSigned: true }, { member: 1, didSigned: false }] });
    expect(open(state, 'plan')).toHaveLength(1);
  });
});

describe('interventions on a per-member step', () => {
  it('withdraws every member’s task when an area manager skips the step, and the case goes on', () => {
    const def = householdPathway();
    const state = start(def, { members: [{ ...adultActivable, jobActivable: false }, adultNotActivable] });
    run(state, def, socialWorker, { kind: 'completeTask', taskId: open(state, 'assessment')[0].id, data: {} });
    expect(open(state, 'social_checkin')).toHaveLength(2);
    const areaManager: Actor = { id: 'u-sup', kind: 'user', roles: ['supervisor'], areas: ['livorno'], services: [] };
    run(state, def, areaManager, { kind: 'skipStep', stepId: 'social_checkin', reason: 'Verifiche fatte in équipe' });
    expect(open(state, 'social_checkin')).toEqual([]);
    expect(open(state, 'plan')).toHaveLength(1);
  });

  it('reopens a per-member step as one correction: all its members’ tasks, the chain not run again', () => {
    const def = householdPathway();
    const other = start(def, { members: [{ ...adultActivable, jobActivable: false }, adultNotActivable] });
    run(other, def, socialWorker, { kind: 'completeTask', taskId: open(other, 'assessment')[0].id, data: {} });
    for (const task of open(other, 'social_checkin')) run(other, def, socialWorker, { kind: 'completeTask', taskId: task.id, data: {} });
    const areaManager: Actor = { id: 'u-sup', kind: 'user', roles: ['supervisor'], areas: ['livorno'], services: [] };
    run(other, def, areaManager, { kind: 'reopenStep', stepId: 'social_checkin', reason: 'Nota mancante' });
    const reopened = open(other, 'social_checkin');
    expect(reopened.map((task) => task.member)).toEqual([0, 1]);
    run(other, def, socialWorker, { kind: 'completeTask', taskId: reopened[0].id, data: { note: 'Corretta' } });
    expect(open(other, 'social_checkin')).toHaveLength(1);
    run(other, def, socialWorker, { kind: 'completeTask', taskId: reopened[1].id, data: {} });
    expect(open(other, 'social_checkin')).toEqual([]);
    // One plan only: the correction did not run the chain after the step again.
    expect(openTasks(other).map((task) => task.stepId)).toEqual(['plan']);
    expect(other.data.social_checkin).toEqual({ byMember: [{ member: 0, note: 'Corretta' }, { member: 1 }] });
  });
});

describe('household facts in rules', () => {
  it('routes a household with a child under 3 to the priority assessment, due in 10 days instead of 30', () => {
    const def = householdPathway();
    const withToddler = start(def, { members: [adultNotActivable, { relation: 'child', birthYear: 2024 }] });
    const [early] = open(withToddler, 'early_assessment');
    expect(early.dueAt).toBe('2026-03-12T22:59:59.999Z');
    expect(open(withToddler, 'assessment')).toEqual([]);

    const withSchoolChild = start(def, { members: [adultNotActivable, { relation: 'child', birthYear: 2020 }] });
    expect(open(withSchoolChild, 'early_assessment')).toEqual([]);
    expect(open(withSchoolChild, 'assessment')[0].dueAt).toBe('2026-04-01T21:59:59.999Z');
  });

  it('derives ages and minors from the birth year in the case’s year; a minor given on the member wins', () => {
    expect(memberView({ birthYear: 2008 }, 2, 2026)).toMatchObject({ index: 2, age: 18, minor: false });
    expect(memberView({ birthYear: 2009 }, 0, 2026)).toMatchObject({ age: 17, minor: true });
    // Turns 18 later this year but the desk knows the date: the operator's answer counts.
    expect(memberView({ birthYear: 2008, minor: true }, 0, 2026)).toMatchObject({ age: 18, minor: true });
    expect(memberView({ relation: 'other' }, 0, 2026)).toMatchObject({ age: null, minor: null });
    expect(factsOf([{ birthYear: 1980, jobActivable: true }, { birthYear: 2015 }, { birthYear: 2025, minor: true }], 2026)).toEqual({
      size: 3,
      minorsCount: 2,
      minorsPresent: true,
      youngestAge: 1,
      activableCount: 1,
      activableAdultsCount: 1,
    });
    expect(factsOf([{ relation: 'self' }], 2026)).toEqual({ size: 1, minorsCount: 0, minorsPresent: false, activableCount: 0, activableAdultsCount: 0 });
    // A child recorded as activable counts as activable, but not as an activable adult.
    expect(factsOf([{ birthYear: 1980 }, { birthYear: 2012, jobActivable: true }], 2026)).toMatchObject({ activableCount: 1, activableAdultsCount: 0 });
  });

  it('reads the age on the case’s clock: the same toddler is 3 in the next year and takes the usual route', () => {
    const def = householdPathway();
    const state = createCase({
      caseId: '51111111-2222-4333-8444-555555555556',
      reference: 'RT-LI-HOUSE2',
      areaId: 'livorno',
      startedAt: '2027-01-04T09:00:00.000Z',
      startedBy: { id: 'u-desk', kind: 'user' },
      caseData: { members: [adultNotActivable, { relation: 'child', birthYear: 2024 }] },
      pathway: { key: def.key, version: 1, definition: def },
      localHolidays: [],
    }).state;
    expect(open(state, 'assessment')).toHaveLength(1);
  });
});

describe('members collected by a form', () => {
  const def = pathwayDefinitionSchema.parse({
    ...householdPathwayDocument,
    caseFields: [],
    household: { members: 'intake.members' },
    start: 'intake',
    steps: {
      ...householdPathwayDocument.steps,
      intake: { kind: 'task', title: { it: 'Accoglienza' }, assignee: { service: 'oss' }, form: { fields: [householdPathwayDocument.caseFields[0]] }, next: 'triage' },
    },
  });

  it('reads the household from the intake form, with item paths on bad members', () => {
    expect(checkPathway(def, { services })).toEqual([]);
    const state = start(def, {});
    const desk = livorno('u-desk', ['oss']);
    const [intake] = open(state, 'intake');
    const bad = checkCommand(state, def, { actor: desk, command: { kind: 'completeTask', taskId: intake.id, data: { members: [adultActivable, { relation: 'child', birthYear: 'due anni', name: 'Anna' }] } } });
    expect(bad?.issues).toEqual([
      { path: ['members', '1', 'birthYear'], message: 'expected a number' },
      { path: ['members', '1', 'name'], message: 'unknown field' },
    ]);
    run(state, def, desk, { kind: 'completeTask', taskId: intake.id, data: { members: [adultActivable, { relation: 'child', birthYear: 2025 }] } });
    expect(open(state, 'early_assessment')).toHaveLength(1);
  });
});

describe('definitions without a household', () => {
  it('decide and name tasks as before, with no household facts in their data', () => {
    const def = pathwayDefinitionSchema.parse({
      key: 'no-household',
      title: { it: 'Senza nucleo' },
      caseFields: [{ key: 'urgent', type: 'boolean', label: { it: 'Urgente' } }],
      start: 'route',
      steps: {
        route: { kind: 'decision', title: { it: 'Smistamento' }, rules: [{ when: { field: 'case.urgent', op: 'isTrue' }, next: 'fast' }], otherwise: 'slow' },
        fast: { kind: 'task', title: { it: 'Subito' }, assignee: { service: 'social' }, next: 'done' },
        slow: { kind: 'task', title: { it: 'Con calma' }, assignee: { service: 'social' }, next: 'done' },
        done: { kind: 'end', title: { it: 'Fine' }, outcome: 'completed' },
      },
    });
    const state = start(def, { urgent: true });
    expect(openTasks(state).map((task) => [task.stepId, task.member, task.id])).toEqual([['fast', undefined, '51111111-2222-4333-8444-555555555555.2']]);
    expect(state.data).toEqual({ case: { urgent: true } });
  });
});
