/**
 * Webhook signatures as a receiver checks them, the retry schedule, and which subscriptions a
 * notification goes to.
 */
import { createHmac } from 'node:crypto';
import { isExhausted, retryDelayMs } from '../../infra/notifications/backoff';
import { notificationOfEvent, type EventRow } from '../../infra/notifications/event-notifications';
import { subscriptionMatches, type NotificationFacts, type SubscriptionRule } from '../../domain/notification-matching';
import { renderEmail } from '../../infra/notifications/email-rendering';
import { newWebhookSecret, signWebhookBody, verifyWebhookSignature } from '../../infra/notifications/signing';

const secret = 'whsec_test-secret';
const body = JSON.stringify({ id: 'd1', type: 'task_assigned', data: { caseReference: 'RT-GR-ABC123' } });
const at = new Date('2026-11-26T08:00:00Z');
const t = Math.floor(at.getTime() / 1000);

describe('webhook signatures', () => {
  it('signs HMAC-SHA256 over "<timestamp>.<body>" in the documented header format', () => {
    const header = signWebhookBody(secret, body, t);
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(header).toBe(`t=${t},v1=${expected}`);
    expect(verifyWebhookSignature(secret, header, body, { now: at })).toEqual({ valid: true, timestamp: t });
  });

  it('refuses a changed body, another secret, a stale timestamp and malformed headers', () => {
    const header = signWebhookBody(secret, body, t);
    expect(verifyWebhookSignature(secret, header, body.replace('RT-GR', 'RT-LI'), { now: at })).toEqual({ valid: false, reason: 'mismatch' });
    expect(verifyWebhookSignature('whsec_other', header, body, { now: at })).toEqual({ valid: false, reason: 'mismatch' });
    expect(verifyWebhookSignature(secret, header, body, { now: new Date(at.getTime() + 301_000) })).toEqual({ valid: false, reason: 'expired' });
    // A signature made for a forged timestamp does not match the real one.
    const forged = header.replace(`t=${t}`, `t=${t + 10}`);
    expect(verifyWebhookSignature(secret, forged, body, { now: at })).toEqual({ valid: false, reason: 'mismatch' });
    for (const bad of [undefined, '', 'v1=abc', `t=${t}`, `t=soon,v1=${'0'.repeat(64)}`]) {
      expect(verifyWebhookSignature(secret, bad, body, { now: at })).toEqual({ valid: false, reason: 'malformed' });
    }
  });

  it('accepts any of several v1 values (secret rotation)', () => {
    const header = `${signWebhookBody(secret, body, t)},v1=${'a'.repeat(64)}`;
    const rotated = `t=${t},v1=${'b'.repeat(64)},${header.split(',')[1]}`;
    expect(verifyWebhookSignature(secret, rotated, body, { now: at }).valid).toBe(true);
  });

  it('makes distinct, long secrets', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newWebhookSecret()).not.toBe(a);
  });
});

describe('retry schedule', () => {
  const policy = { maxAttempts: 5, baseMs: 1_000, maxMs: 10_000 };

  it('doubles from the base up to the cap, with jitter in the upper half', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempts) => retryDelayMs(policy, attempts, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect([1, 2, 3, 4, 5].map((attempts) => retryDelayMs(policy, attempts, () => 0))).toEqual([500, 1_000, 2_000, 4_000, 5_000]);
    for (let i = 0; i < 100; i += 1) {
      const delay = retryDelayMs(policy, 3);
      expect(delay).toBeGreaterThanOrEqual(2_000);
      expect(delay).toBeLessThanOrEqual(4_000);
    }
  });

  it('stays finite for absurd attempt counts', () => {
    expect(retryDelayMs(policy, 10_000, () => 1)).toBe(10_000);
  });

  it('gives up after the configured number of attempts', () => {
    expect(isExhausted(policy, 4)).toBe(false);
    expect(isExhausted(policy, 5)).toBe(true);
  });
});

describe('subscription matching', () => {
  const facts: NotificationFacts = { kind: 'task_assigned', areaId: 'grosseto', service: 'social', role: 'operator', assigneeId: 'social-worker-grosseto' };
  const rule = (overrides: Partial<SubscriptionRule> = {}): SubscriptionRule => ({
    subscriptionId: 's1',
    channel: 'webhook',
    areaId: null,
    service: null,
    role: null,
    kinds: ['task_assigned'],
    onlyAssigned: false,
    user: null,
    ...overrides,
  });
  const user = (overrides: Partial<NonNullable<SubscriptionRule['user']>> = {}) => ({
    id: 'social-worker-grosseto',
    active: true,
    roles: ['operator'],
    areas: ['grosseto'],
    services: ['social'],
    ...overrides,
  });

  it('matches when every set filter matches', () => {
    expect(subscriptionMatches(rule(), facts)).toBe(true);
    expect(subscriptionMatches(rule({ areaId: 'grosseto', service: 'social', role: 'operator' }), facts)).toBe(true);
    expect(subscriptionMatches(rule({ kinds: ['task_reminder'] }), facts)).toBe(false);
    expect(subscriptionMatches(rule({ areaId: 'livorno' }), facts)).toBe(false);
    expect(subscriptionMatches(rule({ service: 'oss' }), facts)).toBe(false);
    expect(subscriptionMatches(rule({ role: 'supervisor' }), facts)).toBe(false);
  });

  it("tells a user only about events inside the user's scope", () => {
    const email = (u: NonNullable<SubscriptionRule['user']>, onlyAssigned = false) => rule({ channel: 'email', user: u, onlyAssigned });
    expect(subscriptionMatches(email(user()), facts)).toBe(true);
    expect(subscriptionMatches(email(user({ areas: ['livorno'] })), facts)).toBe(false);
    expect(subscriptionMatches(email(user({ services: ['oss'] })), facts)).toBe(false);
    expect(subscriptionMatches(email(user({ roles: ['supervisor'], services: [] })), facts)).toBe(true);
    expect(subscriptionMatches(email(user({ roles: ['admin'], areas: [] })), facts)).toBe(true);
    expect(subscriptionMatches(email(user({ active: false })), facts)).toBe(false);
    expect(subscriptionMatches(email(user(), true), facts)).toBe(true);
    expect(subscriptionMatches(email(user({ id: 'oss-operator-grosseto', services: ['social'] }), true), facts)).toBe(false);
  });
});

describe('messages of case events', () => {
  const task: NonNullable<EventRow['task']> = {
    areaId: 'grosseto',
    service: 'oss',
    role: 'supervisor',
    assigneeId: null,
    dueAt: '2026-11-27T22:59:59.000Z',
    escalationLevel: 2,
    escalations: [
      { level: 1, role: 'supervisor', service: 'oss' },
      { level: 2, role: 'coordinator', service: 'social' },
    ],
  };
  const row = (overrides: Partial<EventRow>): EventRow => ({
    caseId: 'c-1',
    seq: 4,
    type: 'reminder_due',
    at: '2026-11-27T07:00:00.000Z',
    stepId: 'intake',
    taskId: 't-1',
    details: {},
    caseReference: 'RT-GR-ABC123',
    caseAreaId: 'grosseto',
    task,
    referral: null,
    ...overrides,
  });
  const base = 'https://console.example.test/';

  it('turns a reminder into a task_reminder message with the deadline and a link, and nothing else', () => {
    const result = notificationOfEvent(row({ details: { dueAt: '2026-11-27T22:59:59.000Z', assigneeId: 'oss-operator-grosseto', note: 'Mario' } }), base);
    expect(result?.message).toEqual({
      kind: 'task_reminder',
      event: 'reminder_due',
      occurredAt: '2026-11-27T07:00:00.000Z',
      caseId: 'c-1',
      caseReference: 'RT-GR-ABC123',
      areaId: 'grosseto',
      stepId: 'intake',
      stepTitle: null,
      taskId: 't-1',
      referralId: null,
      service: 'oss',
      role: 'supervisor',
      deadline: '2026-11-27T22:59:59.000Z',
      level: 2,
      assignedToPerson: false,
      link: 'https://console.example.test/tasks/t-1',
    });
    const email = renderEmail(result!.message, 'en');
    expect(email.subject).toBe('[Reticulate] Task reminder: RT-GR-ABC123 / intake');
    expect(email.text).not.toMatch(/Mario|oss-operator/);
  });

  it('reads an escalation from plain details, and from the task row when details are unreadable (encrypted)', () => {
    const plain = notificationOfEvent(row({ type: 'task_escalated', details: { level: 1, role: 'supervisor', service: 'oss' } }), base);
    expect(plain?.message).toMatchObject({ kind: 'task_escalated', level: 1, role: 'supervisor', service: 'oss' });
    const sealed = notificationOfEvent(row({ type: 'task_escalated', details: { ciphertext: 'AAAA' } }), base);
    expect(sealed?.message).toMatchObject({ kind: 'task_escalated', level: 2, role: 'coordinator', service: 'social' });
    expect(sealed?.facts).toEqual({ kind: 'task_escalated', areaId: 'grosseto', service: 'social', role: 'coordinator', assigneeId: null });
  });

  it('knows who a task was reassigned to without saying it', () => {
    const result = notificationOfEvent(row({ type: 'task_reassigned', details: { from: null, to: 'social-worker-grosseto', reason: 'cover' } }), base);
    expect(result?.facts.assigneeId).toBe('social-worker-grosseto');
    expect(result?.message.assignedToPerson).toBe(true);
    expect(JSON.stringify(result?.message)).not.toMatch(/social-worker|cover/);
  });

  it('describes referral events from the referral row, and ignores events nobody is notified of', () => {
    const referral = { referralId: 'r-1', areaId: 'grosseto', toService: 'employment', role: 'operator', acceptDueAt: '2026-12-01T22:59:59.000Z', escalationLevel: 0 };
    const result = notificationOfEvent(row({ type: 'referral_rejected', taskId: null, referral, details: { reasonCode: 'not_eligible' } }), base);
    expect(result?.message).toMatchObject({ kind: 'referral', event: 'referral_rejected', referralId: 'r-1', service: 'employment', role: 'operator', deadline: referral.acceptDueAt, link: 'https://console.example.test/cases/c-1' });
    expect(notificationOfEvent(row({ type: 'referral_created', referral: null }), base)).toBeNull();
    expect(notificationOfEvent(row({ type: 'note_added' }), base)).toBeNull();
    expect(notificationOfEvent(row({ type: 'task_created', task: null }), base)).toBeNull();
  });
});
