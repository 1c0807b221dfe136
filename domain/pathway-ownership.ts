/**
 * Who may change a pathway. Each pathway key has an owner: an area (its coordinators change it) or
 * the region (a shared pathway every area uses, such as the reference pathway: only admins change
 * it, so no single area can edit or retire what the others run). Pure: no I/O.
 */
import { isAdmin, mayInArea, type AccessSubject } from './access';

/** The owner of a pathway: an area id, or null for a regional (shared) pathway. */
export interface PathwayOwner {
  areaId: string | null;
}

/** The owner of a regional pathway, shared by every area. */
export const regionalOwner: PathwayOwner = { areaId: null };

/** Whether the subject may edit, publish, retire or migrate the pathway: admins always; coordinators of the owning area. */
export function mayChangePathway(subject: AccessSubject, owner: PathwayOwner): boolean {
  if (isAdmin(subject)) return true;
  return owner.areaId !== null && mayInArea(subject, 'pathways.edit', owner.areaId);
}

/**
 * The owner a new pathway gets: the area asked for (null asks for the region), else the creator's
 * only area; or why it cannot have it. Admins' pathways default to the region.
 */
export function ownerForNewPathway(subject: AccessSubject, requested: string | null | undefined): { owner: PathwayOwner } | { refused: 'forbidden' | 'ambiguous'; message: string } {
  if (requested === undefined) {
    if (isAdmin(subject)) return { owner: regionalOwner };
    if (subject.areas.length === 1) return { owner: { areaId: subject.areas[0] } };
    return { refused: 'ambiguous', message: `you coordinate ${subject.areas.length} areas: say which one owns the pathway (ownerArea)` };
  }
  const owner: PathwayOwner = { areaId: requested };
  if (mayChangePathway(subject, owner)) return { owner };
  return {
    refused: 'forbidden',
    message: requested === null ? 'only admins create regional (shared) pathways' : `you may create pathways only for your own areas, not "${requested}"`,
  };
}
