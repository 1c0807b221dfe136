/**
 * Who may do what to which object, written once. Routes, the workflow's update validators, bulk
 * interventions and notification matching all ask this module, so no two layers can disagree (they
 * once did: a task could be reassigned to someone who could then neither complete nor release it).
 * Pure: no I/O, safe in the workflow bundle.
 *
 * Two layers, both data where they are data:
 * - the role × action matrix: what a role may do at all (every protected route names one action);
 * - the object's place: its area (admins: every area) and, for tasks and referrals, its service
 *   and role. Object-level permissions are "the matrix's action, in the object's area" plus, for
 *   working a task or answering a referral, the object's role and service.
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
  // The person registry and documents: people who work cases; coordinators and auditors need no identities.
  'persons.search': ['operator', 'supervisor', 'admin'],
  'persons.read': ['operator', 'supervisor', 'admin'],
  'persons.record': ['operator', 'supervisor', 'admin'],
  'cases.searchByPerson': ['operator', 'supervisor', 'admin'],
  'documents.read': ['operator', 'supervisor', 'admin'],
  'documents.upload': ['operator', 'supervisor', 'admin'],
  // Transfers between areas are requests the receiving area's manager answers.
  'transfers.read': ['supervisor', 'admin'],
  'transfers.answer': ['supervisor', 'admin'],
  // Absence cover: an operator names a colleague for their absence (or their area manager does).
  'absence.manage': ['operator', 'supervisor', 'admin'],
  'codec.use': ['admin'],
  'accounts.manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof actionMatrix;

/**
 * How far each role reads: admins everything; the others the objects of their own areas, and
 * operators only those of their own services (tasks, referrals, notifications about them).
 */
export const readReach = {
  admin: 'everywhere',
  supervisor: 'areas',
  coordinator: 'areas',
  auditor: 'areas',
  operator: 'areas and services',
} as const satisfies Record<Role, 'everywhere' | 'areas' | 'areas and services'>;

/** The matrix action each object-level permission rests on; the object's area (service, role) narrows it. */
export const objectRules = {
  supervise: 'interventions.run',
  startCase: 'cases.start',
  migrate: 'cases.migrate',
  workTask: 'tasks.act',
  respondToReferral: 'referrals.respond',
  answerTransfer: 'transfers.answer',
  manageAbsence: 'absence.manage',
} as const satisfies Record<string, Action>;

/** Whom the rules ask about: the actor of a request or command, or a user read from the directory. */
export interface AccessSubject {
  roles: readonly string[];
  areas: readonly string[];
  services: readonly string[];
}

/** A user who might be given a task: the directory's record (an unknown id is `null`). */
export interface Assignee extends AccessSubject {
  id: string;
  active: boolean;
}

/** What a reader may see: null means "no restriction". */
export interface ReadScope {
  areas: string[] | null;
  services: string[] | null;
}

/** Where an object lives. `service` absent: the object has no service (a case); null: unknown, which only service-blind readers see. */
export interface ObjectPlace {
  areaId: string | null;
  service?: string | null;
}

/** What the rules need of a task: its area, its queue (service and role) and, for a joint plan, the services that sign. */
export interface TaskPlace {
  areaId: string;
  service: string;
  role: string;
  signOff?: { services: readonly string[] } | null;
}

/** What the rules need of a referral: its area and the receiving service's role. */
export interface ReferralPlace {
  areaId: string;
  toService: string;
  role: string;
}

const hasRole = (subject: AccessSubject, role: Role): boolean => subject.roles.includes(role);

function reachOf(role: string): (typeof readReach)[Role] | undefined {
  return Object.prototype.hasOwnProperty.call(readReach, role) ? readReach[role as Role] : undefined;
}

/** Whether any of the roles is allowed the action by the matrix. */
export function mayPerform(roles: readonly string[], action: Action): boolean {
  const allowed: readonly Role[] = actionMatrix[action];
  return allowed.some((role) => roles.includes(role));
}

/** Admins see and may do everything, in every area. */
export function isAdmin(subject: AccessSubject): boolean {
  return hasRole(subject, 'admin');
}

/** Whether an area is the subject's own (admins: every area). Says nothing of what they may do there. */
export function inArea(subject: AccessSubject, areaId: string): boolean {
  return isAdmin(subject) || subject.areas.includes(areaId);
}

/** Whether the matrix allows the subject the action and the area is theirs. */
export function mayInArea(subject: AccessSubject, action: Action, areaId: string): boolean {
  return mayPerform(subject.roles, action) && inArea(subject, areaId);
}

/** The read scope of a subject; one with no role that reads sees nothing. */
export function readScopeOf(subject: AccessSubject): ReadScope {
  const reaches = subject.roles.map(reachOf);
  if (reaches.includes('everywhere')) return { areas: null, services: null };
  if (!reaches.some((reach) => reach !== undefined)) return { areas: [], services: [] };
  return { areas: [...subject.areas], services: reaches.includes('areas') ? null : [...subject.services] };
}

/** Whether an object is inside the subject's read scope; outside it, the object is "not found". */
export function seesObject(subject: AccessSubject, place: ObjectPlace): boolean {
  const scope = readScopeOf(subject);
  if (scope.areas !== null && (place.areaId === null || !scope.areas.includes(place.areaId))) return false;
  if (scope.services === null || place.service === undefined) return true;
  return place.service !== null && scope.services.includes(place.service);
}

/** A referral's place: its area and both services (the one that refers, the one that receives). */
export interface ReferralScopePlace {
  areaId: string | null;
  fromService: string;
  toService: string;
}

/** Whether a referral is inside the subject's read scope: operators see those their services send or receive. */
export function seesReferral(subject: AccessSubject, referral: ReferralScopePlace): boolean {
  return seesObject(subject, { areaId: referral.areaId, service: referral.toService }) || seesObject(subject, { areaId: referral.areaId, service: referral.fromService });
}

/** Whether the subject's scope includes an area. */
export function seesArea(subject: AccessSubject, areaId: string): boolean {
  return seesObject(subject, { areaId });
}

/** Starting a case in an area: `cases.start` in one of the subject's areas. */
export function mayStartCase(subject: AccessSubject, areaId: string): boolean {
  return mayInArea(subject, objectRules.startCase, areaId);
}

/** Supervisors of the area and admins intervene on its cases and tasks (reassign, extend, skip, close…). */
export function maySupervise(subject: AccessSubject, areaId: string): boolean {
  return mayInArea(subject, objectRules.supervise, areaId);
}

/** The tasks a subject may intervene on in bulk: every service of the areas they supervise (admins: all). */
export function supervisionScopeOf(subject: AccessSubject): ReadScope {
  if (isAdmin(subject)) return { areas: null, services: null };
  return { areas: mayPerform(subject.roles, objectRules.supervise) ? [...subject.areas] : [], services: null };
}

/** Coordinators of the case's area and admins move cases between pathway versions. */
export function mayMigrate(subject: AccessSubject, areaId: string): boolean {
  return mayInArea(subject, objectRules.migrate, areaId);
}

/** Whether the subject may work (claim, complete) a task: a supervisor of its area, or its role and service (any signer's, for a joint plan) in its area. */
export function mayWorkTask(subject: AccessSubject, task: TaskPlace): boolean {
  if (maySupervise(subject, task.areaId)) return true;
  if (!mayInArea(subject, objectRules.workTask, task.areaId) || !subject.roles.includes(task.role)) return false;
  const services = task.signOff ? task.signOff.services : [task.service];
  return services.some((service) => subject.services.includes(service));
}

/** Whether the subject may answer a referral: the receiving service's role in the area, or a supervisor of the area. */
export function mayRespondToReferral(subject: AccessSubject, referral: ReferralPlace): boolean {
  if (maySupervise(subject, referral.areaId)) return true;
  return mayInArea(subject, objectRules.respondToReferral, referral.areaId) && subject.roles.includes(referral.role) && subject.services.includes(referral.toService);
}

export const assignmentRefusalCodes = ['unknown_user', 'inactive', 'cannot_work_tasks', 'outside_area', 'other_role', 'other_service', 'same_person'] as const;
export type AssignmentRefusalCode = (typeof assignmentRefusalCodes)[number];

/** Why someone cannot be given a task; `code` is stable, `message` is for people. */
export interface AssignmentRefusal {
  code: AssignmentRefusalCode;
  message: string;
}

/** Why a user can be given no task at all (unknown, inactive, or holding no role that works tasks), or null. */
export function assigneeRefusal(userId: string, user: Assignee | null): AssignmentRefusal | null {
  if (user === null) return { code: 'unknown_user', message: `no user "${userId}"` };
  if (!user.active) return { code: 'inactive', message: `"${userId}" is not an active user` };
  if (!mayPerform(user.roles, objectRules.workTask)) {
    return { code: 'cannot_work_tasks', message: `"${userId}" holds no role that works tasks (${actionMatrix[objectRules.workTask].join(', ')})` };
  }
  return null;
}

/**
 * Why a user cannot be given this task, or null: they must be able to work it once it is theirs, or
 * it would be stranded (they could not complete it, and its rightful workers would find it claimed).
 * For a joint plan that means the service whose turn it is (the task's service), not one that signed.
 */
export function assignmentRefusal(userId: string, user: Assignee | null, task: TaskPlace): AssignmentRefusal | null {
  const refusal = assigneeRefusal(userId, user);
  if (refusal || user === null) return refusal;
  const place: TaskPlace = { areaId: task.areaId, service: task.service, role: task.role, signOff: null };
  if (mayWorkTask(user, place)) return null;
  if (!inArea(user, task.areaId)) return { code: 'outside_area', message: `"${userId}" does not work in area "${task.areaId}"` };
  if (!user.roles.includes(task.role)) return { code: 'other_role', message: `"${userId}" does not hold the task's role "${task.role}"` };
  return { code: 'other_service', message: `"${userId}" does not work for service "${task.service}"` };
}

/** Whether the subject may answer (accept or refuse) a transfer into an area: its managers (admins: any). */
export function mayAnswerTransfer(subject: AccessSubject, toAreaId: string): boolean {
  return mayInArea(subject, objectRules.answerTransfer, toAreaId);
}

/** Someone whose absence is covered: a directory user with an id. */
export interface CoveredUser extends AccessSubject {
  id: string;
}

/** Whether the subject may set or end the absence cover of `absent`: they themselves, or a manager of one of their areas. */
export function mayManageCover(subject: AccessSubject & { id: string }, absent: CoveredUser): boolean {
  if (subject.id === absent.id) return mayPerform(subject.roles, objectRules.manageAbsence);
  return absent.areas.some((areaId) => maySupervise(subject, areaId));
}

/**
 * Why `colleagueId` cannot cover for `absent` (their tasks, or one task they hand on), or null: an
 * active colleague who works tasks, in one of the same areas and services, with one of the same roles.
 */
export function coverRefusal(absent: CoveredUser, colleagueId: string, colleague: Assignee | null): AssignmentRefusal | null {
  const refusal = assigneeRefusal(colleagueId, colleague);
  if (refusal || colleague === null) return refusal;
  if (colleague.id === absent.id) return { code: 'same_person', message: 'a colleague covers, not the absent person' };
  if (!absent.areas.some((areaId) => colleague.areas.includes(areaId))) return { code: 'outside_area', message: `"${colleagueId}" works in none of the same areas` };
  if (!absent.services.some((service) => colleague.services.includes(service))) {
    return { code: 'other_service', message: `"${colleagueId}" works for none of the same services (${absent.services.join(', ')})` };
  }
  // A colleague does the same job: an operator's cover is another operator, not their manager or an admin.
  if (!absent.roles.some((role) => colleague.roles.includes(role))) return { code: 'other_role', message: `"${colleagueId}" holds none of the same roles` };
  return null;
}
