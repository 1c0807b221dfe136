/**
 * The role × action matrix, written once as data. Every protected route names one action in its
 * route config (`config: { action: 'cases.read' }`); the API refuses a request whose actor has none
 * of the roles listed for it. Object-level checks (areas, services) come on top of this.
 */
import type { Role } from './pathway-schema';

export const actionMatrix = {
  'me.read': ['operator', 'supervisor', 'coordinator', 'admin', 'auditor'],
  'directory.read': ['operator', 'supervisor', 'coordinator', 'admin'],
  'pathways.read': ['operator', 'supervisor', 'coordinator', 'admin', 'auditor'],
  'pathways.edit': ['coordinator', 'admin'],
  'cases.read': ['operator', 'supervisor', 'coordinator', 'admin', 'auditor'],
  'cases.start': ['operator', 'supervisor', 'coordinator', 'admin'],
  'cases.command': ['operator', 'supervisor', 'admin'],
  'cases.contact': ['operator', 'supervisor', 'admin'],
  'cases.migrate': ['coordinator', 'admin'],
  'tasks.read': ['operator', 'supervisor', 'coordinator', 'admin', 'auditor'],
  'tasks.act': ['operator', 'supervisor', 'admin'],
  'referrals.read': ['operator', 'supervisor', 'coordinator', 'admin', 'auditor'],
  'referrals.respond': ['operator', 'supervisor', 'admin'],
  'supervision.read': ['supervisor', 'coordinator', 'admin'],
  'supervision.rules': ['coordinator', 'admin'],
  'interventions.run': ['supervisor', 'admin'],
  'interventions.read': ['supervisor', 'coordinator', 'admin'],
  'reports.export': ['supervisor', 'coordinator', 'admin'],
  'notifications.admin': ['admin'],
  'audit.read': ['auditor', 'admin'],
  'persons.erase': ['admin'],
  'codec.use': ['admin'],
  'accounts.manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof actionMatrix;

/** Whether any of the actor's roles is allowed the action. */
export function mayPerform(roles: readonly Role[], action: Action): boolean {
  const allowed: readonly Role[] = actionMatrix[action];
  return roles.some((role) => allowed.includes(role));
}
