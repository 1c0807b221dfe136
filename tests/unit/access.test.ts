/**
 * The access rules (domain/access.ts) written out by hand, case by case: who works, supervises,
 * answers, migrates, reads and may be given what. Each row is what the README promises for one
 * person and one object, not something computed from the module under test.
 */
import {
  assigneeRefusal,
  assignmentRefusal,
  mayMigrate,
  mayRespondToReferral,
  mayStartCase,
  maySupervise,
  mayWorkTask,
  readScopeOf,
  seesObject,
  supervisionScopeOf,
  type Assignee,
  type ObjectPlace,
  type ReadScope,
  type TaskPlace,
} from '../../domain/access';

const person = (id: string, roles: string[], areas: string[], services: string[], active = true): Assignee => ({ id, roles, areas, services, active });
const every = ['outreach', 'oss', 'social', 'employment'];

const people = {
  outreachLivorno: person('outreach-livorno', ['operator'], ['livorno'], ['outreach']),
  ossLivorno: person('oss-livorno', ['operator'], ['livorno'], ['oss']),
  socialLivorno: person('social-livorno', ['operator'], ['livorno'], ['social']),
  cpiLivorno: person('cpi-livorno', ['operator'], ['livorno'], ['employment']),
  outreachGrosseto: person('outreach-grosseto', ['operator'], ['grosseto'], ['outreach']),
  supervisorLivorno: person('supervisor-livorno', ['supervisor'], ['livorno'], every),
  supervisorGrosseto: person('supervisor-grosseto', ['supervisor'], ['grosseto'], every),
  coordinatorLivorno: person('coordinator-livorno', ['coordinator'], ['livorno'], every),
  auditorLivorno: person('auditor-livorno', ['auditor'], ['livorno'], every),
  admin: person('admin', ['admin'], [], []),
  coordinatorAndOutreach: person('both-livorno', ['coordinator', 'operator'], ['livorno'], ['outreach']),
  noRole: person('nobody-livorno', [], ['livorno'], ['outreach']),
  formerOutreach: person('former-livorno', ['operator'], ['livorno'], ['outreach'], false),
} as const;
type Who = keyof typeof people;

const outreachTask: TaskPlace = { areaId: 'livorno', service: 'outreach', role: 'operator' };
// A joint plan whose turn is social's; oss signs after.
const jointPlan: TaskPlace = { areaId: 'livorno', service: 'social', role: 'operator', signOff: { services: ['social', 'oss'] } };
// Escalated to the area's supervisor.
const escalatedTask: TaskPlace = { areaId: 'livorno', service: 'outreach', role: 'supervisor' };
const referral = { areaId: 'livorno', toService: 'employment', role: 'operator' };

describe('working a task (claim, complete)', () => {
  it.each<[Who, TaskPlace, boolean]>([
    ['outreachLivorno', outreachTask, true],
    ['ossLivorno', outreachTask, false],
    ['outreachGrosseto', outreachTask, false],
    ['supervisorLivorno', outreachTask, true],
    ['supervisorGrosseto', outreachTask, false],
    ['coordinatorLivorno', outreachTask, false],
    ['auditorLivorno', outreachTask, false],
    ['admin', outreachTask, true],
    ['coordinatorAndOutreach', outreachTask, true],
    ['noRole', outreachTask, false],
    ['socialLivorno', jointPlan, true],
    ['ossLivorno', jointPlan, true],
    ['outreachLivorno', jointPlan, false],
    ['outreachLivorno', escalatedTask, false],
    ['supervisorLivorno', escalatedTask, true],
  ])('%s on %j: %s', (who, task, expected) => {
    expect(mayWorkTask(people[who], task)).toBe(expected);
  });
});

describe('being given a task (single and bulk reassign)', () => {
  it.each<[Who, TaskPlace, string | null]>([
    ['outreachLivorno', outreachTask, null],
    ['supervisorLivorno', outreachTask, null],
    ['admin', outreachTask, null],
    ['coordinatorAndOutreach', outreachTask, null],
    // The stranded-task bug: these hold the area and every service, but no role that works tasks.
    ['auditorLivorno', outreachTask, 'cannot_work_tasks'],
    ['coordinatorLivorno', outreachTask, 'cannot_work_tasks'],
    ['noRole', outreachTask, 'cannot_work_tasks'],
    ['formerOutreach', outreachTask, 'inactive'],
    ['outreachGrosseto', outreachTask, 'outside_area'],
    ['supervisorGrosseto', outreachTask, 'outside_area'],
    ['ossLivorno', outreachTask, 'other_service'],
    ['outreachLivorno', escalatedTask, 'other_role'],
    ['socialLivorno', jointPlan, null],
    // oss may co-sign the plan, but it is social's turn: given to oss now, the plan would wait on them.
    ['ossLivorno', jointPlan, 'other_service'],
  ])('%s for %j: %s', (who, task, expected) => {
    const user = people[who];
    expect(assignmentRefusal(user.id, user, task)?.code ?? null).toBe(expected);
  });

  it('refuses an unknown id, and says which refusals hold for every task', () => {
    expect(assignmentRefusal('ghost', null, outreachTask)?.code).toBe('unknown_user');
    expect(assigneeRefusal('ghost', null)?.code).toBe('unknown_user');
    expect(assigneeRefusal('auditor-livorno', people.auditorLivorno)?.code).toBe('cannot_work_tasks');
    expect(assigneeRefusal('coordinator-livorno', people.coordinatorLivorno)?.code).toBe('cannot_work_tasks');
    expect(assigneeRefusal('former-livorno', people.formerOutreach)?.code).toBe('inactive');
    // Area, service and role depend on the task: not refused up front.
    expect(assigneeRefusal('oss-livorno', people.ossLivorno)).toBeNull();
    expect(assigneeRefusal('outreach-grosseto', people.outreachGrosseto)).toBeNull();
  });
});

describe('supervising, migrating, starting cases, answering referrals', () => {
  it.each<[string, (who: Who) => boolean, Who[], Who[]]>([
    ['supervise in livorno', (who) => maySupervise(people[who], 'livorno'), ['supervisorLivorno', 'admin'], ['supervisorGrosseto', 'coordinatorLivorno', 'auditorLivorno', 'outreachLivorno']],
    ['migrate in livorno', (who) => mayMigrate(people[who], 'livorno'), ['coordinatorLivorno', 'coordinatorAndOutreach', 'admin'], ['supervisorLivorno', 'auditorLivorno', 'outreachLivorno']],
    ['start a case in livorno', (who) => mayStartCase(people[who], 'livorno'), ['outreachLivorno', 'supervisorLivorno', 'coordinatorLivorno', 'admin'], ['auditorLivorno', 'outreachGrosseto', 'noRole']],
    ['answer a referral to employment', (who) => mayRespondToReferral(people[who], referral), ['cpiLivorno', 'supervisorLivorno', 'admin'], ['outreachLivorno', 'coordinatorLivorno', 'auditorLivorno', 'supervisorGrosseto']],
  ])('%s', (_rule, allows, allowed, refused) => {
    for (const who of allowed) expect([who, allows(who)]).toEqual([who, true]);
    for (const who of refused) expect([who, allows(who)]).toEqual([who, false]);
  });
});

describe('read scope (lists, 404s and notifications)', () => {
  it.each<[Who, ReadScope]>([
    ['outreachLivorno', { areas: ['livorno'], services: ['outreach'] }],
    ['supervisorLivorno', { areas: ['livorno'], services: null }],
    ['coordinatorLivorno', { areas: ['livorno'], services: null }],
    ['auditorLivorno', { areas: ['livorno'], services: null }],
    ['coordinatorAndOutreach', { areas: ['livorno'], services: null }],
    ['admin', { areas: null, services: null }],
    ['noRole', { areas: [], services: [] }],
  ])('%s reads %j', (who, scope) => {
    expect(readScopeOf(people[who])).toEqual(scope);
  });

  it.each<[Who, ReadScope]>([
    ['supervisorLivorno', { areas: ['livorno'], services: null }],
    ['admin', { areas: null, services: null }],
    ['coordinatorLivorno', { areas: [], services: null }],
    ['outreachLivorno', { areas: [], services: null }],
  ])('%s intervenes in bulk on %j', (who, scope) => {
    expect(supervisionScopeOf(people[who])).toEqual(scope);
  });

  it.each<[Who, ObjectPlace, boolean]>([
    ['outreachLivorno', { areaId: 'livorno', service: 'outreach' }, true],
    ['outreachLivorno', { areaId: 'livorno', service: 'oss' }, false],
    ['outreachLivorno', { areaId: 'livorno' }, true],
    ['outreachLivorno', { areaId: 'livorno', service: null }, false],
    ['outreachLivorno', { areaId: 'grosseto', service: 'outreach' }, false],
    ['outreachLivorno', { areaId: null, service: 'outreach' }, false],
    ['supervisorLivorno', { areaId: 'livorno', service: null }, true],
    ['auditorLivorno', { areaId: 'livorno', service: 'social' }, true],
    ['supervisorLivorno', { areaId: 'grosseto' }, false],
    ['admin', { areaId: null, service: null }, true],
    ['noRole', { areaId: 'livorno', service: 'outreach' }, false],
  ])('%s sees %j: %s', (who, place, expected) => {
    expect(seesObject(people[who], place)).toBe(expected);
  });
});
