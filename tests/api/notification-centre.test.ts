/**
 * The notification centre and default subscriptions on the real stack (PostgreSQL, Temporal, a real
 * worker with its dispatcher, a real SMTP server): with no subscription set up by anyone, the area
 * manager hears of an escalation in their area (centre and email, in Italian), the receiving service
 * of a referral, the assignee of a reassignment; nobody outside the event's scope does; the centre
 * pages, counts and marks read; a user's preferences mute a default's email and switch its language.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { expectProblem, json, startApiHarness, type ApiHarness } from './harness';
import type { CaseDetail } from '../support/api-types';

jest.setTimeout(120_000);

interface CentrePage {
  items: Array<{
    notificationId: string;
    kind: string;
    event: string;
    occurredAt: string;
    caseId: string;
    caseReference: string;
    stepTitle: { it: string } | null;
    readAt: string | null;
    rules: string[];
    level: number | null;
    service: string | null;
    fromService: string | null;
  }>;
  nextCursor: string | null;
  unreadCount: number;
}

let api: ApiHarness;
let smtp: SMTPServer;
const mails: Array<{ to: string[]; raw: string }> = [];
let keys = 0;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  api = await startApiHarness({
    worker: true,
    env: {
      SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      NOTIFICATION_POLL_MS: '100',
      NOTIFICATION_RETRY_BASE_MS: '50',
      NOTIFICATION_DIGEST_CRON: '0 3 1 1 *',
    },
  });
}, 180_000);

afterAll(async () => {
  await api?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The dispatcher has passed every event of the case and sent what it queued for it. */
async function settled(caseId: string): Promise<void> {
  await waitFor(
    `notifications of ${caseId}`,
    async () =>
      (
        await api.pool.query<{ done: boolean }>(
          `SELECT NOT EXISTS (SELECT 1 FROM case_events e, notification_cursor c WHERE e.case_id = $1 AND (e.committed_tx, e.event_no) > (c.committed_tx, c.event_no))
             AND NOT EXISTS (SELECT 1 FROM notification_deliveries WHERE case_id = $1 AND status IN ('pending', 'sending')) AS done`,
          [caseId],
        )
      ).rows[0].done,
    (done) => done,
  );
}

const centre = async (user: string, query = ''): Promise<CentrePage> => {
  const response = await api.request(user, { method: 'GET', url: `/me/notifications${query}` });
  expect(response.statusCode).toBe(200);
  return json<CentrePage>(response);
};
const ofCase = (page: CentrePage, caseId: string) => page.items.filter((item) => item.caseId === caseId);

async function publish(coordinator: string, pathway: { key: string }): Promise<void> {
  expect((await api.request(coordinator, { method: 'POST', url: '/pathways', payload: pathway })).statusCode).toBe(201);
  expect((await api.request(coordinator, { method: 'POST', url: `/pathways/${pathway.key}/draft/publish` })).statusCode).toBe(201);
}

async function startCase(user: string, areaId: string, pathwayKey: string, data: Record<string, unknown> = {}): Promise<CaseDetail> {
  keys += 1;
  const response = await api.request(user, { method: 'POST', url: '/cases', headers: { 'idempotency-key': `centre-${keys}` }, payload: { pathwayKey, areaId, data } });
  expect(response.statusCode).toBe(201);
  return json<CaseDetail>(response);
}

const escalatingPathway = {
  key: 'centre-escalating',
  title: { it: 'Percorso con scadenza immediata' },
  start: 'intake',
  steps: {
    intake: {
      kind: 'task',
      title: { it: 'Accoglienza', en: 'Intake' },
      assignee: { service: 'oss' },
      deadline: { amount: 0, unit: 'minutes' },
      escalation: [{ after: { amount: 0, unit: 'minutes' }, role: 'supervisor' }],
      next: 'done',
    },
    done: { kind: 'end', title: { it: 'Fine' }, outcome: 'completed' },
  },
};

const referralPathway = {
  key: 'centre-referral',
  title: { it: 'Invio al CPI' },
  start: 'refer',
  steps: {
    refer: {
      kind: 'referral',
      title: { it: 'Invio al centro per l’impiego', en: 'Referral to the job centre' },
      from: 'social',
      to: { service: 'employment' },
      deadline: { amount: 10, unit: 'workingDays' },
      rejectionReasons: [{ code: 'not_eligible', label: { it: 'Non idoneo' } }],
      outcomes: [{ code: 'pact_signed', label: { it: 'Patto firmato' } }],
      next: 'done',
    },
    done: { kind: 'end', title: { it: 'Fine' }, outcome: 'completed' },
  },
};

describe('default subscriptions', () => {
  it('tell the area manager of an escalation in their area, in the centre and by an Italian email, and no one else', async () => {
    const { rows } = await api.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM notification_subscriptions');
    expect(rows[0].n).toBe(0);
    await publish('coordinator-livorno', escalatingPathway);
    const started = await startCase('oss-operator-livorno', 'livorno', escalatingPathway.key);
    await settled(started.caseId);

    const page = await waitFor('the escalation in the centre', () => centre('supervisor-livorno'), (value) => ofCase(value, started.caseId).length > 0);
    const [escalation] = ofCase(page, started.caseId);
    expect(escalation).toMatchObject({
      kind: 'task_escalated',
      event: 'task_escalated',
      caseReference: started.reference,
      stepTitle: { it: 'Accoglienza', en: 'Intake' },
      level: 1,
      readAt: null,
      rules: ['escalations-in-my-area', 'escalations-to-my-role'],
    });
    expect(page.unreadCount).toBeGreaterThanOrEqual(1);
    // The operator whose queue it is, and the manager of another area, hear nothing of it.
    expect(ofCase(await centre('oss-operator-livorno'), started.caseId)).toEqual([]);
    expect(ofCase(await centre('supervisor-grosseto'), started.caseId)).toEqual([]);

    const toSupervisor = mails.filter((mail) => mail.to.includes('supervisor-livorno@demo.reticulate.invalid') && mail.raw.includes(started.reference));
    expect(toSupervisor).toHaveLength(1);
    // Italian: "Attività in escalation" (RFC 2047-encoded in the subject), "Fase: Accoglienza" in the body.
    expect(toSupervisor[0].raw).toMatch(/Fase: Accoglienza/);
    // Areas and services by their directory names, not their codes.
    expect(toSupervisor[0].raw).toMatch(/Area: Livorno\r?\n/);
    expect(toSupervisor[0].raw).toMatch(/Servizio: Sportello unico \(OSS\)/);
    expect(toSupervisor[0].raw).toMatch(/CES?T/);
    expect(mails.filter((mail) => mail.raw.includes(started.reference)).flatMap((mail) => mail.to)).toEqual(['supervisor-livorno@demo.reticulate.invalid']);
  });

  it('tell the receiving service of a referral and the person a task is reassigned to', async () => {
    await publish('coordinator-lucca', referralPathway);
    const referred = await startCase('social-worker-lucca', 'lucca', referralPathway.key);
    const reassignedCase = await startCase('outreach-operator-grosseto', 'grosseto', 'oss-integrated-pathway', { targetGroup: 'homeless' });
    const [task] = reassignedCase.openTasks;
    const reassigned = await api.request('supervisor-grosseto', { method: 'POST', url: `/tasks/${task.taskId}/reassign`, payload: { assigneeId: 'outreach-operator-grosseto', reason: 'copertura assenza' } });
    expect(reassigned.statusCode).toBe(200);
    await settled(referred.caseId);
    await settled(reassignedCase.caseId);

    const counsellor = await centre('cpi-counsellor-lucca');
    expect(ofCase(counsellor, referred.caseId)).toEqual([expect.objectContaining({ kind: 'referral', event: 'referral_created', rules: ['referrals-to-my-service'] })]);
    expect(ofCase(await centre('social-worker-lucca'), referred.caseId)).toEqual([]);
    expect(ofCase(await centre('cpi-counsellor-grosseto'), referred.caseId)).toEqual([]);

    const operator = await centre('outreach-operator-grosseto');
    expect(ofCase(operator, reassignedCase.caseId)).toEqual([expect.objectContaining({ kind: 'task_assigned', event: 'task_reassigned', rules: ['tasks-reassigned-to-me'] })]);
    expect(mails.filter((mail) => mail.to.includes('outreach-operator-grosseto@demo.reticulate.invalid') && mail.raw.includes(reassignedCase.reference))).toHaveLength(1);
  });

  it('tell the referring service of the area, and whoever raised the referral, of its answers, and nobody outside the scope', async () => {
    const fromOss = { ...referralPathway, key: 'centre-referral-oss', steps: { ...referralPathway.steps, refer: { ...referralPathway.steps.refer, from: 'oss' } } };
    await publish('coordinator-lucca', fromOss);
    // The area manager raises it (starting the case at the referral step), so the OSS operators hear of it as its service, the manager as its creator.
    const referred = await startCase('supervisor-lucca', 'lucca', fromOss.key);
    await settled(referred.caseId);
    const { rows } = await api.pool.query<{ referral_id: string }>('SELECT referral_id FROM referrals WHERE case_id = $1', [referred.caseId]);
    const accepted = await api.request('cpi-counsellor-lucca', { method: 'POST', url: `/referrals/${rows[0].referral_id}/accept`, payload: {} });
    expect(accepted.statusCode).toBe(200);
    await settled(referred.caseId);

    const oss = await waitFor('the answer in the OSS centre', () => centre('oss-operator-lucca'), (page) => ofCase(page, referred.caseId).length > 0);
    expect(ofCase(oss, referred.caseId)).toEqual([
      expect.objectContaining({ kind: 'referral', event: 'referral_accepted', caseReference: referred.reference, service: 'employment', fromService: 'oss', rules: ['answers-to-my-service-referrals'] }),
    ]);
    const creator = ofCase(await centre('supervisor-lucca'), referred.caseId);
    expect(creator).toEqual([expect.objectContaining({ event: 'referral_accepted', rules: ['answers-to-my-referrals'] })]);
    // The same service in another area, another service of the area, and the receiving service (it answered) hear nothing of the answer.
    expect(ofCase(await centre('oss-operator-livorno'), referred.caseId)).toEqual([]);
    expect(ofCase(await centre('social-worker-lucca'), referred.caseId)).toEqual([]);
    expect(ofCase(await centre('cpi-counsellor-lucca'), referred.caseId).map((item) => item.event)).toEqual(['referral_created']);
    // Both are emailed by default, as the rules say.
    const mailed = mails.filter((mail) => mail.raw.includes(referred.reference) && /invio accettato/.test(mail.raw)).flatMap((mail) => mail.to).sort();
    expect(mailed).toEqual(['oss-operator-lucca@demo.reticulate.invalid', 'supervisor-lucca@demo.reticulate.invalid']);
    const toOss = mails.find((mail) => mail.to.includes('oss-operator-lucca@demo.reticulate.invalid') && mail.raw.includes(referred.reference) && /invio accettato/.test(mail.raw));
    expect(toOss?.raw).toMatch(/Servizio: Centro per l'impiego \(CPI\)/);
    expect(toOss?.raw).toMatch(/Inviato da: Sportello unico \(OSS\)/);

    // An operator moved out of the referring service no longer reads it (the centre narrows on either service at read time).
    await api.pool.query(`UPDATE users SET services = '{social}' WHERE id = 'oss-operator-lucca'`);
    try {
      await waitFor('the move to show', () => centre('oss-operator-lucca'), (page) => ofCase(page, referred.caseId).length === 0, 15_000);
    } finally {
      await api.pool.query(`UPDATE users SET services = '{oss}' WHERE id = 'oss-operator-lucca'`);
    }
  });

  it('tell the receiving area’s manager of a transfer request, without its reason', async () => {
    const started = await startCase('oss-operator-livorno', 'livorno', 'oss-integrated-pathway', { targetGroup: 'homeless' });
    const reason = 'Si è trasferito dalla sorella a Grosseto';
    const asked = await api.request('supervisor-livorno', { method: 'POST', url: `/cases/${started.caseId}/transfer`, headers: { 'idempotency-key': 'centre-transfer-1' }, payload: { areaId: 'grosseto', reason } });
    expect(asked.statusCode).toBe(200);
    await settled(started.caseId);

    const receiving = await waitFor('the transfer in the centre', () => centre('supervisor-grosseto'), (page) => ofCase(page, started.caseId).length > 0);
    expect(ofCase(receiving, started.caseId)).toEqual([expect.objectContaining({ kind: 'case_transfer', event: 'transfer_requested', caseReference: started.reference, rules: ['transfers-to-my-area'] })]);
    expect(JSON.stringify(receiving)).not.toContain('sorella');
    expect(ofCase(await centre('supervisor-pistoia'), started.caseId)).toEqual([]);
    expect(ofCase(await centre('oss-operator-grosseto'), started.caseId)).toEqual([]);
    expect(ofCase(await centre('supervisor-livorno'), started.caseId)).toEqual([]);
    const mailed = mails.filter((mail) => mail.raw.includes(started.reference));
    expect(mailed.flatMap((mail) => mail.to)).toEqual(['supervisor-grosseto@demo.reticulate.invalid']);
    expect(mailed[0].raw).not.toContain('sorella');
  });

  it('can be muted for email per user, and the email language chosen, without touching the centre', async () => {
    expectProblem(
      await api.request('supervisor-livorno', { method: 'PUT', url: '/me/notification-preferences', payload: { locale: 'fr', mutedRules: [] } }),
      400,
      'validation_error',
    );
    const unknown = expectProblem(
      await api.request('supervisor-livorno', { method: 'PUT', url: '/me/notification-preferences', payload: { locale: 'en', mutedRules: ['escalations-in-my-area', 'nope'] } }),
      422,
      'invalid_data',
    );
    expect(unknown.issues?.map((issue) => issue.path)).toEqual([['mutedRules', 1]]);
    // Nothing was half-saved.
    expect(json(await api.request('supervisor-livorno', { method: 'GET', url: '/me/notification-preferences' }))).toMatchObject({ locale: 'it', mutedRules: [] });

    const saved = await api.request('supervisor-livorno', {
      method: 'PUT',
      url: '/me/notification-preferences',
      payload: { locale: 'en', mutedRules: ['escalations-in-my-area', 'escalations-to-my-role'] },
    });
    expect(saved.statusCode).toBe(200);
    const preferences = json<{ locale: string; mutedRules: string[]; rules: Array<{ ruleKey: string; appliesToYou: boolean }> }>(saved);
    expect(preferences.mutedRules).toEqual(['escalations-in-my-area', 'escalations-to-my-role']);
    expect(preferences.rules.find((rule) => rule.ruleKey === 'escalations-in-my-area')?.appliesToYou).toBe(true);
    expect(preferences.rules.find((rule) => rule.ruleKey === 'referrals-to-my-service')?.appliesToYou).toBe(false);

    const started = await startCase('oss-operator-livorno', 'livorno', escalatingPathway.key);
    await settled(started.caseId);
    await waitFor('the escalation in the centre', () => centre('supervisor-livorno'), (value) => ofCase(value, started.caseId).length === 1);
    expect(mails.filter((mail) => mail.raw.includes(started.reference))).toEqual([]);

    // Only the reach mutes: with one rule unmuted, the email comes back, in English.
    expect(
      (await api.request('supervisor-livorno', { method: 'PUT', url: '/me/notification-preferences', payload: { locale: 'en', mutedRules: ['escalations-in-my-area'] } })).statusCode,
    ).toBe(200);
    const again = await startCase('oss-operator-livorno', 'livorno', escalatingPathway.key);
    await settled(again.caseId);
    const english = mails.filter((mail) => mail.raw.includes(again.reference));
    expect(english).toHaveLength(1);
    expect(english[0].raw).toContain(`Subject: [Reticulate] Task escalated (level 1): ${again.reference} / Intake`);
    expect(english[0].raw).toMatch(/Step: Intake/);
    expect(english[0].raw).toMatch(/Service: One Stop Shop \(OSS\)/);
  });
});

describe('the notification centre', () => {
  it('pages newest first, filters unread, counts and marks read (only the reader’s own)', async () => {
    const before = await centre('supervisor-livorno');
    expect(before.items.length).toBeGreaterThanOrEqual(3);
    expect(before.unreadCount).toBe(before.items.length);
    const times = before.items.map((item) => item.occurredAt);
    expect([...times].sort().reverse()).toEqual(times);

    const first = await centre('supervisor-livorno', '?limit=1');
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const second = await centre('supervisor-livorno', `?limit=1&cursor=${first.nextCursor}`);
    expect(second.items[0].notificationId).toBe(before.items[1].notificationId);

    // Someone else's id is ignored, not an error that would tell it exists.
    const others = (await centre('outreach-operator-grosseto')).items[0].notificationId;
    const marked = await api.request('supervisor-livorno', { method: 'POST', url: '/me/notifications/read', payload: { notificationIds: [before.items[0].notificationId, others] } });
    expect(marked.statusCode).toBe(200);
    expect(json(marked)).toEqual({ marked: [before.items[0].notificationId], unreadCount: before.unreadCount - 1 });
    expect((await centre('outreach-operator-grosseto')).items[0].readAt).toBeNull();
    expect(json(await api.request('supervisor-livorno', { method: 'GET', url: '/me/notifications/unread-count' }))).toEqual({ unreadCount: before.unreadCount - 1 });
    const unread = await centre('supervisor-livorno', '?unread=true');
    expect(unread.items.map((item) => item.notificationId)).not.toContain(before.items[0].notificationId);
    expect(unread.items).toHaveLength(before.unreadCount - 1);

    const all = await api.request('supervisor-livorno', { method: 'POST', url: '/me/notifications/read', payload: { all: true } });
    expect(json<{ unreadCount: number; marked: string[] }>(all)).toMatchObject({ unreadCount: 0 });
    expect(json<{ marked: string[] }>(all).marked).toHaveLength(before.unreadCount - 1);
    expect((await centre('supervisor-livorno', '?unread=true')).items).toEqual([]);
  });

  it('refuses bad input with the field path, and narrows to the reader’s current areas', async () => {
    const bad = expectProblem(await api.request('supervisor-livorno', { method: 'POST', url: '/me/notifications/read', payload: { notificationIds: ['x'] } }), 400, 'validation_error');
    expect(JSON.stringify(bad.issues)).toContain('notificationIds');
    expectProblem(await api.request('supervisor-livorno', { method: 'GET', url: '/me/notifications?cursor=bm9wZQ' }), 400, 'validation_error');
    expectProblem(await api.request('supervisor-livorno', { method: 'GET', url: '/me/notifications?limit=0' }), 400, 'validation_error');
    expectProblem(await api.request(null, { method: 'GET', url: '/me/notifications' }), 401, 'unauthorized');

    // A manager moved to another area no longer reads the old area's notifications.
    await api.pool.query(`UPDATE user_notifications SET read_at = NULL WHERE user_id = 'supervisor-livorno'`);
    expect((await centre('supervisor-livorno')).unreadCount).toBeGreaterThan(0);
    await api.pool.query(`UPDATE users SET areas = '{pistoia}' WHERE id = 'supervisor-livorno'`);
    try {
      // The API caches who a user is for a few seconds: the move shows once that runs out.
      const moved = await waitFor('the move to show', () => centre('supervisor-livorno'), (page) => page.items.length === 0, 15_000);
      expect(moved.unreadCount).toBe(0);
    } finally {
      await api.pool.query(`UPDATE users SET areas = '{livorno}' WHERE id = 'supervisor-livorno'`);
    }
  });
});
