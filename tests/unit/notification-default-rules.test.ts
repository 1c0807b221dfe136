/**
 * Who hears of an event without an admin setting anything up: the default rules (the same rows the
 * migration seeds) decide, the reader's scope (domain/access.ts) comes first, and a user's muted
 * rules only silence the email.
 */
import { defaultEmailWanted, defaultRulesConcerning, subscriptionMatches, type DefaultRule, type NotificationFacts, type NotifiedUser } from '../../domain/notification-matching';

const rules: DefaultRule[] = [
  { ruleKey: 'escalations-in-my-area', role: 'supervisor', events: ['task_escalated', 'referral_escalated'], reach: 'area', email: true },
  { ruleKey: 'escalations-to-my-role', role: null, events: ['task_escalated', 'referral_escalated'], reach: 'role', email: true },
  { ruleKey: 'referrals-to-my-service', role: 'operator', events: ['referral_created'], reach: 'service', email: true },
  { ruleKey: 'tasks-reassigned-to-me', role: null, events: ['task_reassigned'], reach: 'assignee', email: true },
  { ruleKey: 'transfers-to-my-area', role: 'supervisor', events: ['transfer_requested'], reach: 'area', email: true },
  { ruleKey: 'answers-to-my-service-referrals', role: 'operator', events: ['referral_accepted', 'referral_rejected', 'referral_outcome_recorded'], reach: 'referring-service', email: true },
  { ruleKey: 'answers-to-my-referrals', role: null, events: ['referral_accepted', 'referral_rejected', 'referral_outcome_recorded'], reach: 'creator', email: true },
];

const user = (overrides: Partial<NotifiedUser> = {}): NotifiedUser => ({ id: 'u', active: true, roles: ['operator'], areas: ['lucca'], services: ['employment'], ...overrides });
const supervisor = user({ id: 'supervisor-lucca', roles: ['supervisor'], services: ['oss', 'social', 'employment', 'outreach'] });
const facts = (overrides: Partial<NotificationFacts> = {}): NotificationFacts => ({ kind: 'task_escalated', areaId: 'lucca', service: 'oss', role: 'supervisor', assigneeId: null, ...overrides });

describe('default rules', () => {
  it('tell an area manager of every escalation in their area, and nobody of another area', () => {
    expect(defaultRulesConcerning(rules, supervisor, 'task_escalated', facts())).toEqual(['escalations-in-my-area', 'escalations-to-my-role']);
    expect(defaultRulesConcerning(rules, supervisor, 'task_escalated', facts({ role: 'coordinator' }))).toEqual(['escalations-in-my-area']);
    expect(defaultRulesConcerning(rules, supervisor, 'task_escalated', facts({ areaId: 'pistoia' }))).toEqual([]);
    expect(defaultRulesConcerning(rules, supervisor, 'reminder_due', facts({ kind: 'task_reminder' }))).toEqual([]);
  });

  it('tell the role an escalation rung names, inside its scope only', () => {
    const coordinator = user({ id: 'coordinator-lucca', roles: ['coordinator'], services: [] });
    expect(defaultRulesConcerning(rules, coordinator, 'referral_escalated', facts({ kind: 'referral', role: 'coordinator', service: 'employment' }))).toEqual(['escalations-to-my-role']);
    // An operator named by a rung hears of it only for a service they work in.
    const operator = user({ id: 'cpi-counsellor-lucca' });
    expect(defaultRulesConcerning(rules, operator, 'task_escalated', facts({ role: 'operator', service: 'employment' }))).toEqual(['escalations-to-my-role']);
    expect(defaultRulesConcerning(rules, operator, 'task_escalated', facts({ role: 'operator', service: 'oss' }))).toEqual([]);
  });

  it('tell the receiving service of a new referral, not the other services nor later referral events', () => {
    const referral = facts({ kind: 'referral', service: 'employment', role: 'operator' });
    expect(defaultRulesConcerning(rules, user(), 'referral_created', referral)).toEqual(['referrals-to-my-service']);
    expect(defaultRulesConcerning(rules, user({ services: ['social'] }), 'referral_created', referral)).toEqual([]);
    expect(defaultRulesConcerning(rules, user({ areas: ['grosseto'] }), 'referral_created', referral)).toEqual([]);
    expect(defaultRulesConcerning(rules, user(), 'referral_accepted', referral)).toEqual([]);
    // Supervisors see every service but are not the receiving service's operators.
    expect(defaultRulesConcerning(rules, supervisor, 'referral_created', referral)).toEqual([]);
  });

  it('tell the referring service’s operators of the area, and the referral’s creator, of its answers; nobody outside the scope', () => {
    // The CPI (employment) answered a referral the OSS of Lucca sent; supervisor-lucca raised it.
    const answer = facts({ kind: 'referral', service: 'employment', role: 'operator', fromService: 'oss', creatorId: 'supervisor-lucca' });
    const ossOperator = user({ id: 'oss-operator-lucca', services: ['oss'] });
    for (const event of ['referral_accepted', 'referral_rejected', 'referral_outcome_recorded']) {
      expect(defaultRulesConcerning(rules, ossOperator, event, answer)).toEqual(['answers-to-my-service-referrals']);
      expect(defaultRulesConcerning(rules, supervisor, event, answer)).toEqual(['answers-to-my-referrals']);
    }
    // Another area's OSS, another service of the area, and the receiving service itself hear nothing of it.
    expect(defaultRulesConcerning(rules, user({ id: 'oss-operator-livorno', areas: ['livorno'], services: ['oss'] }), 'referral_accepted', answer)).toEqual([]);
    expect(defaultRulesConcerning(rules, user({ id: 'social-worker-lucca', services: ['social'] }), 'referral_accepted', answer)).toEqual([]);
    expect(defaultRulesConcerning(rules, user({ id: 'cpi-counsellor-lucca' }), 'referral_accepted', answer)).toEqual([]);
    // A creator who no longer sees the area hears nothing; nor does anyone when the event names no referring service.
    expect(defaultRulesConcerning(rules, { ...supervisor, areas: ['pistoia'] }, 'referral_accepted', answer)).toEqual([]);
    expect(defaultRulesConcerning(rules, ossOperator, 'referral_accepted', { ...answer, fromService: null })).toEqual([]);
    // The referral's creation and escalations stay with the receiving service: the referring one is not told of them.
    expect(defaultRulesConcerning(rules, ossOperator, 'referral_created', answer)).toEqual([]);
    expect(defaultRulesConcerning(rules, ossOperator, 'referral_escalated', { ...answer, fromService: undefined })).toEqual([]);
  });

  it('let an email subscription of the referring service’s operator match a referral’s answers, inside their scope only', () => {
    const rule = { subscriptionId: 's', channel: 'email' as const, areaId: null, service: null, role: null, kinds: ['referral'], onlyAssigned: false };
    const ossOperator = { id: 'oss-operator-lucca', active: true, roles: ['operator'], areas: ['lucca'], services: ['oss'] };
    const answer = facts({ kind: 'referral', service: 'employment', role: 'operator', fromService: 'oss' });
    expect(subscriptionMatches({ ...rule, user: ossOperator }, answer)).toBe(true);
    expect(subscriptionMatches({ ...rule, user: ossOperator }, { ...answer, fromService: undefined })).toBe(false);
    expect(subscriptionMatches({ ...rule, user: { ...ossOperator, services: ['social'] } }, answer)).toBe(false);
    expect(subscriptionMatches({ ...rule, user: { ...ossOperator, areas: ['livorno'] } }, answer)).toBe(false);
  });

  it('tell the person a task is reassigned to, and no one else of their service', () => {
    const reassigned = facts({ kind: 'task_assigned', service: 'employment', role: 'operator', assigneeId: 'cpi-counsellor-lucca' });
    expect(defaultRulesConcerning(rules, user({ id: 'cpi-counsellor-lucca' }), 'task_reassigned', reassigned)).toEqual(['tasks-reassigned-to-me']);
    expect(defaultRulesConcerning(rules, user({ id: 'someone-else' }), 'task_reassigned', reassigned)).toEqual([]);
    expect(defaultRulesConcerning(rules, user({ id: 'cpi-counsellor-lucca' }), 'task_reassigned', { ...reassigned, assigneeId: null })).toEqual([]);
  });

  it('tell the receiving area’s manager of a transfer request, not the operators there nor other areas', () => {
    const transfer = facts({ kind: 'case_transfer', areaId: 'lucca', service: null, role: null });
    expect(defaultRulesConcerning(rules, supervisor, 'transfer_requested', transfer)).toEqual(['transfers-to-my-area']);
    expect(defaultRulesConcerning(rules, supervisor, 'transfer_requested', { ...transfer, areaId: 'pistoia' })).toEqual([]);
    expect(defaultRulesConcerning(rules, user(), 'transfer_requested', transfer)).toEqual([]);
  });

  it('tell an inactive user nothing, and reach everywhere only with the scope to match (admins)', () => {
    expect(defaultRulesConcerning(rules, { ...supervisor, active: false }, 'task_escalated', facts())).toEqual([]);
    const admin = user({ id: 'admin', roles: ['admin'], areas: [], services: [] });
    expect(defaultRulesConcerning(rules, admin, 'task_escalated', facts({ role: 'admin', areaId: 'grosseto' }))).toEqual(['escalations-to-my-role']);
    expect(defaultRulesConcerning(rules, admin, 'task_escalated', facts({ areaId: 'grosseto' }))).toEqual([]);
  });

  it('email unless every matched rule is muted by the user or sends no email', () => {
    expect(defaultEmailWanted(rules, ['escalations-in-my-area', 'escalations-to-my-role'], [])).toBe(true);
    expect(defaultEmailWanted(rules, ['escalations-in-my-area', 'escalations-to-my-role'], ['escalations-in-my-area'])).toBe(true);
    expect(defaultEmailWanted(rules, ['escalations-in-my-area', 'escalations-to-my-role'], ['escalations-in-my-area', 'escalations-to-my-role'])).toBe(false);
    const quiet = rules.map((rule) => ({ ...rule, email: false }));
    expect(defaultEmailWanted(quiet, ['tasks-reassigned-to-me'], [])).toBe(false);
  });
});
