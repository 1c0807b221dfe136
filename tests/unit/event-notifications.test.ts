/**
 * What a notification says when the read-model rows have moved on since the event (the dispatcher
 * reads events a moment after they happen): the event's own (opened) details win, and what a kind of
 * event always is (a new task is unassigned and unescalated) is never taken from a later row.
 */
import { notificationOfEvent, type EventRow } from '../../infra/notifications/event-notifications';

const base = 'https://console.example.test';
const claimedSince: NonNullable<EventRow['task']> = {
  areaId: 'lucca',
  service: 'oss',
  role: 'operator',
  assigneeId: 'oss-operator-lucca',
  dueAt: '2026-12-01T22:59:59.000Z',
  escalationLevel: 1,
  escalations: [{ level: 1, role: 'supervisor', service: 'oss' }],
};
const referralNow: NonNullable<EventRow['referral']> = {
  referralId: 'c-1.r3',
  areaId: 'lucca',
  toService: 'employment',
  role: 'operator',
  acceptDueAt: '2026-12-05T22:59:59.000Z',
  escalationLevel: 2,
};
const row = (overrides: Partial<EventRow>): EventRow => ({
  caseId: 'c-1',
  seq: 3,
  type: 'task_created',
  at: '2026-11-26T08:00:00.000Z',
  stepId: 'intake',
  taskId: 'c-1.2',
  details: {},
  caseReference: 'RT-LU-ABC123',
  caseAreaId: 'lucca',
  task: claimedSince,
  referral: null,
  ...overrides,
});

describe('notifications of events whose rows have moved on', () => {
  it('announce a new task as unassigned and unescalated even if it was claimed and escalated since', () => {
    const created = notificationOfEvent(row({ details: { service: 'oss', role: 'operator', dueAt: '2026-11-30T22:59:59.000Z' } }), base);
    expect(created?.facts).toEqual({ kind: 'task_assigned', areaId: 'lucca', service: 'oss', role: 'operator', assigneeId: null });
    expect(created?.message).toMatchObject({ level: 0, assignedToPerson: false, deadline: '2026-11-30T22:59:59.000Z' });
  });

  it('route a referral escalation to the role and service it names, at its own level', () => {
    const details = { referralId: 'c-1.r3', toService: 'employment', acceptDueAt: '2026-12-02T22:59:59.000Z', level: 1, role: 'supervisor', service: 'oss', reassigned: false };
    const escalated = notificationOfEvent(row({ type: 'referral_escalated', taskId: null, referral: referralNow, details }), base);
    expect(escalated?.facts).toEqual({ kind: 'referral', areaId: 'lucca', service: 'oss', role: 'supervisor', assigneeId: null });
    expect(escalated?.message).toMatchObject({ level: 1, deadline: '2026-12-02T22:59:59.000Z', referralId: 'c-1.r3' });
  });

  it('tell the referring service and the referral’s creator of its answers only, never naming the creator in the message', () => {
    const sent = { ...referralNow, fromService: 'oss', creatorId: 'supervisor-lucca' };
    for (const type of ['referral_accepted', 'referral_rejected', 'referral_outcome_recorded']) {
      const answer = notificationOfEvent(row({ type, taskId: null, referral: sent, details: { referralId: 'c-1.r3', toService: 'employment' } }), base);
      expect(answer?.facts).toMatchObject({ service: 'employment', fromService: 'oss', creatorId: 'supervisor-lucca' });
      expect(answer?.message).toMatchObject({ service: 'employment', fromService: 'oss' });
      expect(JSON.stringify(answer?.message)).not.toContain('supervisor-lucca');
    }
    for (const type of ['referral_created', 'referral_reminder_due', 'referral_escalated']) {
      const chase = notificationOfEvent(row({ type, taskId: null, referral: sent, details: {} }), base);
      expect(chase?.facts.fromService).toBeUndefined();
      expect(chase?.facts.creatorId).toBeUndefined();
      expect(chase?.message).not.toHaveProperty('fromService');
    }
  });

  it('fall back to the rows when the details cannot be read (erased person), and announce a new referral at level 0', () => {
    const escalated = notificationOfEvent(row({ type: 'referral_escalated', taskId: null, referral: referralNow, details: undefined }), base);
    expect(escalated?.facts).toMatchObject({ service: 'employment', role: 'operator' });
    expect(escalated?.message).toMatchObject({ level: 2, deadline: referralNow.acceptDueAt });
    const created = notificationOfEvent(row({ type: 'referral_created', taskId: null, referral: referralNow, details: undefined }), base);
    expect(created?.message).toMatchObject({ level: 0, service: 'employment', role: 'operator' });
  });
});

describe('notifications of transfer requests', () => {
  it('go to the receiving area, from the opened details or, once they cannot be read, from the row; never with the reason', () => {
    const transfer = { type: 'transfer_requested', stepId: null, taskId: null, task: null };
    const opened = notificationOfEvent(row({ ...transfer, details: { transferId: 'tr-1', fromAreaId: 'lucca', toAreaId: 'pistoia', reason: 'Trasferito da Mario' } }), base);
    expect(opened?.facts).toEqual({ kind: 'case_transfer', areaId: 'pistoia', service: null, role: null, assigneeId: null });
    expect(opened?.message).toMatchObject({ kind: 'case_transfer', event: 'transfer_requested', areaId: 'pistoia', caseReference: 'RT-LU-ABC123', link: `${base}/cases/c-1` });
    expect(JSON.stringify(opened?.message)).not.toContain('Mario');
    const sealed = notificationOfEvent(row({ ...transfer, details: undefined, transferToAreaId: 'grosseto' }), base);
    expect(sealed?.facts.areaId).toBe('grosseto');
    expect(notificationOfEvent(row({ ...transfer, details: undefined }), base)).toBeNull();
  });
});
