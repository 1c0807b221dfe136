/**
 * Static checks of a parsed pathway definition, run before publishing (and on "validate"): the
 * schema says a document is well formed, these say it can actually run — every reference
 * resolves, every step can be reached, no loop spins without waiting for a person or a timer.
 * Output is sorted by path so the same document always yields the same list.
 */
import { actionMatrix } from './access';
import { conditionLeaves } from './conditions';
import { derivedMemberKeys, householdFacts, householdFactTypes } from './household';
import { issueText, quotedList, type IssueParams, type IssueText, type PathwayMessageCode } from './pathway-issue-messages';
import type { Condition, Duration, EscalationLevel, FormField, PathwayDefinition, ReferralStep, Role, Step, TaskStep } from './pathway-schema';

export const pathwayIssueCodes = {
  unknownStep: 'unknown_step',
  unreachableStep: 'unreachable_step',
  loopWithoutPause: 'loop_without_pause',
  missingAssignee: 'missing_assignee',
  unknownService: 'unknown_service',
  unknownField: 'unknown_field',
  fieldTypeMismatch: 'field_type_mismatch',
  invalidCondition: 'invalid_condition',
  danglingEnd: 'dangling_end',
  missingEnd: 'missing_end',
  branchShared: 'branch_shared',
  signoffService: 'signoff_service',
  escalationOrder: 'escalation_order',
  missingDeadline: 'missing_deadline',
  reservedStepId: 'reserved_step_id',
  referralService: 'referral_service',
  roleCannotAct: 'role_cannot_act',
  statutoryClock: 'statutory_clock',
  household: 'household',
} as const;

export type PathwayIssueCode = (typeof pathwayIssueCodes)[keyof typeof pathwayIssueCodes];

export interface PathwayIssue {
  path: (string | number)[];
  /** The kind of problem. */
  code: PathwayIssueCode;
  /** The exact message, stable (domain/pathway-issue-messages.ts): the console translates it with `params`. */
  messageCode: PathwayMessageCode;
  /** The values the message names (step ids, fields, services, roles, counts). */
  params: IssueParams;
  /** The message in English, for API users. */
  message: string;
}

export interface PathwayCheckContext {
  /** Service keys known in the deployment; when absent, service references are not checked. */
  services?: string[];
  /**
   * Steps present in the document whose content did not parse (the schema already reported them):
   * they exist, but their links and fields are unknown, so checks that need the whole graph are
   * skipped and references to them are taken on trust. `case` here stands for unparsed start data.
   */
  opaqueSteps?: string[];
  /** False when the document's `start` did not parse: start and reachability checks are skipped. */
  startKnown?: boolean;
}

type DocPath = (string | number)[];

/** `flow` edges continue the chain the step is on; `branch` edges start a chain owned by the step (parallel branch, recurring body). */
interface StepEdge {
  to: string;
  path: DocPath;
  kind: 'flow' | 'branch';
}

const codes = pathwayIssueCodes;

// Only to order escalation levels of mixed units; a working week is five days in seven.
const approximateMinutes: Record<Duration['unit'], number> = {
  minutes: 1,
  hours: 60,
  calendarDays: 1_440,
  workingDays: 2_016,
  months: 43_200,
};

// Steps at which a case waits for a person or a timer: a cycle through one of them cannot spin.
const pausingKinds: ReadonlySet<Step['kind']> = new Set(['task', 'wait', 'recurring', 'referral']);

/** Runs every static check on a parsed definition; an empty list means it is ready to publish. */
export function checkPathway(def: PathwayDefinition, context: PathwayCheckContext = {}): PathwayIssue[] {
  const issues: PathwayIssue[] = [];
  const report: Reporter = (path, code, text) => issues.push({ path, code, ...text });
  const stepIds = Object.keys(def.steps).sort();
  const opaque = new Set(context.opaqueSteps ?? []);
  const partial = opaque.size > 0 || context.startKnown === false;
  const has = (id: string) => Object.prototype.hasOwnProperty.call(def.steps, id) || opaque.has(id);
  const edges = new Map(stepIds.map((id) => [id, stepEdges(id, def.steps[id])]));
  const scope: Scope = { def, opaque };

  checkFieldRules(scope, def.caseFields, 'case', ['caseFields'], report);
  checkHousehold(scope, report);
  if (has('case') && !opaque.has('case')) report(['steps', 'case'], codes.reservedStepId, issueText('case_step_reserved'));

  const unknownReferences: StepEdge[] = [];
  if (context.startKnown !== false && !has(def.start)) unknownReferences.push({ to: def.start, path: ['start'], kind: 'flow' });
  for (const id of stepIds) {
    for (const edge of edges.get(id) ?? []) if (!has(edge.to)) unknownReferences.push(edge);
  }

  // A step that did not parse may be the end step, and its links are unknown: graph-wide checks would only guess.
  if (!partial) {
    if (!stepIds.some((id) => def.steps[id].kind === 'end')) report(['steps'], codes.missingEnd, issueText('no_end_step'));
  }

  // Without a valid start every step would be "unreachable": the unknown_step issue says enough.
  const explained = new Map<string, string>();
  if (!partial && has(def.start)) {
    const reached = reachable([def.start], edges, () => true);
    for (const head of unreachableHeads(stepIds, edges, reached)) {
      const misspelt = unknownReferences.find((edge) => !explained.has(edge.to) && isNearMiss(edge.to, head.id));
      // A misspelt link is one mistake: it is reported once, at the link, naming the step it most likely meant.
      if (misspelt) explained.set(misspelt.to, head.id);
      else {
        const text =
          head.following.length === 0 ? issueText('step_unreachable', { step: head.id }) : issueText('step_unreachable_region', { step: head.id, count: head.following.length });
        report(['steps', head.id], codes.unreachableStep, text);
      }
    }
    checkChains(def, stepIds, edges, report);
  }
  for (const edge of unknownReferences) {
    const meant = explained.get(edge.to);
    report(edge.path, codes.unknownStep, meant ? issueText('step_missing_near', { step: edge.to, meant }) : issueText('step_missing', { step: edge.to }));
  }

  checkLoops(def, stepIds, edges, report);

  for (const id of stepIds) {
    const step = def.steps[id];
    if (step.kind === 'task') checkTask(scope, id, step, context, report);
    if (step.kind === 'referral') checkReferral(scope, id, step, context, report);
    if (step.kind === 'wait' && step.until) checkDateReference(scope, step.until.field, ['steps', id, 'until', 'field'], report);
    if (step.kind === 'decision') {
      step.rules.forEach((rule, i) => checkCondition(scope, rule.when, ['steps', id, 'rules', i, 'when'], report));
    }
    if (step.kind === 'recurring' && step.until) checkCondition(scope, step.until, ['steps', id, 'until'], report);
    if (step.kind === 'recurring' && step.anchor) checkDateReference(scope, step.anchor.field, ['steps', id, 'anchor', 'field'], report);
  }

  return issues.sort(comparePathwayIssues);
}

/** The definition being checked, and the steps whose content is unknown because they did not parse. */
interface Scope {
  def: PathwayDefinition;
  opaque: ReadonlySet<string>;
}

/**
 * The first unreachable step of each unreachable region: the steps after it are unreachable only
 * because it is, so reporting them too would bury the one mistake under its consequences.
 */
function unreachableHeads(stepIds: string[], edges: Map<string, StepEdge[]>, reached: Set<string>): Array<{ id: string; following: string[] }> {
  const unreached = stepIds.filter((id) => !reached.has(id));
  const pointedAt = new Set<string>();
  for (const id of unreached) for (const edge of edges.get(id) ?? []) if (edge.to !== id) pointedAt.add(edge.to);
  const heads = unreached.filter((id) => !pointedAt.has(id));
  const covered = new Set<string>();
  const result: Array<{ id: string; following: string[] }> = [];
  const claim = (id: string) => {
    const region = [...reachable([id], edges, () => true)].filter((other) => other !== id && !reached.has(other) && !covered.has(other) && !heads.includes(other));
    covered.add(id);
    for (const other of region) covered.add(other);
    result.push({ id, following: region.sort() });
  };
  for (const id of heads) claim(id);
  // Regions that are only cycles have no head: the first step by id stands for the cycle.
  for (const id of unreached) if (!covered.has(id)) claim(id);
  return result.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Whether `written` is a likely misspelling of `existing`: few edits (a swap of two letters is one), fewer than a third of the letters. */
function isNearMiss(written: string, existing: string): boolean {
  const limit = Math.min(2, Math.floor(Math.max(written.length, existing.length) / 3));
  if (limit === 0 || Math.abs(written.length - existing.length) > limit) return false;
  const d: number[][] = Array.from({ length: written.length + 1 }, (_, i) => Array.from({ length: existing.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= written.length; i += 1) {
    for (let j = 1; j <= existing.length; j += 1) {
      const cost = written[i - 1] === existing[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && written[i - 1] === existing[j - 2] && written[i - 2] === existing[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[written.length][existing.length] <= limit;
}

function stepEdges(id: string, step: Step): StepEdge[] {
  const at = (...rest: DocPath): DocPath => ['steps', id, ...rest];
  const edges: StepEdge[] = [];
  const flow = (to: string | undefined, path: DocPath) => {
    if (to !== undefined) edges.push({ to, path, kind: 'flow' });
  };
  switch (step.kind) {
    case 'task':
    case 'wait':
      flow(step.next, at('next'));
      break;
    case 'parallel':
      step.branches.forEach((to, i) => edges.push({ to, path: at('branches', i), kind: 'branch' }));
      flow(step.next, at('next'));
      break;
    case 'recurring':
      edges.push({ to: step.body, path: at('body'), kind: 'branch' });
      flow(step.next, at('next'));
      break;
    case 'decision':
      step.rules.forEach((rule, i) => flow(rule.next, at('rules', i, 'next')));
      flow(step.otherwise, at('otherwise'));
      break;
    case 'goto':
      flow(step.target, at('target'));
      flow(step.otherwise, at('otherwise'));
      break;
    case 'referral':
      flow(step.next, at('next'));
      flow(step.onRejected, at('onRejected'));
      break;
    case 'end':
      break;
  }
  return edges;
}

function reachable(from: string[], edges: Map<string, StepEdge[]>, follow: (edge: StepEdge) => boolean): Set<string> {
  const seen = new Set<string>();
  const queue = from.filter((id) => edges.has(id));
  for (const id of queue) seen.add(id);
  while (queue.length > 0) {
    const id = queue.shift() as string;
    for (const edge of edges.get(id) ?? []) {
      if (follow(edge) && edges.has(edge.to) && !seen.has(edge.to)) {
        seen.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return seen;
}

/**
 * Each chain — the main line from start, each parallel branch, each recurring body — owns its
 * steps: a step on two chains would be run by both (or joined twice). Only the main line must
 * finish at an end step; a branch or body simply stops, handing back to its owner.
 */
function checkChains(def: PathwayDefinition, stepIds: string[], edges: Map<string, StepEdge[]>, report: Reporter): void {
  // The main line is `null` here: messages name it in their own words.
  const owners = new Map<string, Array<string | null>>();
  const claim = (chain: Set<string>, owner: string | null) => {
    for (const id of chain) owners.set(id, [...(owners.get(id) ?? []), owner]);
  };
  const mainLine = reachable([def.start], edges, (edge) => edge.kind === 'flow');
  claim(mainLine, null);
  for (const id of stepIds) {
    for (const edge of edges.get(id) ?? []) {
      if (edge.kind === 'branch') claim(reachable([edge.to], edges, (e) => e.kind === 'flow'), `${edge.path.slice(1).join('.')} (${edge.to})`);
    }
  }
  for (const id of stepIds) {
    const stepOwners = owners.get(id) ?? [];
    if (stepOwners.length > 1) {
      const chains = stepOwners.filter((owner): owner is string => owner !== null).join(', ');
      report(['steps', id], codes.branchShared, issueText(stepOwners.includes(null) ? 'step_on_main_line_and_chains' : 'step_on_chains', { step: id, chains }));
    }
  }
  for (const id of stepIds) {
    if (!mainLine.has(id)) continue;
    const step = def.steps[id];
    const stops =
      (step.kind === 'task' || step.kind === 'wait' || step.kind === 'parallel' || step.kind === 'recurring' || step.kind === 'referral') && step.next === undefined;
    if (stops) report(['steps', id], codes.danglingEnd, issueText('step_without_next', { step: id }));
    if (step.kind === 'goto' && step.otherwise === undefined) {
      report(['steps', id], codes.danglingEnd, issueText('goto_without_otherwise', { step: id, times: step.maxTimes }));
    }
  }
}

/** Strongly connected components of the non-pausing steps (Kosaraju, iterative so large documents cannot overflow the stack). */
function checkLoops(def: PathwayDefinition, stepIds: string[], edges: Map<string, StepEdge[]>, report: Reporter): void {
  const spinning = stepIds.filter((id) => !pausingKinds.has(def.steps[id].kind));
  const inGraph = new Set(spinning);
  const successors = new Map(spinning.map((id) => [id, (edges.get(id) ?? []).map((e) => e.to).filter((to) => inGraph.has(to))]));
  const predecessors = new Map<string, string[]>(spinning.map((id) => [id, []]));
  for (const [id, tos] of successors) for (const to of tos) predecessors.get(to)?.push(id);

  const finished: string[] = [];
  const visited = new Set<string>();
  for (const root of spinning) {
    if (visited.has(root)) continue;
    visited.add(root);
    const stack: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const tos = successors.get(frame.id) ?? [];
      if (frame.next < tos.length) {
        const to = tos[frame.next];
        frame.next += 1;
        if (!visited.has(to)) {
          visited.add(to);
          stack.push({ id: to, next: 0 });
        }
      } else {
        finished.push(frame.id);
        stack.pop();
      }
    }
  }

  const assigned = new Set<string>();
  for (const root of finished.reverse()) {
    if (assigned.has(root)) continue;
    const component = [root];
    assigned.add(root);
    for (let i = 0; i < component.length; i += 1) {
      for (const from of predecessors.get(component[i]) ?? []) {
        if (!assigned.has(from)) {
          assigned.add(from);
          component.push(from);
        }
      }
    }
    const selfLoop = component.length === 1 && (successors.get(root) ?? []).includes(root);
    if (component.length > 1 || selfLoop) {
      const members = component.sort();
      report(['steps', members[0]], codes.loopWithoutPause, issueText('loop_without_pause', { steps: quotedList(members) }));
    }
  }
}

type Reporter = (path: DocPath, code: PathwayIssueCode, text: IssueText) => void;

// Who may take a task or answer a referral follows the role matrix, so a pathway cannot give work to a role the API would refuse it to.
const taskWorkers: readonly Role[] = actionMatrix['tasks.act'];
const referralResponders: readonly Role[] = actionMatrix['referrals.respond'];
// A level that only alerts reaches whoever watches the area's tasks: workers and the supervision roles (never auditors).
const alertReceivers: readonly Role[] = [...new Set<Role>([...actionMatrix['tasks.act'], ...actionMatrix['supervision.read']])];

/** What a role problem is about: the message code, and the step it names (if any). */
type RoleWork = { code: PathwayMessageCode; params?: IssueParams };

function roleProblem(role: Role, allowed: readonly Role[], what: RoleWork): IssueText | undefined {
  return allowed.includes(role) ? undefined : issueText(what.code, { ...what.params, role, allowed: quotedList(allowed) });
}

/**
 * The clock of a task or a referral: escalation levels reach known services and roles that can
 * receive them and fire in order, and reminders and levels have a deadline to be timed from,
 * whose date reference (if any) exists.
 */
function checkClock(
  scope: Scope,
  step: TaskStep | ReferralStep,
  at: (...rest: DocPath) => DocPath,
  known: Set<string> | undefined,
  report: Reporter,
): void {
  const workers = step.kind === 'task' ? taskWorkers : referralResponders;
  step.escalation.forEach((level, i) => {
    if (known && level.service !== undefined && !known.has(level.service)) {
      report(at('escalation', i, 'service'), codes.unknownService, issueText('escalation_service_unknown', { service: level.service }));
    }
    const problem = level.reassign
      ? roleProblem(level.role, workers, { code: step.kind === 'task' ? 'task_escalation_role_cannot_act' : 'referral_escalation_role_cannot_act' })
      : roleProblem(level.role, alertReceivers, { code: 'alert_role_cannot_act' });
    if (problem) report(at('escalation', i, 'role'), codes.roleCannotAct, problem);
    const previous = step.escalation[i - 1];
    if (previous && escalationOffset(level) <= escalationOffset(previous)) {
      report(at('escalation', i, timingKey(level)), codes.escalationOrder, issueText('escalation_out_of_order', { level: i + 1, previous: i }));
    }
  });
  if (!step.deadline && (step.reminders.length > 0 || step.escalation.length > 0)) {
    report(at('deadline'), codes.missingDeadline, issueText(step.kind === 'task' ? 'task_without_deadline' : 'referral_without_deadline'));
  }
  if (step.deadline?.from) checkDateReference(scope, step.deadline.from.field, at('deadline', 'from', 'field'), report);
  const deadline = step.deadline;
  if (deadline?.clock === 'statutory') {
    if (step.kind === 'referral') report(at('deadline', 'clock'), codes.statutoryClock, issueText('referral_deadline_statutory'));
    else {
      if (!deadline.from) report(at('deadline', 'from'), codes.statutoryClock, issueText('statutory_without_from'));
      if (!deadline.legalBasis) report(at('deadline', 'legalBasis'), codes.statutoryClock, issueText('statutory_without_legal_basis'));
    }
  } else if (deadline?.legalBasis) {
    report(at('deadline', 'clock'), codes.statutoryClock, issueText('legal_basis_without_statutory'));
  }
}

/** Minutes from the deadline to the level (negative before it), only to order levels of mixed units. */
function escalationOffset(level: EscalationLevel): number {
  const timing = level.before ?? level.after;
  const minutes = timing ? approximateMinutes[timing.unit] * timing.amount : 0;
  return level.before ? -minutes : minutes;
}

function timingKey(level: EscalationLevel): 'before' | 'after' {
  return level.before ? 'before' : 'after';
}

function checkTask(scope: Scope, id: string, step: TaskStep, context: PathwayCheckContext, report: Reporter): void {
  const at = (...rest: DocPath): DocPath => ['steps', id, ...rest];
  const known = context.services ? new Set(context.services) : undefined;
  if (known && !known.has(step.assignee.service)) {
    report(at('assignee', 'service'), codes.missingAssignee, issueText('task_service_unknown', { service: step.assignee.service, task: id }));
  }
  const problem = roleProblem(step.assignee.role, taskWorkers, { code: 'task_role_cannot_act', params: { task: id } });
  if (problem) report(at('assignee', 'role'), codes.roleCannotAct, problem);
  checkClock(scope, step, at, known, report);
  checkFieldRules(scope, step.form.fields, id, at('form', 'fields'), report);
  if (step.forEach) checkForEach(scope, id, step, report);
  if (step.signOff) {
    step.signOff.services.forEach((service, i) => {
      if (known && !known.has(service)) report(at('signOff', 'services', i), codes.unknownService, issueText('signoff_service_unknown', { service }));
    });
    step.signOff.alsoWhen?.forEach((extra, i) => {
      if (known && !known.has(extra.service)) report(at('signOff', 'alsoWhen', i, 'service'), codes.unknownService, issueText('signoff_service_unknown', { service: extra.service }));
      checkCondition(scope, extra.when, at('signOff', 'alsoWhen', i, 'when'), report);
    });
    if (!step.signOff.services.includes(step.assignee.service)) {
      report(at('signOff', 'services'), codes.signoffService, issueText('signoff_without_own_service', { service: step.assignee.service }));
    }
  }
}

/**
 * A field's `when` reads earlier fields of its own form (`<stepId>.<key>`, `case.<key>` for start
 * data): the form shows it below the answers it depends on, and the API and the console decide
 * from the same answers.
 */
function checkFieldRules(scope: Scope, fields: FormField[], prefix: string, base: DocPath, report: Reporter): void {
  fields.forEach((field, index) => {
    if (!field.when) return;
    const earlier = new Set(fields.slice(0, index).map((f) => f.key));
    for (const { path, leaf } of conditionLeaves(field.when)) {
      const dot = leaf.field.indexOf('.');
      if (leaf.field.slice(0, dot) !== prefix || !earlier.has(leaf.field.slice(dot + 1))) {
        report([...base, index, 'when', ...path, 'field'], codes.unknownField, issueText('field_rule_reads_other', { prefix, field: leaf.field }));
        return;
      }
    }
    checkCondition(scope, field.when, [...base, index, 'when'], report);
  });
}

/** The household names a group field of the pathway, whose sub-fields do not shadow what each member offers by itself. */
function checkHousehold(scope: Scope, report: Reporter): void {
  const household = scope.def.household;
  if (!household || readsOpaque(scope, household.members)) return;
  const at: DocPath = ['household', 'members'];
  const resolved = resolveFieldPath(scope.def, household.members);
  if ('error' in resolved) return report(at, codes.unknownField, resolved.error);
  if (resolved.field.type !== 'group') return report(at, codes.fieldTypeMismatch, issueText('household_members_not_group', { field: household.members, type: resolved.field.type }));
  const shadowed = (resolved.field.fields ?? []).filter((sub) => sub.key === 'index' || sub.key === 'age');
  for (const sub of shadowed) report(at, codes.household, issueText('household_derived_key', { key: sub.key, derived: derivedMemberKeys.join(', ') }));
  const birthYear = resolved.field.fields?.find((sub) => sub.key === 'birthYear');
  if (birthYear && birthYear.type !== 'number') report(at, codes.household, issueText('household_birth_year_not_number'));
  for (const sub of resolved.field.fields ?? []) {
    if ((sub.key === 'jobActivable' || sub.key === 'minor') && sub.type !== 'boolean') report(at, codes.household, issueText('household_fact_not_boolean', { key: sub.key }));
  }
}

/** A per-member step needs a household to run over, and cannot be a joint plan (each member would sign one). */
function checkForEach(scope: Scope, id: string, step: TaskStep, report: Reporter): void {
  const at = (...rest: DocPath): DocPath => ['steps', id, 'forEach', ...rest];
  if (!scope.def.household) return report(at(), codes.household, issueText('for_each_without_household'));
  if (step.signOff) report(at(), codes.household, issueText('for_each_with_signoff'));
  checkCondition(scope, step.forEach!.members, at('members'), report, true);
}

/** What a referral step records, as rules read it: `<stepId>.status`, `.reason` (rejection code) and `.outcome`. */
function referralFields(step: ReferralStep): FormField[] {
  const select = (key: string, it: string, options: { code: string; label: FormField['label'] }[]): FormField => ({
    key,
    label: { it },
    type: 'select',
    required: false,
    options: options.map((option) => ({ value: option.code, label: option.label })),
  });
  return [
    // "cancelled": a supervisor skipped the referral step (case-interventions.ts).
    select('status', 'Stato dell’invio', ['pending', 'accepted', 'rejected', 'completed', 'cancelled'].map((code) => ({ code, label: { it: code } }))),
    select('reason', 'Motivo del rifiuto', step.rejectionReasons),
    select('outcome', 'Esito', step.outcomes),
  ];
}

function checkReferral(scope: Scope, id: string, step: ReferralStep, context: PathwayCheckContext, report: Reporter): void {
  const at = (...rest: DocPath): DocPath => ['steps', id, ...rest];
  const known = context.services ? new Set(context.services) : undefined;
  if (known && !known.has(step.from)) report(at('from'), codes.unknownService, issueText('referral_from_service_unknown', { service: step.from }));
  if (known && !known.has(step.to.service)) report(at('to', 'service'), codes.missingAssignee, issueText('referral_to_service_unknown', { service: step.to.service, referral: id }));
  if (step.from === step.to.service) report(at('to', 'service'), codes.referralService, issueText('referral_to_same_service', { service: step.from }));
  const problem = roleProblem(step.to.role, referralResponders, { code: 'referral_role_cannot_act', params: { referral: id } });
  if (problem) report(at('to', 'role'), codes.roleCannotAct, problem);
  checkClock(scope, step, at, known, report);
}

/** What an anchored recurring step records at each occurrence, as deadlines and rules read it. */
const anchoredRecurrenceFields: FormField[] = [
  { key: 'dueDate', label: { it: 'Scadenza della verifica' }, type: 'date', required: false },
  { key: 'occurrence', label: { it: 'Numero della verifica' }, type: 'number', required: false },
];

/** The household's members group field, if `household.members` names one. */
function membersField(def: PathwayDefinition): FormField | undefined {
  if (!def.household) return undefined;
  const resolved = resolveFieldPath(def, def.household.members);
  return 'field' in resolved && resolved.field.type === 'group' ? resolved.field : undefined;
}

/** A fact or derived member value, typed like a form field so rules over it are checked the same way. */
function syntheticField(key: string, type: 'number' | 'boolean'): FormField {
  return { key, label: { it: key }, type, required: false };
}

/**
 * `household.<fact>` (any rule, once the pathway names its household) and `member.<key>` (only in
 * a per-member step's `forEach` rule: `inMemberRule`).
 */
function resolveHouseholdPath(def: PathwayDefinition, stepId: string, key: string, inMemberRule: boolean): { field: FormField } | { error: IssueText } {
  if (!def.household) return { error: issueText('household_path_without_household', { path: `${stepId}.${key}` }) };
  if (stepId === 'household') {
    const fact = householdFacts.find((name) => name === key);
    return fact ? { field: syntheticField(fact, householdFactTypes[fact]) } : { error: issueText('household_fact_unknown', { fact: key, known: householdFacts.join(', ') }) };
  }
  if (!inMemberRule) return { error: issueText('member_outside_for_each', { key }) };
  if (key === 'age' || key === 'index') return { field: syntheticField(key, 'number') };
  if (key === 'minor') return { field: syntheticField(key, 'boolean') };
  const sub = membersField(def)?.fields?.find((f) => f.key === key);
  return sub ? { field: { ...sub } } : { error: issueText('member_field_unknown', { key }) };
}

/** The form field a `<stepId>.<fieldKey>` path names, or why it names none. */
export function resolveFieldPath(def: PathwayDefinition, fieldPath: string, inMemberRule = false): { field: FormField } | { error: IssueText } {
  const dot = fieldPath.indexOf('.');
  const stepId = fieldPath.slice(0, dot);
  const key = fieldPath.slice(dot + 1);
  if (dot < 0) return { error: issueText('field_path_malformed', { path: fieldPath }) };
  if (stepId === 'household' || stepId === 'member') return resolveHouseholdPath(def, stepId, key, inMemberRule);
  if (stepId === 'case') {
    const field = def.caseFields.find((f) => f.key === key);
    return field ? { field } : { error: issueText('case_field_unknown', { key }) };
  }
  if (!Object.prototype.hasOwnProperty.call(def.steps, stepId)) return { error: issueText('data_step_unknown', { step: stepId }) };
  const step = def.steps[stepId];
  if (step.kind === 'referral') {
    const field = referralFields(step).find((f) => f.key === key);
    return field ? { field } : { error: issueText('referral_records_other', { step: stepId, key }) };
  }
  if (step.kind === 'recurring' && step.anchor) {
    const field = anchoredRecurrenceFields.find((f) => f.key === key);
    return field ? { field } : { error: issueText('anchored_records_other', { step: stepId, key }) };
  }
  if (step.kind !== 'task') return { error: issueText('step_collects_no_data', { step: stepId, kind: step.kind }) };
  if (step.forEach) return { error: issueText('per_member_answers', { step: stepId, key }) };
  const field = step.form.fields.find((f) => f.key === key);
  return field ? { field } : { error: issueText('form_field_unknown', { step: stepId, key }) };
}

/** Whether a field path reads data of a step (or start data) that did not parse: nothing can be said about it. */
function readsOpaque(scope: Scope, fieldPath: string): boolean {
  return scope.opaque.has(fieldPath.slice(0, fieldPath.indexOf('.')));
}

function checkDateReference(scope: Scope, fieldPath: string, path: DocPath, report: Reporter): void {
  if (readsOpaque(scope, fieldPath)) return;
  const resolved = resolveFieldPath(scope.def, fieldPath);
  if ('error' in resolved) return report(path, codes.unknownField, resolved.error);
  if (resolved.field.type !== 'date') report(path, codes.fieldTypeMismatch, issueText('date_reference_not_date', { field: fieldPath, type: resolved.field.type }));
}

const valueOperators: ReadonlySet<string> = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'contains']);

function checkCondition(scope: Scope, condition: Condition, base: DocPath, report: Reporter, inMemberRule = false): void {
  const memberSteps = new Map<string, 'ok' | 'opaque' | 'broken'>();
  for (const { path, leaf, within } of conditionLeaves(condition)) {
    const at = (...rest: DocPath): DocPath => [...base, ...path, ...rest];
    const readsMember = within !== undefined && leaf.field.startsWith('member.');
    if (within) {
      // The quantified step is judged once per `anyMember`, at its `step`; its member reads are judged only when it is sound.
      const key = within.path.join('.');
      if (!memberSteps.has(key)) memberSteps.set(key, checkMemberStep(scope, within.step, [...base, ...within.path, 'step'], report));
      if (readsMember && memberSteps.get(key) !== 'ok') continue;
    }
    if (!readsMember && readsOpaque(scope, leaf.field)) continue;
    const resolved = readsMember ? resolveMemberAnswer(scope.def, within.step, leaf.field.slice('member.'.length)) : resolveFieldPath(scope.def, leaf.field, inMemberRule);
    if ('error' in resolved) {
      report(at('field'), codes.unknownField, resolved.error);
      continue;
    }
    const field = resolved.field;
    const typeProblem = operatorTypeProblem(leaf.op, field);
    if (typeProblem) {
      report(at('op'), codes.fieldTypeMismatch, typeProblem);
      continue;
    }
    if (!valueOperators.has(leaf.op)) continue;
    if (leaf.value === undefined) {
      report(at('value'), codes.invalidCondition, issueText('operator_needs_value', { op: leaf.op }));
      continue;
    }
    const listExpected = leaf.op === 'in' || leaf.op === 'notIn' || ((leaf.op === 'eq' || leaf.op === 'ne') && field.type === 'multiselect');
    if (listExpected !== Array.isArray(leaf.value) && !(leaf.op === 'contains' && field.type === 'multiselect')) {
      report(at('value'), codes.invalidCondition, issueText(listExpected ? 'operator_needs_list' : 'operator_needs_single_value', { op: leaf.op }));
      continue;
    }
    const values = Array.isArray(leaf.value) ? leaf.value : [leaf.value];
    values.forEach((value, i) => {
      const problem = valueProblem(field, value);
      if (problem) report(Array.isArray(leaf.value) ? at('value', i) : at('value'), codes.invalidCondition, problem);
    });
  }
}

/** `anyMember` quantifies over a per-member task step's answers: the step must be one. */
function checkMemberStep(scope: Scope, stepId: string, path: DocPath, report: Reporter): 'ok' | 'opaque' | 'broken' {
  if (scope.opaque.has(stepId)) return 'opaque';
  if (!Object.prototype.hasOwnProperty.call(scope.def.steps, stepId)) {
    report(path, codes.unknownStep, issueText('step_missing', { step: stepId }));
    return 'broken';
  }
  const step = scope.def.steps[stepId];
  if (step.kind !== 'task' || !step.forEach) {
    report(path, codes.household, issueText('any_member_step_not_per_member', { step: stepId }));
    return 'broken';
  }
  return 'ok';
}

/** What `member.<key>` names inside `anyMember` over a per-member step: one of its form fields, or the member's index. */
function resolveMemberAnswer(def: PathwayDefinition, stepId: string, key: string): { field: FormField } | { error: IssueText } {
  if (key === 'index') return { field: syntheticField(key, 'number') };
  const field = (def.steps[stepId] as TaskStep).form.fields.find((f) => f.key === key);
  return field ? { field } : { error: issueText('any_member_field_unknown', { step: stepId, key }) };
}

/** Operators that can never hold for a field of this type (e.g. isTrue on a select). */
function operatorTypeProblem(op: string, field: FormField): IssueText | undefined {
  const type = field.type;
  if (type === 'group' && op !== 'exists' && op !== 'notExists') return issueText('group_only_exists', { field: field.key });
  if ((op === 'isTrue' || op === 'isFalse') && type !== 'boolean') return issueText('operator_boolean_only', { op, field: field.key, type });
  if (['gt', 'gte', 'lt', 'lte'].includes(op) && type !== 'number' && type !== 'date') return issueText('operator_orders_numbers_dates', { op, field: field.key, type });
  if (op === 'contains' && !['text', 'textarea', 'multiselect'].includes(type)) return issueText('operator_contains_text', { field: field.key, type });
  return undefined;
}

const valueTypeCodes = { number: 'value_not_number', boolean: 'value_not_boolean', string: 'value_not_string' } as const;

/** A compared value that the field can never hold, which would make the rule silently never match. */
function valueProblem(field: FormField, value: string | number | boolean): IssueText | undefined {
  const expected = field.type === 'number' ? 'number' : field.type === 'boolean' ? 'boolean' : 'string';
  if (typeof value !== expected) return issueText(valueTypeCodes[expected], { field: field.key, value: JSON.stringify(value) });
  if ((field.type === 'select' || field.type === 'multiselect') && !(field.options ?? []).some((o) => o.value === value)) {
    return issueText('value_not_option', { value: JSON.stringify(value), field: field.key });
  }
  if (field.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(String(value))) return issueText('date_value_format', { value: JSON.stringify(value) });
  return undefined;
}

function comparePaths(a: DocPath, b: DocPath): number {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Orders issues by document path, then code and message: the same document always yields the same list. */
export function comparePathwayIssues(a: { path: DocPath; code: string; message: string }, b: { path: DocPath; code: string; message: string }): number {
  const byPath = comparePaths(a.path, b.path);
  if (byPath !== 0) return byPath;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}
