/**
 * Who may cover whom and for how long (domain/access.ts coverRefusal, mayManageCover;
 * domain/absence-cover.ts): pure rules, checked from both sides.
 */
import { coverRefusal, mayManageCover, type Assignee } from '../../domain/access';
import { coverInForce, coverPeriodIssues, localToday } from '../../domain/absence-cover';

const person = (id: string, over: Partial<Assignee> = {}): Assignee => ({ id, roles: ['operator'], areas: ['livorno'], services: ['outreach'], active: true, ...over });
const absent = person('anna');

describe('who may cover', () => {
  it('accepts an active operator of the same area and service, and says why anyone else is refused', () => {
    expect(coverRefusal(absent, 'bea', person('bea'))).toBeNull();
    expect(coverRefusal(absent, 'bea', person('bea', { services: ['oss', 'outreach'], areas: ['pistoia', 'livorno'] }))).toBeNull();
    const code = (colleague: Assignee | null, id = colleague?.id ?? 'ghost') => coverRefusal(absent, id, colleague)?.code;
    expect(code(null)).toBe('unknown_user');
    expect(code(person('bea', { active: false }))).toBe('inactive');
    expect(code(person('bea', { roles: ['auditor'] }))).toBe('cannot_work_tasks');
    expect(code(person('anna'))).toBe('same_person');
    expect(code(person('bea', { areas: ['grosseto'] }))).toBe('outside_area');
    expect(code(person('bea', { services: ['oss'] }))).toBe('other_service');
    expect(code(person('bea', { roles: ['supervisor'], services: ['outreach', 'oss'] }))).toBe('other_role');
  });

  it('lets the person themselves or a manager of their area set the cover, nobody else', () => {
    const actor = (id: string, roles: Assignee['roles'], areas = ['livorno']) => ({ id, roles, areas, services: ['outreach'] });
    expect(mayManageCover(actor('anna', ['operator']), absent)).toBe(true);
    expect(mayManageCover(actor('anna', ['auditor']), absent)).toBe(false);
    expect(mayManageCover(actor('bea', ['operator']), absent)).toBe(false);
    expect(mayManageCover(actor('boss', ['supervisor']), absent)).toBe(true);
    expect(mayManageCover(actor('boss', ['supervisor'], ['grosseto']), absent)).toBe(false);
    expect(mayManageCover(actor('zone', ['coordinator']), absent)).toBe(false);
  });
});

describe('the period', () => {
  it('runs on local days, both included', () => {
    // 23:30 UTC on 31 December is already 1 January in Rome.
    expect(localToday(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
    expect(coverInForce({ from: '2026-12-01', to: '2026-12-06' }, '2026-12-06')).toBe(true);
    expect(coverInForce({ from: '2026-12-01', to: '2026-12-06' }, '2026-12-07')).toBe(false);
    expect(coverInForce({ from: '2026-12-08', to: '2026-12-10' }, '2026-12-07')).toBe(false);
  });

  it('must end after it starts, not be over, and last at most a year', () => {
    const today = '2026-12-06';
    expect(coverPeriodIssues({ from: '2026-12-06', to: '2026-12-06' }, today)).toEqual([]);
    expect(coverPeriodIssues({ from: '2026-12-01', to: '2026-12-10' }, today)).toEqual([]);
    expect(coverPeriodIssues({ from: '2026-12-10', to: '2026-12-09' }, today)).toEqual([{ path: ['to'], message: expect.stringContaining('before') }]);
    expect(coverPeriodIssues({ from: '2026-11-01', to: '2026-12-05' }, today)).toEqual([{ path: ['to'], message: expect.stringContaining('over') }]);
    expect(coverPeriodIssues({ from: '2026-12-06', to: '2027-12-06' }, today)).toEqual([]);
    expect(coverPeriodIssues({ from: '2026-12-06', to: '2027-12-07' }, today)).toEqual([{ path: ['to'], message: expect.stringContaining('366') }]);
  });
});
