/**
 * The messages of pathway authoring issues, one stable code each. An issue carries the code and the
 * values it names (`params`); its `message` is the English text made here from them, for API users.
 * The console writes the same issue in Italian or English from the code (its locale files hold one
 * text per code, checked against this list by tests/unit/pathway-issue-codes.test.ts), so a code is
 * never renamed, and a new kind of message gets a new code.
 *
 * Templates use the console's placeholders (`{{name}}`). An entry with `one`/`other` forms is
 * chosen by `params.count`, as the console's plurals are.
 */

/** The values an issue's message names: step ids, field paths, services, roles, counts. */
export type IssueParams = Record<string, string | number>;

type Template = string | { one: string; other: string };

const templates = {
  // Steps and links.
  case_step_reserved: '"case" names the case start data in field paths, so it cannot be a step id',
  no_end_step: 'the pathway has no end step, so no case can close through it',
  step_unreachable: 'step "{{step}}" cannot be reached from the start step',
  step_unreachable_region: {
    one: 'step "{{step}}" cannot be reached from the start step (nor the {{count}} step after it)',
    other: 'step "{{step}}" cannot be reached from the start step (nor the {{count}} steps after it)',
  },
  step_missing: 'step "{{step}}" does not exist',
  step_missing_near: 'step "{{step}}" does not exist; did you mean "{{meant}}"?',
  step_on_chains: 'step "{{step}}" belongs to more than one chain: {{chains}}; each branch or body must own its steps',
  step_on_main_line_and_chains: 'step "{{step}}" belongs to more than one chain: the main line, {{chains}}; each branch or body must own its steps',
  step_without_next: 'step "{{step}}" has no "next" and is not an end step, so a case would stop there without an outcome',
  goto_without_otherwise: 'goto "{{step}}" has no "otherwise": after {{times}} jumps a case would stop there without an outcome',
  loop_without_pause: 'steps {{steps}} form a loop with no task, wait or recurring step, so a case would spin',
  // Who does the work.
  task_role_cannot_act: 'task "{{task}}" cannot go to "{{role}}": only {{allowed}} can',
  referral_role_cannot_act: 'referral "{{referral}}" cannot go to "{{role}}": only {{allowed}} can',
  task_escalation_role_cannot_act: 'this task, reassigned by escalation, cannot go to "{{role}}": only {{allowed}} can',
  referral_escalation_role_cannot_act: 'this referral, reassigned by escalation, cannot go to "{{role}}": only {{allowed}} can',
  alert_role_cannot_act: 'an escalation alert cannot go to "{{role}}": only {{allowed}} can',
  task_service_unknown: 'no service "{{service}}" exists to take task "{{task}}"',
  referral_to_service_unknown: 'no service "{{service}}" exists to receive referral "{{referral}}"',
  referral_from_service_unknown: 'no service "{{service}}" exists to refer from',
  referral_to_same_service: 'a referral goes to another service, not back to "{{service}}"',
  escalation_service_unknown: 'escalation reaches unknown service "{{service}}"',
  signoff_service_unknown: 'sign-off names unknown service "{{service}}"',
  signoff_without_own_service: 'the task\'s own service "{{service}}" must be among the services that sign off',
  // Clocks.
  escalation_out_of_order: 'escalation level {{level}} must fire later than level {{previous}}',
  task_without_deadline: 'reminders and escalation levels are timed from a deadline, and this task has none',
  referral_without_deadline: 'reminders and escalation levels are timed from a deadline, and this referral has none',
  referral_deadline_statutory: "a referral's acceptance deadline is a service level, not a statutory deadline",
  statutory_without_from: 'a statutory deadline counts from a legal date (e.g. the PAD date): give "from"',
  statutory_without_legal_basis: 'a statutory deadline shows the law that sets it: give "legalBasis"',
  legal_basis_without_statutory: 'a legal basis belongs to a statutory deadline: set "clock" to "statutory", or drop the legal basis',
  // Fields that rules and deadlines read.
  field_rule_reads_other: 'a field\'s rule reads the fields above it in the same form ({{prefix}}.<key>), not "{{field}}"',
  field_path_malformed: '"{{path}}" is not a <stepId>.<fieldKey> path',
  case_field_unknown: 'the case start data has no field "{{key}}"',
  data_step_unknown: 'no step "{{step}}" collects data',
  referral_records_other: 'referral step "{{step}}" records status, reason and outcome, not "{{key}}"',
  anchored_records_other: 'anchored follow-up "{{step}}" records dueDate and occurrence, not "{{key}}"',
  step_collects_no_data: 'step "{{step}}" is a {{kind}} step and collects no data',
  per_member_answers: 'per-member step "{{step}}" keeps its answers per member ({{step}}.byMember); rules cannot read "{{key}}" from it',
  form_field_unknown: 'the form of step "{{step}}" has no field "{{key}}"',
  date_reference_not_date: '"{{field}}" is a {{type}} field; a time can only be counted from a date field',
  // Conditions.
  operator_needs_value: '"{{op}}" needs a value to compare with',
  operator_needs_list: '"{{op}}" on this field needs a list of values',
  operator_needs_single_value: '"{{op}}" needs a single value, not a list',
  group_only_exists: '"{{field}}" is a repeating group: rules can only ask whether it "exists" (use household facts to count members)',
  operator_boolean_only: '"{{op}}" applies to boolean fields, and "{{field}}" is {{type}}',
  operator_orders_numbers_dates: '"{{op}}" orders numbers or dates, and "{{field}}" is {{type}}',
  operator_contains_text: '"contains" applies to text and multiselect fields, and "{{field}}" is {{type}}',
  value_not_number: '"{{field}}" holds number values, not {{value}}',
  value_not_boolean: '"{{field}}" holds boolean values, not {{value}}',
  value_not_string: '"{{field}}" holds string values, not {{value}}',
  value_not_option: '{{value}} is not an option of "{{field}}"',
  date_value_format: 'dates are compared as YYYY-MM-DD, not {{value}}',
  // Households.
  household_path_without_household: '"{{path}}" reads the household, and the pathway names none (give "household": { "members": <group field> })',
  household_fact_unknown: 'the household has no fact "{{fact}}" (known: {{known}})',
  member_outside_for_each: '"member.{{key}}" is read only in a per-member step\'s "forEach" rule',
  member_field_unknown: 'household members have no field "{{key}}"',
  any_member_step_not_per_member: '"anyMember" reads the answers each member gave at a per-member task step (a task with "forEach"), and "{{step}}" is not one',
  any_member_field_unknown: 'per-member step "{{step}}" has no form field "{{key}}" (inside "anyMember", "member.<key>" reads its fields and "member.index")',
  household_members_not_group: '"{{field}}" is a {{type}} field; the household\'s members are a repeating group (type "group")',
  household_derived_key: 'members\' "{{key}}" is derived ({{derived}}): rename the sub-field',
  household_birth_year_not_number: 'members\' "birthYear" must be a number field (ages and minors are derived from it)',
  household_fact_not_boolean: 'members\' "{{key}}" must be a boolean field (household facts count it)',
  for_each_without_household: '"forEach" runs the task once per household member, and the pathway names no household (give "household": { "members": <group field> })',
  for_each_with_signoff: 'a joint plan is signed once for the case: a per-member step cannot have "signOff"',
  // The document's shape (the schema).
  unknown_key: 'unknown key "{{key}}"',
  for_each_tasks_only: '"forEach" repeats task steps only',
  key_mismatch: 'must be "{{key}}"',
  pathway_key_format: 'pathway keys are lower kebab case, starting with a letter',
  step_id_format: 'step ids are lower snake case, starting with a letter',
  step_id_case_reserved: '"case" is reserved for start data (case.<field>)',
  step_id_household_reserved: '"household" and "member" are reserved for household facts (household.<fact>, member.<field>)',
  field_key_format: 'field keys start with a lower-case letter and hold letters, digits or _',
  field_path_format: 'a field path is <stepId>.<fieldKey> or case.<fieldKey>',
  service_key_format: 'service keys are lower case',
  outcome_format: 'outcomes are lower snake case codes',
  code_format: 'codes are lower snake case',
  must_equal_unsupported: 'a {{type}} field cannot be required to hold one value',
  must_equal_wrong_type: 'a {{type}} field holds {{expected}} values, not {{value}}',
  must_equal_not_option: '{{value}} is not an option of the field',
  must_equal_not_required: 'a field that must hold a value must be required (a blank answer would skip the check)',
  options_missing: 'a {{type}} field needs options',
  options_not_applicable: 'options only apply to select and multiselect fields',
  group_only_property: '"{{key}}" applies only to group fields',
  group_fields_missing: 'a group field needs the sub-fields each item answers ("fields")',
  group_property_not_applicable: '"{{key}}" does not apply to a group field (give it to its sub-fields)',
  min_items_above_max: '"minItems" is more than "maxItems"',
  duplicate_field_key: 'duplicate field key "{{key}}"',
  escalation_after_or_before: 'an escalation level fires either "after" the deadline or "before" it: give exactly one',
  signoff_too_few_services: 'a joint plan is signed by at least two services (counting those in "alsoWhen")',
  wait_for_or_until: 'a wait step needs exactly one of "for" or "until"',
  opens_before_without_anchor: '"opensBefore" counts back from anchored due dates: give an "anchor" too',
  recurring_times_or_until: 'a recurring step needs "times", "until" or both',
  recurring_every_positive: 'a recurring step must wait a positive time between occurrences',
  duplicate_code: 'duplicate code "{{code}}"',
  // The schema's generic checks (zod), by the value they expected.
  value_missing: 'a value is required here',
  value_wrong_type: 'expected a value of type {{expected}}',
  text_too_short: 'the text must have at least {{minimum}} characters',
  text_too_long: 'the text must have at most {{maximum}} characters',
  list_too_short: 'the list must have at least {{minimum}} items',
  list_too_long: 'the list must have at most {{maximum}} items',
  number_too_small: 'the number must be at least {{minimum}}',
  number_too_large: 'the number must be at most {{maximum}}',
  number_not_integer: 'the number must be a whole number',
  value_not_allowed: 'the value must be one of {{values}}',
  invalid_structure: 'this is none of the accepted forms',
  text_format: 'the text does not have the expected format',
} as const satisfies Record<string, Template>;

/** Every message code an authoring issue can carry. */
export type PathwayMessageCode = keyof typeof templates;

/** The message codes, for the console's translations and their test. */
export const pathwayMessageCodes = Object.keys(templates) as PathwayMessageCode[];

/** The English template of a code, with its plural forms when it has them. */
export function englishTemplate(code: PathwayMessageCode): Template {
  return templates[code];
}

/** What an issue says: its message code, the values it names and the English text made from them. */
export interface IssueText {
  messageCode: PathwayMessageCode;
  params: IssueParams;
  message: string;
}

/** Fills a template's `{{name}}` placeholders; a missing value stays visible as the placeholder. */
function fill(template: string, params: IssueParams): string {
  return template.replace(/\{\{(\w+)\}\}/g, (placeholder, name: string) => (Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : placeholder));
}

/** The issue text of a code with its values. */
export function issueText(messageCode: PathwayMessageCode, params: IssueParams = {}): IssueText {
  const template: Template = templates[messageCode];
  const chosen = typeof template === 'string' ? template : params.count === 1 ? template.one : template.other;
  return { messageCode, params, message: fill(chosen, params) };
}

/** The English message of a code (what the schema's own checks say). */
export function issueMessage(messageCode: PathwayMessageCode, params: IssueParams = {}): string {
  return issueText(messageCode, params).message;
}

/** A list of names as messages quote them: "a", "b". */
export function quotedList(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}

/** The code of a fixed (parameterless) schema message, if it is one of these: the schema's regexes can carry only a message. */
export function messageCodeOfText(message: string): PathwayMessageCode | undefined {
  return pathwayMessageCodes.find((code) => {
    const template: Template = templates[code];
    return typeof template === 'string' && !template.includes('{{') && template === message;
  });
}

/** A schema refinement's issue (zod `custom`): its English message, with the code and values kept in `params` for the console. */
export function schemaIssue(path: PropertyKey[], messageCode: PathwayMessageCode, params: IssueParams = {}): { code: 'custom'; path: PropertyKey[]; message: string; params: IssueParams } {
  return { code: 'custom', path, message: issueMessage(messageCode, params), params: { ...params, messageCode } };
}
