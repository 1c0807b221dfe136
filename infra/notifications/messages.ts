/**
 * What a notification says (webhooks send it as JSON; emails render it in email-rendering.ts). Messages carry pseudonymous references
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
  /** The service that sent the referral, on its answers (accepted, rejected, outcome); absent otherwise. */
  fromService?: string | null;
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
  /** The open steps with their titles from the case's pathway version (absent in digests queued before titles were added). */
  openSteps?: Array<{ stepId: string; title: StepTitle | null }>;
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

/** The JSON body a webhook receives (signed as is). */
export function webhookBody(deliveryId: string, message: NotificationMessage): string {
  return JSON.stringify({ id: deliveryId, type: message.kind, data: message });
}
