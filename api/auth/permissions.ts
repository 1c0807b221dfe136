/**
 * Who may see and do what, from the actor's roles, areas and services. Reads are filtered by scope
 * (objects outside it are "not found"); writes additionally need a role.
 *
 * - operator: cases of their areas; tasks of their areas and services
 * - supervisor: cases and tasks of their areas, every service
 * - coordinator: pathways; reads cases and tasks of their areas
 * - auditor: reads cases and tasks of their areas
 * - admin: everything
 */
import type { Actor } from '../../domain/case-state';
import type { Role } from '../../domain/pathway-schema';
import type { ReadScope } from '../../infra/db/sql-conditions';

const hasAny = (actor: Actor, roles: Role[]): boolean => roles.some((role) => actor.roles.includes(role));

/** Admins see and may do everything, in every area. */
export function isAdmin(actor: Actor): boolean {
  return actor.roles.includes('admin');
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

/** Creating and publishing pathway definitions. */
export function mayEditPathways(actor: Actor): boolean {
  return hasAny(actor, ['coordinator', 'admin']);
}

/** Starting a case in an area. */
export function mayStartCase(actor: Actor, areaId: string): boolean {
  return isAdmin(actor) || (hasAny(actor, ['operator', 'supervisor', 'coordinator']) && actor.areas.includes(areaId));
}

/** Sending commands to cases and tasks (the workflow then checks the specific command). */
export function mayActOnCases(actor: Actor): boolean {
  return hasAny(actor, ['operator', 'supervisor', 'admin']);
}

/** Reading the stalled-cases report. */
export function maySupervise(actor: Actor): boolean {
  return hasAny(actor, ['supervisor', 'admin']);
}
