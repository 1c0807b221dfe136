/**
 * The role × action matrix as the README promises it, written out by hand: the API matrix test
 * checks that routes enforce `mayPerform`, so only this test notices a wrong row in the matrix itself.
 */
import { actionMatrix, mayPerform, type Action } from '../../domain/authorization';
import type { Role } from '../../domain/pathway-schema';

const everyone: Role[] = ['operator', 'supervisor', 'coordinator', 'auditor', 'admin'];

const promised: Record<Action, Role[]> = {
  'me.read': everyone,
  // Not in the README's table: the staff directory (auditors choose no assignees).
  'directory.read': ['operator', 'supervisor', 'coordinator', 'admin'],
  'pathways.read': everyone,
  'cases.read': everyone,
  'tasks.read': everyone,
  'referrals.read': everyone,
  'cases.start': ['operator', 'supervisor', 'coordinator', 'admin'],
  'cases.command': ['operator', 'supervisor', 'admin'],
  'tasks.act': ['operator', 'supervisor', 'admin'],
  'cases.contact': ['operator', 'supervisor', 'admin'],
  'referrals.respond': ['operator', 'supervisor', 'admin'],
  'pathways.edit': ['coordinator', 'admin'],
  'cases.migrate': ['coordinator', 'admin'],
  'supervision.rules': ['coordinator', 'admin'],
  'supervision.read': ['supervisor', 'coordinator', 'admin'],
  'reports.export': ['supervisor', 'coordinator', 'admin'],
  'interventions.run': ['supervisor', 'admin'],
  // Not in the README's table: coordinators may read intervention jobs without running them.
  'interventions.read': ['supervisor', 'coordinator', 'admin'],
  'audit.read': ['auditor', 'admin'],
  'persons.erase': ['admin'],
  // The person registry and documents: those who work cases, never coordinators or auditors.
  'persons.search': ['operator', 'supervisor', 'admin'],
  'persons.read': ['operator', 'supervisor', 'admin'],
  'persons.record': ['operator', 'supervisor', 'admin'],
  'cases.searchByPerson': ['operator', 'supervisor', 'admin'],
  'documents.read': ['operator', 'supervisor', 'admin'],
  'documents.upload': ['operator', 'supervisor', 'admin'],
  // Transfers between areas are requests: area managers list and answer them.
  'transfers.read': ['supervisor', 'admin'],
  'transfers.answer': ['supervisor', 'admin'],
  // Absence cover: operators name a colleague for themselves, managers for their area's operators.
  'absence.manage': ['operator', 'supervisor', 'admin'],
  'codec.use': ['admin'],
  'notifications.admin': ['admin'],
  'accounts.manage': ['admin'],
};

describe('authorization matrix', () => {
  it('covers exactly the promised actions', () => {
    expect(Object.keys(actionMatrix).sort()).toEqual(Object.keys(promised).sort());
  });

  it.each(Object.entries(promised))('%s is allowed to exactly %j', (action, roles) => {
    const allowed = everyone.filter((role) => mayPerform([role], action as Action));
    expect(allowed.sort()).toEqual([...roles].sort());
  });

  it('allows an actor with several roles what any of them allows, and nothing to an actor without roles', () => {
    expect(mayPerform(['auditor', 'operator'], 'cases.command')).toBe(true);
    expect(mayPerform(['auditor', 'coordinator'], 'cases.command')).toBe(false);
    expect(mayPerform([], 'cases.read')).toBe(false);
  });
});
