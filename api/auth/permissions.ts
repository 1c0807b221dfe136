/**
 * Who may see what, from the actor's roles, areas and services. What a role may DO is the matrix
 * of domain/authorization.ts, enforced for every route by api/plugins/authorization.ts from the
 * route's `config.action`; this file holds the object-level scope on top of it. Reads are filtered
 * by scope and an object outside it is "not found" (404), never its content.
 *
 * - operator: cases of their areas; tasks of their areas and services
 * - supervisor, coordinator, auditor: cases and tasks of their areas, every service
 * - admin: everything
 *
 * Special-category form fields are further restricted per field (domain/field-access.ts).
 */
import { mayPerform, type Action } from '../../domain/authorization';
import type { Actor } from '../../domain/case-state';
import type { Role } from '../../domain/pathway-schema';
import type { ReadScope } from '../../infra/db/sql-conditions';

const hasAny = (actor: Actor, roles: Role[]): boolean => roles.some((role) => actor.roles.includes(role));

/** Admins see and may do everything, in every area. */
export function isAdmin(actor: Actor): boolean {
  return actor.roles.includes('admin');
}

/** Whether the matrix allows the actor the action (routes get this from `config.action`; use it for finer choices inside a route). */
export function may(actor: Actor, action: Action): boolean {
  return mayPerform(actor.roles, action);
}

/** The read scope of an actor; an actor with no area role sees nothing. */
export function readScopeOf(actor: Actor): ReadScope {
  if (isAdmin(actor)) return { areas: null, services: null };
  if (!hasAny(actor, ['operator', 'supervisor', 'coordinator', 'auditor'])) return { areas: [], services: [] };
  const seesEveryService = hasAny(actor, ['supervisor', 'coordinator', 'auditor']);
  return { areas: actor.areas, services: seesEveryService ? null : actor.services };
}

/** Whether the actor's scope includes an area. */
export function seesArea(actor: Actor, areaId: string): boolean {
  const { areas } = readScopeOf(actor);
  return areas === null || areas.includes(areaId);
}

/** Starting a case in an area: the area must be the actor's (the role comes from the matrix, `cases.start`). */
export function mayStartCase(actor: Actor, areaId: string): boolean {
  return isAdmin(actor) || (may(actor, 'cases.start') && actor.areas.includes(areaId));
}
