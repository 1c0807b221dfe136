/**
 * Commands people send to a running case. The API parses request bodies with these schemas; the
 * workflow receives them already parsed, inside a `CaseCommandEnvelope` that names the actor.
 */
import { z } from 'zod';
import { holidayRuleSchema } from './calendar';
import { calendarYearRange } from './calendar-date';
import { durationSchema, roleSchema, specialCategories, stepIdSchema, type PathwayDefinition } from './pathway-schema';
import { contactChannels, contactOutcomes, type Actor } from './case-state';

const reasonSchema = z.string().trim().min(3, 'give a reason of at least 3 characters').max(1000);
const idSchema = z.string().min(1).max(200);

// About a year, per unit: one extension never grants more (a longer delay is a new plan, and
// counting thousands of working days would hold the API and the workflow for seconds).
const maxExtension = { minutes: 10_000, hours: 8_784, calendarDays: 366, workingDays: 260, months: 12 } as const;
const extensionSchema = durationSchema.refine((d) => d.amount <= maxExtension[d.unit], {
  message: `an extension is at most ${Object.entries(maxExtension).map(([unit, max]) => `${max} ${unit}`).join(', ')}`,
  path: ['amount'],
});

export const claimTaskSchema = z.object({ kind: z.literal('claimTask'), taskId: idSchema });
export const releaseTaskSchema = z.object({ kind: z.literal('releaseTask'), taskId: idSchema });
export const completeTaskSchema = z.object({
  kind: z.literal('completeTask'),
  taskId: idSchema,
  data: z.record(z.string(), z.unknown()).default({}),
  /** Same key twice = the same completion (no change); another key on a completed task = conflict. */
  idempotencyKey: z.string().min(1).max(200).optional(),
});
export const reassignTaskSchema = z.object({
  kind: z.literal('reassignTask'),
  taskId: idSchema,
  /** null puts the task back in the service's shared queue. */
  assigneeId: idSchema.nullable(),
  reason: reasonSchema,
});
export const extendDeadlineSchema = z
  .object({
    kind: z.literal('extendDeadline'),
    taskId: idSchema,
    newDueAt: z.iso
      .datetime({ offset: true })
      .refine((value) => {
        const year = new Date(value).getUTCFullYear();
        return year >= calendarYearRange.min && year <= calendarYearRange.max;
      }, `a date between ${calendarYearRange.min} and ${calendarYearRange.max}`)
      .optional(),
    by: extensionSchema.optional(),
    reason: reasonSchema,
  })
  .refine((cmd) => Boolean(cmd.newDueAt) !== Boolean(cmd.by), {
    message: 'give exactly one of "newDueAt" or "by"',
    path: ['newDueAt'],
  });
export const suspendCaseSchema = z.object({ kind: z.literal('suspendCase'), reason: reasonSchema });
export const resumeCaseSchema = z.object({ kind: z.literal('resumeCase'), reason: reasonSchema.optional() });
export const cancelCaseSchema = z.object({ kind: z.literal('cancelCase'), reason: reasonSchema });
export const closeCaseSchema = z.object({
  kind: z.literal('closeCase'),
  outcome: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/),
  reason: reasonSchema.optional(),
});
export const transferCaseSchema = z.object({
  kind: z.literal('transferCase'),
  areaId: idSchema,
  reason: reasonSchema,
  /** The receiving area's local holidays, resolved by the API from the area registry. */
  localHolidays: z.array(holidayRuleSchema).default([]),
});
/** Asks the receiving area's manager to take the case; until they accept, it stays where it is. */
export const requestTransferSchema = z.object({ kind: z.literal('requestTransfer'), areaId: idSchema, reason: reasonSchema });
/** The receiving area's manager takes the case: it moves as a transfer always did. */
export const acceptTransferSchema = z.object({
  kind: z.literal('acceptTransfer'),
  transferId: idSchema,
  /** The receiving area's local holidays, resolved by the API from the area registry. */
  localHolidays: z.array(holidayRuleSchema).default([]),
});
/** The receiving area's manager declines the case, with a reason the sender reads. */
export const refuseTransferSchema = z.object({ kind: z.literal('refuseTransfer'), transferId: idSchema, reason: reasonSchema });
/** The sending area takes its request back before it is answered. */
export const withdrawTransferSchema = z.object({ kind: z.literal('withdrawTransfer'), transferId: idSchema, reason: reasonSchema.optional() });
/** A task handed by its holder (or a supervisor, or the absence-cover sweep) to a colleague who can work it. */
export const handTaskSchema = z.object({ kind: z.literal('handTask'), taskId: idSchema, assigneeId: idSchema, reason: reasonSchema });
export const addNoteSchema = z.object({
  kind: z.literal('addNote'),
  text: z.string().trim().min(1).max(5000),
  // A note about health, addiction, … reaches only the readers of that category (domain/field-access.ts).
  category: z.enum(specialCategories).optional().describe('Special category of the note, if any: only readers allowed that category see its text.'),
});

const boundedDateTime = z.iso.datetime({ offset: true }).refine((value) => {
  const year = new Date(value).getUTCFullYear();
  return year >= calendarYearRange.min && year <= calendarYearRange.max;
}, `a date between ${calendarYearRange.min} and ${calendarYearRange.max}`);
const codeSchema = z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'a lower snake case code');
const optionalNoteSchema = z.string().trim().min(1).max(2000).optional();

/** A contact with the person, or a failed attempt; the API refuses a time in the future. */
export const recordContactSchema = z.object({
  kind: z.literal('recordContact'),
  outcome: z.enum(contactOutcomes),
  channel: z.enum(contactChannels),
  at: boundedDateTime,
  note: optionalNoteSchema,
  /**
   * Failed attempts in a row after which the internal clocks pause (the `contact_failures` stall
   * rule, resolved by the API; null: the rule is off). Absent in commands recorded before it existed.
   */
  pauseAfterFailedAttempts: z.number().int().min(1).max(100).nullable().optional(),
});
export const acceptReferralSchema = z.object({
  kind: z.literal('acceptReferral'),
  referralId: idSchema,
  note: optionalNoteSchema,
  /** When the receiving service first sees the person; on the timeline for the referring service. Absent in commands recorded before it existed. */
  firstAppointmentAt: boundedDateTime.optional(),
});
export const rejectReferralSchema = z.object({ kind: z.literal('rejectReferral'), referralId: idSchema, reasonCode: codeSchema, note: optionalNoteSchema });
export const recordReferralOutcomeSchema = z.object({
  kind: z.literal('recordReferralOutcome'),
  referralId: idSchema,
  outcome: codeSchema,
  note: optionalNoteSchema,
});
export const extendReferralDeadlineSchema = z
  .object({
    kind: z.literal('extendReferralDeadline'),
    referralId: idSchema,
    newDueAt: boundedDateTime.optional(),
    by: extensionSchema.optional(),
    reason: reasonSchema,
  })
  .refine((cmd) => Boolean(cmd.newDueAt) !== Boolean(cmd.by), {
    message: 'give exactly one of "newDueAt" or "by"',
    path: ['newDueAt'],
  });

// Supervisor interventions on one case (issue 3): each with a reason, recorded on the timeline.
/** Closes the open step (its task cancelled as skipped) and moves on as if completed with no data, or to `next`. */
export const skipStepSchema = z.object({ kind: z.literal('skipStep'), stepId: stepIdSchema, next: stepIdSchema.optional(), reason: reasonSchema });
/** Raises the task of a completed step again, with a fresh deadline, to correct its data. */
export const reopenStepSchema = z.object({ kind: z.literal('reopenStep'), stepId: stepIdSchema, reason: reasonSchema });
/** Withdraws every open task and line of the case and continues from the step. */
export const moveToStepSchema = z.object({ kind: z.literal('moveToStep'), stepId: stepIdSchema, reason: reasonSchema });
/**
 * Moves a running case to a newer published version of its pathway. Built by the API (never parsed
 * from a body): it carries the new definition, so the workflow interprets it from then on.
 */
export const migrateCaseSchema = z.object({
  kind: z.literal('migrateCase'),
  fromVersion: z.number().int().positive(),
  toVersion: z.number().int().positive(),
  definition: z.custom<PathwayDefinition>((value) => typeof value === 'object' && value !== null),
  /** Old step id → new step id; steps not named keep their id. */
  stepMapping: z.record(stepIdSchema, stepIdSchema).default({}),
  reason: reasonSchema,
});

export const caseCommandSchema = z.discriminatedUnion('kind', [
  claimTaskSchema,
  releaseTaskSchema,
  completeTaskSchema,
  reassignTaskSchema,
  extendDeadlineSchema,
  suspendCaseSchema,
  resumeCaseSchema,
  cancelCaseSchema,
  closeCaseSchema,
  transferCaseSchema,
  requestTransferSchema,
  acceptTransferSchema,
  refuseTransferSchema,
  withdrawTransferSchema,
  handTaskSchema,
  addNoteSchema,
  recordContactSchema,
  acceptReferralSchema,
  rejectReferralSchema,
  recordReferralOutcomeSchema,
  extendReferralDeadlineSchema,
  skipStepSchema,
  reopenStepSchema,
  moveToStepSchema,
  migrateCaseSchema,
]);

export type CaseCommand = z.infer<typeof caseCommandSchema>;
export type CaseCommandKind = CaseCommand['kind'];
export type TaskCommand = Extract<CaseCommand, { taskId: string }>;
export type ReferralCommand = Extract<CaseCommand, { referralId: string }>;

export interface CaseCommandEnvelope<C extends CaseCommand = CaseCommand> {
  actor: Actor;
  command: C;
}

export const actorSchema = z.object({
  id: idSchema,
  kind: z.enum(['user', 'service', 'system']),
  roles: z.array(roleSchema),
  areas: z.array(z.string()),
  services: z.array(z.string()),
});

/**
 * Why a command was refused; mirrors the API's problem types so an update failure maps to an HTTP
 * status without guessing.
 */
export const commandRejections = {
  notFound: 'not_found',
  forbidden: 'forbidden',
  conflict: 'conflict',
  invalidData: 'invalid_data',
  caseNotActive: 'case_not_active',
} as const;
export type CommandRejectionType = (typeof commandRejections)[keyof typeof commandRejections];

export interface CommandRejection {
  type: CommandRejectionType;
  message: string;
  issues?: Array<{ path: (string | number)[]; message: string }>;
}
