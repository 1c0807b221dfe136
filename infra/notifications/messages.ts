/**
 * What a notification says, and how each channel renders it. Messages carry pseudonymous references
 * and codes only — the case reference, step, task and referral ids, service, role, deadline, level
 * and a link — never form values, names or anything else about the person.
 */

import { subscribableKinds, type SubscribableKind } from '../../domain/notification-matching';

export { subscribableKinds, type SubscribableKind };

/** A step title as pathway definitions write it: Italian always, English optional. */
export interface StepTitle {
  it: string;
  en?: string;
}

/** Every kind a delivery can have: the subscribable ones plus the supervisors' daily digest. */
export const notificationKinds = [...subscribableKinds, 'supervisor_digest'] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** One case event worth telling someone about. */
export interface EventMessage {
  kind: SubscribableKind;
  /** The case event type, e.g. task_created, task_reassigned, referral_rejected. */
  event: string;
  occurredAt: string;
  caseId: string;
  caseReference: string | null;
  areaId: string | null;
  stepId: string | null;
  /** The step's title from the pathway definition (Italian, and English where the definition has it). */
  stepTitle?: StepTitle | null;
  taskId: string | null;
  referralId: string | null;
  /** The service (and role) whose queue the task or referral now sits in. */
  service: string | null;
  role: string | null;
  /** The task's deadline, or the referral's acceptance deadline. */
  deadline: string | null;
  /** Escalation level reached (0 = none). */
  level: number | null;
  /** Whether a specific person now holds the task (who is never said). */
  assignedToPerson: boolean;
  link: string;
}

/** One stalled case in a digest, with the rules it breaks. */
export interface DigestCase {
  caseId: string;
  caseReference: string;
  areaId: string;
  openStepIds: string[];
  /** Each broken stalled-case rule: its code, since when, and its measure (level, days, task or referral ids). */
  reasons: Array<{ type: string; since: string; level?: number; workingDays?: number; days?: number; taskIds?: string[]; referralIds?: string[] }>;
  link: string;
}

/** The daily list of a supervisor's stalled cases. */
export interface DigestMessage {
  kind: 'supervisor_digest';
  generatedAt: string;
  areas: string[];
  cases: DigestCase[];
  /** More stalled cases exist than the digest lists. */
  more: boolean;
  link: string;
}

export type NotificationMessage = EventMessage | DigestMessage;

const kindTitles: Record<NotificationKind, string> = {
  task_assigned: 'Task assigned',
  task_reminder: 'Task reminder',
  task_escalated: 'Task escalated',
  referral: 'Referral update',
  supervisor_digest: 'Stalled cases',
};

/** The JSON body a webhook receives (signed as is). */
export function webhookBody(deliveryId: string, message: NotificationMessage): string {
  return JSON.stringify({ id: deliveryId, type: message.kind, data: message });
}

/** The subject line of an email. */
export function emailSubject(message: NotificationMessage): string {
  if (message.kind === 'supervisor_digest') {
    return `[Reticulate] ${kindTitles.supervisor_digest}: ${message.cases.length} in ${message.areas.join(', ')}`;
  }
  // ASCII only: the subject stays readable in every mail client and filter without MIME encoding.
  const where = [message.caseReference ?? message.caseId, message.stepId].filter(Boolean).join(' / ');
  const level = message.kind === 'task_escalated' && message.level ? ` (level ${message.level})` : '';
  return `[Reticulate] ${kindTitles[message.kind]}${level}: ${where}`;
}

/** The plain-text body of an email. */
export function emailText(message: NotificationMessage): string {
  if (message.kind === 'supervisor_digest') {
    const lines = [`Stalled cases in ${message.areas.join(', ')} on ${message.generatedAt}:`, ''];
    for (const item of message.cases) {
      const reasons = item.reasons.map((reason) => `${reason.type} since ${reason.since}${reason.level ? ` (level ${reason.level})` : ''}`).join('; ');
      lines.push(`- ${item.caseReference} [${item.areaId}] steps ${item.openStepIds.join(', ') || '-'}: ${reasons}`, `  ${item.link}`);
    }
    if (message.more) lines.push('', 'More stalled cases are waiting than this digest lists.');
    lines.push('', `All stalled cases: ${message.link}`);
    return lines.join('\n');
  }
  const rows: Array<[string, string | number | null]> = [
    ['Event', message.event],
    ['Case', message.caseReference ?? message.caseId],
    ['Area', message.areaId],
    ['Step', message.stepId],
    ['Task', message.taskId],
    ['Referral', message.referralId],
    ['Service', message.service],
    ['Role', message.role],
    ['Deadline', message.deadline],
    ['Escalation level', message.level],
    ['Held by a person', message.kind === 'referral' ? null : message.assignedToPerson ? 'yes' : 'no (shared queue)'],
    ['Open', message.link],
  ];
  return rows.filter(([, value]) => value !== null && value !== '').map(([label, value]) => `${label}: ${value}`).join('\n');
}
