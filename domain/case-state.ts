/**
 * The state of one case as the workflow holds it, and the projection batches that carry it to the
 * read model. Plain JSON (ISO date strings) so it survives payload conversion and continue-as-new.
 */
import type { BusinessCalendar } from './calendar';
import type { CaseData, FieldValue } from './conditions';
import type { ClockKind, LocalizedText, Role } from './pathway-schema';

/** Who acts: resolved by the API from the bearer token; the workflow re-checks what it may do. */
export interface Actor {
  id: string;
  kind: 'user' | 'service' | 'system';
  roles: Role[];
  areas: string[];
  services: string[];
}

/** What events remember of an actor: an opaque id, never a name. */
export interface ActorRef {
  id: string;
  kind: Actor['kind'];
}

export const caseStatuses = ['active', 'suspended', 'closed', 'cancelled'] as const;
export type CaseStatus = (typeof caseStatuses)[number];

/** Whether a case in `status` (a CaseStatus, or the read model's column) has ended, closed or cancelled: it takes no more commands and its workflow returns. */
export function caseHasEnded(status: string): boolean {
  return status === 'closed' || status === 'cancelled';
}

export const taskStatuses = ['open', 'claimed', 'completed', 'cancelled'] as const;
export type TaskStatus = (typeof taskStatuses)[number];

export interface TaskReminder {
  at: string;
  firedAt: string | null;
}

export interface TaskEscalation {
  level: number;
  at: string;
  role: Role;
  service: string;
  reassign: boolean;
  firedAt: string | null;
  /** A warning that fires before the deadline (absent on levels after it, and in states recorded before warnings existed). */
  beforeDeadline?: true;
}

/** A deadline's clock: statutory (from a legal date, with its legal basis; suspension never moves it) or internal (paused while suspended). */
export interface DeadlineClock {
  kind: ClockKind;
  legalBasis: LocalizedText | null;
}

export interface TaskSignature {
  service: string;
  actorId: string;
  at: string;
  /** The signer's idempotency key: a retried signature is recognised, never taken for the next service's. */
  key?: string | null;
}

export const referralStatuses = ['pending', 'accepted', 'rejected', 'completed', 'cancelled'] as const;
export type ReferralStatus = (typeof referralStatuses)[number];

/** A closed-loop referral raised by a referral step: pending → accepted → completed (outcome), or rejected. */
export interface CaseReferral {
  id: string;
  caseId: string;
  stepId: string;
  tokenId: string;
  areaId: string;
  fromService: string;
  toService: string;
  /** The role at the receiving service that answers; an escalation with `reassign` changes it. */
  role: Role;
  status: ReferralStatus;
  createdAt: string;
  /** Acceptance deadline; reminders and escalations count from it while the referral is pending. */
  acceptDueAt: string | null;
  reminders: TaskReminder[];
  escalations: TaskEscalation[];
  escalationLevel: number;
  respondedAt: string | null;
  respondedBy: string | null;
  reasonCode: string | null;
  outcome: string | null;
  outcomeAt: string | null;
  outcomeBy: string | null;
  /** Sequence number of the last event that changed it: the projection's version guard. */
  version: number;
}

export const contactOutcomes = ['reached', 'failed_attempt'] as const;
export const contactChannels = ['phone', 'visit', 'email', 'office', 'other'] as const;

/** Where a joint plan stands: which named services have signed its open sign-off task, and which have not. */
export interface PlanSignOff {
  taskId: string;
  stepId: string;
  required: string[];
  signed: string[];
  missing: string[];
}

export interface CaseTask {
  id: string;
  caseId: string;
  stepId: string;
  tokenId: string;
  areaId: string;
  service: string;
  role: Role;
  assigneeId: string | null;
  status: TaskStatus;
  createdAt: string;
  dueAt: string | null;
  reminders: TaskReminder[];
  escalations: TaskEscalation[];
  /** Highest escalation level fired so far (0 = none). */
  escalationLevel: number;
  signOff: { services: string[]; signed: TaskSignature[] } | null;
  completedAt: string | null;
  completedBy: string | null;
  completionKey: string | null;
  /** Occurrence number for tasks raised by a recurring step (1-based), else null. */
  occurrence: number | null;
  /** For a per-member step (`forEach`): the member's index in the household list (0-based, as in `members.0.birthYear`). */
  member?: number;
  /** The kind of the deadline's clock, when the step declares one (absent: internal, as deadlines always were). */
  deadlineClock?: DeadlineClock;
  /** Sequence number of the last event that changed this task: the projection's version guard. */
  version: number;
}

/** An execution pointer: where one line of the pathway stands (parallel branches each get one). */
export interface Token {
  id: string;
  stepId: string;
  parentId: string | null;
  state: 'task' | 'waiting' | 'joining' | 'recurring' | 'referral';
  /** For waits and recurrences: when the token moves on. */
  wakeAt: string | null;
  /** For parallel steps: branches still running. */
  pendingChildren: number;
  /** For recurring steps: occurrences started so far. */
  occurrences: number;
  /** A step reopened by a supervisor to correct its data: completing it ends this token, the chain does not run again. */
  reopened?: boolean;
  /** For anchored recurrences: the local date (YYYY-MM-DD) occurrences are counted from, fixed when the step is entered. */
  anchorDate?: string;
}

export const caseEventTypes = [
  'case_started',
  'task_created',
  'task_claimed',
  'task_released',
  'task_signed',
  'task_completed',
  'task_reassigned',
  'task_cancelled',
  'deadline_extended',
  'reminder_due',
  'task_escalated',
  'decision_taken',
  'wait_started',
  'branches_started',
  'branches_joined',
  'occurrence_started',
  'recurrence_finished',
  'jumped_back',
  'case_suspended',
  'case_resumed',
  'case_transferred',
  'note_added',
  'case_closed',
  'case_cancelled',
  'contact_recorded',
  'referral_created',
  'referral_accepted',
  'referral_rejected',
  'referral_outcome_recorded',
  'referral_reminder_due',
  'referral_escalated',
  'referral_deadline_extended',
  'referral_cancelled',
  'step_skipped',
  'step_reopened',
  'moved_to_step',
  'case_migrated',
  'transfer_requested',
  'transfer_refused',
  'transfer_withdrawn',
  'clocks_paused',
  'clocks_resumed',
] as const;
export type CaseEventType = (typeof caseEventTypes)[number];

export interface CaseEvent {
  caseId: string;
  seq: number;
  type: CaseEventType;
  at: string;
  actor: ActorRef;
  stepId: string | null;
  taskId: string | null;
  details: Record<string, unknown>;
}

/** A task closed and confirmed in the read model, remembered briefly to answer repeated commands. */
export interface ClosedTaskRecord {
  taskId: string;
  status: 'completed' | 'cancelled';
  completionKey: string | null;
}

/** What a case is: carried alike by the workflow's state and the read model's row. */
export interface CaseHeader {
  caseId: string;
  reference: string;
  pathwayKey: string;
  pathwayVersion: number;
  areaId: string;
  status: CaseStatus;
  outcome: string | null;
  startedAt: string;
  updatedAt: string;
  /** Last time a person moved the case on (task completed, signed, case resumed): "no progress" is measured from here. */
  lastProgressAt: string;
  closedAt: string | null;
  suspendedAt: string | null;
  data: CaseData;
}

export interface CaseState extends CaseHeader {
  tokens: Token[];
  /** Open tasks, plus closed ones still waiting to be projected or kept for idempotent repeats. */
  tasks: CaseTask[];
  /** Last event sequence number; also the case's version in the read model. */
  seq: number;
  /** Counter for deterministic task and token ids. */
  nextId: number;
  gotoCounts: Record<string, number>;
  calendar: BusinessCalendar;
  /** Events not yet confirmed in the read model. */
  pendingEvents: CaseEvent[];
  /** The last closed tasks dropped from `tasks`, so a repeated command still gets the right answer. */
  recentlyClosed: ClosedTaskRecord[];
  projectedSeq: number;
  /** Open referrals, plus closed ones not yet projected. Absent in states recorded before referrals existed. */
  referrals?: CaseReferral[];
  /** Last successful contact with the person (failed attempts do not count). Absent before contacts existed. */
  lastContactAt?: string | null;
  /** When a sign-off task was first completed by every service it names. Absent before it was tracked. */
  planSignedAt?: string | null;
  /** A transfer to another area waiting for its manager's answer. Absent before transfers were requests. */
  pendingTransfer?: PendingTransfer | null;
  /** Failed contact attempts since the last successful contact. Absent before contacts paused clocks. */
  failedContactsInRow?: number;
  /** Since when the internal clocks are paused because the person cannot be reached (failed attempts in a row). */
  contactPausedAt?: string | null;
}

/** A transfer request: the case stays in `fromAreaId` until a manager of `toAreaId` accepts it. */
export interface PendingTransfer {
  transferId: string;
  fromAreaId: string;
  toAreaId: string;
  reason: string;
  requestedBy: string;
  requestedAt: string;
}

/** The case row of the read model: everything a list or detail page needs without the workflow. */
export interface CaseSnapshot extends CaseHeader {
  version: number;
  openStepIds: string[];
  nextDeadline: string | null;
  escalationLevel: number;
  lastContactAt: string | null;
  /** Reporting code from the start data (`case.targetGroup`), for funder indicators. */
  targetGroup: string | null;
  planSignedAt: string | null;
  /** The open joint plan's signatures; null when no sign-off task is open. */
  planSignOff: PlanSignOff | null;
}

/** One idempotent write to the read model: apply in any order, any number of times. */
export interface ProjectionBatch {
  snapshot: CaseSnapshot;
  tasks: CaseTask[];
  events: CaseEvent[];
  /** Referrals changed by the batch (absent in batches made before referrals existed). */
  referrals?: CaseReferral[];
}

export type { CaseData, FieldValue };
