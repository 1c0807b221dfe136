/**
 * Turns a projected case event (with the task, referral and case rows it concerns) into the facts
 * subscriptions are matched on and the message that is sent. It reads the event's coded columns and
 * the read-model rows; `details` (opened by the caller: it is sealed per person) is used only when it
 * holds plain values of the expected type, so the rows are the fallback once the person's key is erased.
 */
import type { EventMessage, StepTitle, SubscribableKind } from './messages';
import type { NotificationFacts } from '../../domain/notification-matching';

const kindOfEvent: Record<string, SubscribableKind> = {
  task_created: 'task_assigned',
  task_reassigned: 'task_assigned',
  reminder_due: 'task_reminder',
  task_escalated: 'task_escalated',
  referral_created: 'referral',
  referral_accepted: 'referral',
  referral_rejected: 'referral',
  referral_outcome_recorded: 'referral',
  referral_reminder_due: 'referral',
  referral_escalated: 'referral',
  transfer_requested: 'case_transfer',
};

/** A referral's answers: the events the referring service hears of (the cursor joins their referral's creator). */
export const referralAnswerEventTypes = ['referral_accepted', 'referral_rejected', 'referral_outcome_recorded'];
const answerEvents: ReadonlySet<string> = new Set(referralAnswerEventTypes);

/** Case event types that may produce notifications. */
export const notifiedEventTypes = Object.keys(kindOfEvent);

/** A case event as the dispatcher reads it, joined with the rows it concerns. */
export interface EventRow {
  caseId: string;
  seq: number;
  type: string;
  at: string;
  stepId: string | null;
  /** The step's title in the case's pathway version (absent when the step is unknown). */
  stepTitle?: StepTitle | null;
  taskId: string | null;
  details: unknown;
  caseReference: string | null;
  caseAreaId: string | null;
  /** A transfer request's receiving area, as the event row keeps it in clear (it outlives an erasure). */
  transferToAreaId?: string | null;
  task: {
    areaId: string;
    service: string;
    role: string;
    assigneeId: string | null;
    dueAt: string | null;
    escalationLevel: number;
    escalations: Array<{ level?: unknown; role?: unknown; service?: unknown }>;
  } | null;
  referral: {
    referralId: string;
    areaId: string;
    toService: string;
    role: string | null;
    acceptDueAt: string | null;
    escalationLevel: number;
    /** The referring service (absent in rows read before answers reached it). */
    fromService?: string;
    /** Who raised the referral: the actor of its creation event (null when a system actor did). */
    creatorId?: string | null;
  } | null;
}

function plain(details: unknown, key: string): unknown {
  return details !== null && typeof details === 'object' && !Array.isArray(details) ? (details as Record<string, unknown>)[key] : undefined;
}
const text = (details: unknown, key: string): string | undefined => {
  const value = plain(details, key);
  return typeof value === 'string' ? value : undefined;
};
const integer = (details: unknown, key: string): number | undefined => {
  const value = plain(details, key);
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
};

/** The facts and message of an event, or null when the event is not notified (or its rows are gone). */
export function notificationOfEvent(row: EventRow, linkBaseUrl: string): { facts: NotificationFacts; message: EventMessage } | null {
  const kind = kindOfEvent[row.type];
  if (!kind) return null;
  const base = linkBaseUrl.replace(/\/+$/, '');
  if (kind === 'case_transfer') {
    // Told to the receiving area (its managers answer); the reason is free text and never leaves.
    const areaId = text(row.details, 'toAreaId') ?? row.transferToAreaId ?? null;
    if (areaId === null) return null;
    return {
      facts: { kind, areaId, service: null, role: null, assigneeId: null },
      message: {
        ...common(row, kind, base, `/cases/${encodeURIComponent(row.caseId)}`),
        areaId,
        referralId: null,
        service: null,
        role: null,
        deadline: null,
        level: null,
        assignedToPerson: false,
      },
    };
  }
  if (kind === 'referral') {
    const { referral } = row;
    if (!referral) return null;
    // An escalation names the role (and service) it reaches; otherwise the role at the receiving service that answers.
    const role = text(row.details, 'role') ?? referral.role;
    const service = (row.type === 'referral_escalated' ? text(row.details, 'service') : undefined) ?? referral.toService;
    const level = integer(row.details, 'level') ?? (row.type === 'referral_created' ? 0 : referral.escalationLevel);
    // An answer is news for the service that sent the referral, and for whoever raised it.
    const answer = answerEvents.has(row.type) && referral.fromService !== undefined;
    const referrer = answer ? { fromService: referral.fromService ?? null, creatorId: referral.creatorId ?? null } : {};
    const facts: NotificationFacts = { kind, areaId: referral.areaId, service, role, assigneeId: null, ...referrer };
    return {
      facts,
      message: {
        ...common(row, kind, base, `/cases/${encodeURIComponent(row.caseId)}`),
        areaId: referral.areaId,
        referralId: referral.referralId,
        service,
        role,
        ...(answer ? { fromService: referral.fromService ?? null } : {}),
        deadline: text(row.details, 'acceptDueAt') ?? referral.acceptDueAt,
        level,
        assignedToPerson: false,
      },
    };
  }
  const { task } = row;
  if (!task || row.taskId === null) return null;
  let service = task.service;
  let role = task.role;
  let level = task.escalationLevel;
  let assigneeId = task.assigneeId;
  if (row.type === 'task_created') {
    service = text(row.details, 'service') ?? service;
    role = text(row.details, 'role') ?? role;
    // A task is raised unassigned and unescalated: the row may already say who claimed it since.
    assigneeId = null;
    level = 0;
  } else if (row.type === 'task_escalated') {
    level = integer(row.details, 'level') ?? level;
    const rung = task.escalations.find((entry) => entry.level === level);
    role = text(row.details, 'role') ?? (typeof rung?.role === 'string' ? rung.role : role);
    service = text(row.details, 'service') ?? (typeof rung?.service === 'string' ? rung.service : service);
  } else if (row.type === 'task_reassigned') {
    const to = plain(row.details, 'to');
    if (to === null || typeof to === 'string') assigneeId = to;
  }
  const facts: NotificationFacts = { kind, areaId: task.areaId, service, role, assigneeId };
  return {
    facts,
    message: {
      ...common(row, kind, base, `/tasks/${encodeURIComponent(row.taskId)}`),
      areaId: task.areaId,
      referralId: null,
      service,
      role,
      deadline: text(row.details, 'dueAt') ?? task.dueAt,
      level,
      assignedToPerson: assigneeId !== null,
    },
  };
}

function common(row: EventRow, kind: SubscribableKind, base: string, path: string) {
  return {
    kind,
    event: row.type,
    occurredAt: row.at,
    caseId: row.caseId,
    caseReference: row.caseReference,
    stepId: row.stepId,
    stepTitle: row.stepTitle ?? null,
    taskId: row.taskId,
    link: `${base}${path}`,
  };
}
