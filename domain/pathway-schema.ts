/**
 * The pathway definition language: what a coordinator writes (JSON or YAML) and what the case
 * workflow interprets. Pure zod schemas, imported by the API (validation at the edge) and by the
 * workflow bundle (types only at run time), so nothing here may do I/O.
 */
import { z } from 'zod';
import { issueMessage, schemaIssue } from './pathway-issue-messages';

/** Step identifiers double as keys of collected data: lower snake case keeps field paths readable. */
export const stepIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, issueMessage('step_id_format'))
  .refine((id) => id !== 'case', issueMessage('step_id_case_reserved'))
  .refine((id) => id !== 'household' && id !== 'member', issueMessage('step_id_household_reserved'));

const fieldKeySchema = z
  .string()
  .regex(/^[a-z][a-zA-Z0-9_]{0,62}$/, issueMessage('field_key_format'));

/** A dotted reference into collected data: `<stepId>.<fieldKey>`, or `case.<fieldKey>` for start data. */
export const fieldPathSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]*\.[a-z][a-zA-Z0-9_]*$/, issueMessage('field_path_format'));

/** Text shown to people, in Italian (required: the working language) and optionally English. */
export const localizedTextSchema = z.strictObject({
  it: z.string().min(1).max(500),
  en: z.string().min(1).max(500).optional(),
});

export const durationUnits = ['minutes', 'hours', 'calendarDays', 'workingDays', 'months'] as const;

export const durationSchema = z.strictObject({
  amount: z.number().int().min(0).max(10_000),
  unit: z.enum(durationUnits),
});

/**
 * Two kinds of deadline clock. `statutory`: set by law from a legal date (e.g. PAD + 120 days, DM
 * Dec 2023 art. 9), shown with its legal basis; suspending the case never moves it. `internal`: a
 * service level the service sets itself, paused while the case is suspended.
 */
export const clockKinds = ['statutory', 'internal'] as const;

/** A deadline counts from the task's creation, or from a date collected earlier (e.g. PAD date + 120 days). */
export const deadlineSchema = durationSchema.extend({
  from: z.strictObject({ field: fieldPathSchema }).optional(),
  /** Without it the deadline behaves as an internal one (moved by suspension), as deadlines always did. */
  clock: z.enum(clockKinds).optional(),
  /** The law that sets a statutory deadline, shown beside the date. */
  legalBasis: localizedTextSchema.optional(),
});

/** App roles; a human task names the role that does it and escalation levels name the role they reach. */
export const roles = ['operator', 'supervisor', 'coordinator', 'admin', 'auditor'] as const;
export const roleSchema = z.enum(roles);

export const serviceKeySchema = z.string().regex(/^[a-z][a-z0-9_-]{0,40}$/, issueMessage('service_key_format'));

export const assigneeSchema = z.strictObject({
  service: serviceKeySchema,
  role: roleSchema.default('operator'),
});

export const conditionOperators = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'contains', 'exists', 'notExists', 'isTrue', 'isFalse'] as const;

const scalarSchema = z.union([z.string().max(500), z.number(), z.boolean()]);

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { anyMember: { step: string; when: Condition } }
  | { field: string; op: (typeof conditionOperators)[number]; value?: string | number | boolean | (string | number | boolean)[] };

/**
 * Decision rules are data, never code: a tree of all/any/not over comparisons of collected fields.
 * `anyMember` holds when the answers of some member of a per-member step satisfy `when`, inside
 * which `member.<key>` reads that member's answers of that step (and `member.index`).
 */
export const conditionSchema: z.ZodType<Condition, Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
    z.strictObject({ anyMember: z.strictObject({ step: stepIdSchema, when: conditionSchema }) }),
    z
      .object({
        field: fieldPathSchema,
        op: z.enum(conditionOperators),
        value: z.union([scalarSchema, z.array(scalarSchema).max(100)]).optional(),
      })
      .strict(),
  ]),
);

/** Special categories (GDPR art. 9/10) a form field may hold; the security issue restricts who reads them. */
export const specialCategories = ['health', 'addiction', 'disability', 'judicial', 'minors'] as const;

/** Types of a field that holds one answer (and of the sub-fields of a repeating group). */
export const scalarFieldTypes = ['text', 'textarea', 'number', 'boolean', 'date', 'select', 'multiselect'] as const;

/** `group`: a repeating group (e.g. the household's members), a list of items each answering the group's sub-fields. */
export const fieldTypes = [...scalarFieldTypes, 'group'] as const;

const fieldShape = {
  key: fieldKeySchema,
  label: localizedTextSchema,
  required: z.boolean().default(false),
  options: z
    .array(z.strictObject({ value: z.string().min(1).max(100), label: localizedTextSchema }))
    .min(1)
    .optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  maxLength: z.number().int().positive().max(20_000).optional(),
  category: z.enum(specialCategories).optional(),
  help: localizedTextSchema.optional(),
  /** The one value the field must hold to be accepted (e.g. the privacy notice given: true). */
  mustEqual: scalarSchema.optional(),
  /**
   * Asked only when this rule over earlier fields of the same form holds (`<stepId>.<key>`, or
   * `case.<key>` among case fields); otherwise it stays empty and its `required` does not apply.
   */
  when: conditionSchema.optional(),
};

/** The rules every field obeys, whatever its type (one accepted value, options only where they apply). */
function checkFieldShape(field: { type: string; required: boolean; options?: Array<{ value: string }>; mustEqual?: string | number | boolean }, ctx: z.RefinementCtx): void {
  if (field.mustEqual !== undefined) {
    const expected = field.type === 'boolean' ? 'boolean' : field.type === 'number' ? 'number' : 'string';
    if (field.type === 'textarea' || field.type === 'multiselect') {
      ctx.addIssue(schemaIssue(['mustEqual'], 'must_equal_unsupported', { type: field.type }));
    } else if (typeof field.mustEqual !== expected) {
      ctx.addIssue(schemaIssue(['mustEqual'], 'must_equal_wrong_type', { type: field.type, expected, value: JSON.stringify(field.mustEqual) }));
    } else if (field.type === 'select' && !(field.options ?? []).some((option) => option.value === field.mustEqual)) {
      ctx.addIssue(schemaIssue(['mustEqual'], 'must_equal_not_option', { value: JSON.stringify(field.mustEqual) }));
    } else if (!field.required) {
      ctx.addIssue(schemaIssue(['required'], 'must_equal_not_required'));
    }
  }
  const needsOptions = field.type === 'select' || field.type === 'multiselect';
  if (needsOptions && !field.options) {
    ctx.addIssue(schemaIssue(['options'], 'options_missing', { type: field.type }));
  }
  if (!needsOptions && field.options) {
    ctx.addIssue(schemaIssue(['options'], 'options_not_applicable'));
  }
}

/** A sub-field of a repeating group: one answer per item (no groups inside groups, no rules across items). */
export const groupItemFieldSchema = z
  .strictObject({ ...fieldShape, type: z.enum(scalarFieldTypes) })
  .omit({ when: true })
  .superRefine(checkFieldShape);

export const formFieldSchema = z
  .object({
    ...fieldShape,
    type: z.enum(fieldTypes),
    /** For a `group`: the sub-fields each item answers (e.g. relation, birthYear, jobActivable). */
    fields: z.array(groupItemFieldSchema).min(1).max(30).optional(),
    /** For a `group`: how many items it takes (default 0 to 30). */
    minItems: z.number().int().min(0).max(30).optional(),
    maxItems: z.number().int().min(1).max(30).optional(),
  })
  .superRefine((field, ctx) => {
    if (field.type !== 'group') {
      checkFieldShape(field, ctx);
      for (const key of ['fields', 'minItems', 'maxItems'] as const) {
        if (field[key] !== undefined) ctx.addIssue(schemaIssue([key], 'group_only_property', { key }));
      }
      return;
    }
    if (!field.fields) ctx.addIssue(schemaIssue(['fields'], 'group_fields_missing'));
    for (const key of ['options', 'mustEqual', 'min', 'max', 'maxLength'] as const) {
      if (field[key] !== undefined) ctx.addIssue(schemaIssue([key], 'group_property_not_applicable', { key }));
    }
    if (field.minItems !== undefined && field.maxItems !== undefined && field.minItems > field.maxItems) {
      ctx.addIssue(schemaIssue(['minItems'], 'min_items_above_max'));
    }
    const seen = new Set<string>();
    (field.fields ?? []).forEach((sub, index) => {
      if (seen.has(sub.key)) ctx.addIssue(schemaIssue(['fields', index, 'key'], 'duplicate_field_key', { key: sub.key }));
      seen.add(sub.key);
    });
  });

export const formSchema = z
  .object({ fields: z.array(formFieldSchema).max(100).default([]) })
  .superRefine((form, ctx) => {
    const seen = new Set<string>();
    form.fields.forEach((field, index) => {
      if (seen.has(field.key)) {
        ctx.addIssue(schemaIssue(['fields', index, 'key'], 'duplicate_field_key', { key: field.key }));
      }
      seen.add(field.key);
    });
  });

export const reminderSchema = z.strictObject({ before: durationSchema });

/**
 * One level of an escalation ladder, timed from the task's deadline: `after` it (the deadline was
 * missed), or `before` it, a warning to someone else while there is still time (e.g. "10 days
 * before the 120-day deadline → the area manager").
 */
export const escalationLevelSchema = z
  .strictObject({
    /** Time past the deadline at which this level fires. */
    after: durationSchema.optional(),
    /** Time before the deadline at which this level fires: a warning while the task can still be done in time. */
    before: durationSchema.optional(),
    role: roleSchema,
    /** Defaults to the task's own service. */
    service: serviceKeySchema.optional(),
    /** When true the task is taken from its assignee and offered to the escalation role. */
    reassign: z.boolean().default(false),
  })
  .superRefine((level, ctx) => {
    if (Boolean(level.after) === Boolean(level.before)) {
      ctx.addIssue(schemaIssue(['after'], 'escalation_after_or_before'));
    }
  });

const stepBase = {
  title: localizedTextSchema,
  description: localizedTextSchema.optional(),
};

export const taskStepSchema = z.strictObject({
  kind: z.literal('task'),
  ...stepBase,
  assignee: assigneeSchema,
  form: formSchema.default({ fields: [] }),
  deadline: deadlineSchema.optional(),
  reminders: z.array(reminderSchema).max(10).default([]),
  escalation: z.array(escalationLevelSchema).max(10).default([]),
  /** A joint plan: every named service must sign before the task completes. */
  signOff: z
    .strictObject({
      services: z.array(serviceKeySchema).min(1).max(10),
      /** Services that sign too only when a rule over data collected so far holds (e.g. the CPI only when someone is job-activable). */
      alsoWhen: z.array(z.strictObject({ service: serviceKeySchema, when: conditionSchema })).max(10).optional(),
      /** Each service signs through a different person who holds it: no one signs for two services, nor for a service not theirs. */
      distinctSigners: z.boolean().optional(),
    })
    .superRefine((signOff, ctx) => {
      if (signOff.services.length + (signOff.alsoWhen?.length ?? 0) < 2) {
        ctx.addIssue(schemaIssue(['services'], 'signoff_too_few_services'));
      }
    })
    .optional(),
  /**
   * Runs the task once for each household member the rule holds for (`member.<key>` reads the
   * member's answers, `member.age` and `member.minor` are derived): one task per member, carrying
   * the member's index; the step moves on when all of them are done, at once when none matches.
   */
  forEach: z.strictObject({ members: conditionSchema }).optional(),
  /** Absent at the end of a parallel branch or a recurring body. */
  next: stepIdSchema.optional(),
});

export const parallelStepSchema = z.strictObject({
  kind: z.literal('parallel'),
  ...stepBase,
  /** First step of each branch; a branch ends at a step with no `next`. All branches join before `next`. */
  branches: z.array(stepIdSchema).min(2).max(10),
  next: stepIdSchema.optional(),
});

export const decisionStepSchema = z.strictObject({
  kind: z.literal('decision'),
  ...stepBase,
  rules: z
    .array(z.strictObject({ when: conditionSchema, next: stepIdSchema, label: localizedTextSchema.optional() }))
    .min(1)
    .max(50),
  otherwise: stepIdSchema,
});

export const waitStepSchema = z
  .object({
    kind: z.literal('wait'),
    ...stepBase,
    for: durationSchema.optional(),
    until: z.strictObject({ field: fieldPathSchema, offset: durationSchema.optional() }).optional(),
    next: stepIdSchema.optional(),
  })
  .superRefine((step, ctx) => {
    if (Boolean(step.for) === Boolean(step.until)) {
      ctx.addIssue(schemaIssue(['for'], 'wait_for_or_until'));
    }
  });

export const recurringStepSchema = z
  .object({
    kind: z.literal('recurring'),
    ...stepBase,
    every: durationSchema,
    /** First step of the chain run at each occurrence. */
    body: stepIdSchema,
    times: z.number().int().min(1).max(1000).optional(),
    until: conditionSchema.optional(),
    /**
     * Count occurrences from a date collected earlier (e.g. the PaIS signature) instead of from the
     * end of the previous one: the k-th falls due `every` × k after the anchor, however late the
     * ones before it were. Rules and deadlines read `<stepId>.dueDate` and `<stepId>.occurrence`.
     */
    anchor: z.strictObject({ field: fieldPathSchema }).optional(),
    /** With an anchor: how long before its due date each occurrence opens (default: when the previous one falls due). */
    opensBefore: durationSchema.optional(),
    next: stepIdSchema.optional(),
  })
  .superRefine((step, ctx) => {
    if (step.opensBefore && !step.anchor) {
      ctx.addIssue(schemaIssue(['opensBefore'], 'opens_before_without_anchor'));
    }
    if (!step.times && !step.until) {
      ctx.addIssue(schemaIssue(['times'], 'recurring_times_or_until'));
    }
    if (step.every.amount === 0) {
      ctx.addIssue(schemaIssue(['every', 'amount'], 'recurring_every_positive'));
    }
  });

export const gotoStepSchema = z.strictObject({
  kind: z.literal('goto'),
  ...stepBase,
  target: stepIdSchema,
  /** Jumps allowed before the case goes on to `otherwise` (a re-assessment loop that cannot spin forever). */
  maxTimes: z.number().int().min(1).max(100).default(3),
  otherwise: stepIdSchema.optional(),
});

export const endStepSchema = z.strictObject({
  kind: z.literal('end'),
  ...stepBase,
  outcome: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, issueMessage('outcome_format')),
});

const codeSchema = z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, issueMessage('code_format'));
const codedOptionsSchema = z
  .array(z.strictObject({ code: codeSchema, label: localizedTextSchema }))
  .min(1)
  .max(50)
  .superRefine((options, ctx) => {
    const seen = new Set<string>();
    options.forEach((option, index) => {
      if (seen.has(option.code)) ctx.addIssue(schemaIssue([index, 'code'], 'duplicate_code', { code: option.code }));
      seen.add(option.code);
    });
  });

/**
 * A closed-loop referral to another service: the receiving service accepts it (within the
 * acceptance deadline, with reminders and an escalation ladder like a task) or rejects it with a
 * reason code, and later reports an outcome. Rules read `<stepId>.status`, `<stepId>.reason` and
 * `<stepId>.outcome`. The case moves on once the outcome is in, or at rejection.
 */
export const referralStepSchema = z.strictObject({
  kind: z.literal('referral'),
  ...stepBase,
  /** The referring service (whose case manager keeps the loop open). */
  from: serviceKeySchema,
  /** The receiving service, and the role there that answers (default operator). */
  to: assigneeSchema,
  /** Acceptance deadline, in the same forms as a task deadline. */
  deadline: deadlineSchema.optional(),
  reminders: z.array(reminderSchema).max(10).default([]),
  escalation: z.array(escalationLevelSchema).max(10).default([]),
  /** Reason codes the receiving service may reject with. */
  rejectionReasons: codedOptionsSchema,
  /** Outcome codes the receiving service reports once it has worked the referral. */
  outcomes: codedOptionsSchema,
  /** Where a rejected referral goes; without it the case continues at `next` with status "rejected". */
  onRejected: stepIdSchema.optional(),
  next: stepIdSchema.optional(),
});

export const stepSchema = z.discriminatedUnion('kind', [
  taskStepSchema,
  parallelStepSchema,
  decisionStepSchema,
  waitStepSchema,
  recurringStepSchema,
  gotoStepSchema,
  endStepSchema,
  referralStepSchema,
]);

export const pathwayKeySchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,62}$/, issueMessage('pathway_key_format'));

/** The document a coordinator edits. Publishing pins it as an immutable numbered version. */
export const pathwayDefinitionSchema = z
  .object({
    key: pathwayKeySchema,
    title: localizedTextSchema,
    description: localizedTextSchema.optional(),
    /** Data asked for when a case starts (never personal identity: that is collected at intake). */
    caseFields: z.array(formFieldSchema).max(30).default([]),
    start: stepIdSchema,
    steps: z.record(stepIdSchema, stepSchema),
    /**
     * The case is about a household (nucleo): the group field (`case.<key>` or `<stepId>.<key>`)
     * that lists its members. Rules then read `household.<fact>` and per-member steps run.
     */
    household: z.strictObject({ members: fieldPathSchema }).optional(),
    /** Outcome codes allowed when a supervisor closes a case by hand. */
    outcomes: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,40}$/)).max(50).default([]),
  })
  .strict();

export type PathwayDefinition = z.infer<typeof pathwayDefinitionSchema>;
export type PathwayDefinitionInput = z.input<typeof pathwayDefinitionSchema>;
export type Step = z.infer<typeof stepSchema>;
export type TaskStep = z.infer<typeof taskStepSchema>;
export type ParallelStep = z.infer<typeof parallelStepSchema>;
export type DecisionStep = z.infer<typeof decisionStepSchema>;
export type WaitStep = z.infer<typeof waitStepSchema>;
export type RecurringStep = z.infer<typeof recurringStepSchema>;
export type GotoStep = z.infer<typeof gotoStepSchema>;
export type EndStep = z.infer<typeof endStepSchema>;
export type ReferralStep = z.infer<typeof referralStepSchema>;
export type FormField = z.infer<typeof formFieldSchema>;
export type GroupItemField = z.infer<typeof groupItemFieldSchema>;
export type Duration = z.infer<typeof durationSchema>;
export type EscalationLevel = z.infer<typeof escalationLevelSchema>;
export type Deadline = z.infer<typeof deadlineSchema>;
export type ClockKind = (typeof clockKinds)[number];
export type Role = z.infer<typeof roleSchema>;
export type LocalizedText = z.infer<typeof localizedTextSchema>;
