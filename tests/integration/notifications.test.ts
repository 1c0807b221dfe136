/**
 * Notifications end to end, against a real SMTP server (smtp-server) and a real webhook receiver
 * (node:http) that verifies every signature: events of real cases (started and driven through the
 * API, with a real worker running the dispatcher) become exactly one signed webhook call and one
 * email per subscription; failing receivers get retries, then the dead-letter list, and a replay
 * delivers once they are fixed; the supervisor digest lists exactly the stalled cases of the
 * supervisor's areas; and no message ever carries what was typed into a case.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { ensurePersonKeys } from '../../infra/codec/personal-data';
import { createPool } from '../../infra/db/pool';
import { verifyWebhookSignature } from '../../infra/notifications/signing';
import { digestScheduleId, ensureDigestSchedule, startNotificationDispatcher, type NotificationDispatcher } from '../../workers/notification-dispatcher';
import { expectProblem, json, startApiHarness, type ApiHarness } from '../api/harness';
import type { CaseDetail } from '../support/api-types';

jest.setTimeout(120_000);

interface WebhookCall {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
  signatureValid: boolean;
}

interface Mail {
  to: string[];
  raw: string;
  subject: string;
  text: string;
}

const CANARY_PLACE = 'CANARY-PLACE-via-Roma-12';
const CANARY_NOTE = 'CANARY-NOTE-Mario-Rossi-1970';
const MAX_ATTEMPTS = 3;

let api: ApiHarness;
let smtp: SMTPServer;
let receiver: Server;
let receiverUrl: string;
/** A second dispatcher on its own connections, as in another worker process: every "exactly one" below holds with two competing. */
let rivalPool: pg.Pool;
let rival: NotificationDispatcher;
const mails: Mail[] = [];
const calls: WebhookCall[] = [];
/** Per receiver path: the subscription secret and how the receiver answers. */
const endpoints = new Map<string, { secret: string; failuresLeft: number; hangsLeft: number; down: boolean }>();

function unfold(headerBlock: string): string {
  return headerBlock.replace(/\r?\n[ \t]+/g, ' ');
}

/** Quoted-printable to text: the escapes are bytes of UTF-8, so they are decoded as bytes. */
function fromQuotedPrintable(encoded: string): string {
  const bytes: number[] = [];
  const soft = encoded.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i += 1) {
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(soft[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A header with RFC 2047 encoded words (Italian subjects have accents) as text. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, encoding: string, word: string) =>
      encoding.toUpperCase() === 'B' ? Buffer.from(word, 'base64').toString('utf8') : fromQuotedPrintable(word.replace(/_/g, ' ')),
    );
}

function parseMail(raw: string, to: string[]): Mail {
  const split = raw.indexOf('\r\n\r\n');
  const headers = unfold(raw.slice(0, split));
  const subject = decodeHeader(/^subject: (.*)$/im.exec(headers)?.[1] ?? '');
  const transferEncoding = /^content-transfer-encoding: (.*)$/im.exec(headers)?.[1]?.trim().toLowerCase();
  let text = raw.slice(split + 4);
  if (transferEncoding === 'quoted-printable') text = fromQuotedPrintable(text);
  else if (transferEncoding === 'base64') text = Buffer.from(text, 'base64').toString('utf8');
  return { to, raw, subject, text };
}

async function startSmtp(): Promise<number> {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((rcpt) => rcpt.address)));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  return (smtp.server.address() as AddressInfo).port;
}

async function startReceiver(): Promise<void> {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = request.url ?? '/';
      const endpoint = endpoints.get(path);
      const signatureValid = endpoint !== undefined && verifyWebhookSignature(endpoint.secret, request.headers['reticulate-signature'] as string | undefined, body).valid;
      if (endpoint && endpoint.hangsLeft > 0) {
        // Never answered: the sender's timeout must end the attempt.
        endpoint.hangsLeft -= 1;
        calls.push({ path, headers: request.headers, body, status: 0, signatureValid });
        return;
      }
      let status = signatureValid ? 204 : 401;
      if (endpoint && endpoint.down) status = 503;
      else if (endpoint && endpoint.failuresLeft > 0) {
        endpoint.failuresLeft -= 1;
        status = 500;
      }
      calls.push({ path, headers: request.headers, body, status, signatureValid });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const smtpPort = await startSmtp();
  await startReceiver();
  api = await startApiHarness({
    worker: true,
    env: {
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      NOTIFICATION_EMAIL_FROM: 'Reticulate test <notifications@test.invalid>',
      NOTIFICATION_LINK_BASE_URL: 'https://console.example.test',
      NOTIFICATION_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      NOTIFICATION_RETRY_BASE_MS: '50',
      NOTIFICATION_RETRY_MAX_MS: '200',
      NOTIFICATION_POLL_MS: '100',
      NOTIFICATION_SEND_TIMEOUT_MS: '1000',
      // Never fires during the run: the digest is run on demand below.
      NOTIFICATION_DIGEST_CRON: '0 3 1 1 *',
    },
  });
  rivalPool = createPool(api.config.databaseUrl!);
  rival = startNotificationDispatcher({ pool: rivalPool, settings: api.config.notifications, keys: ensurePersonKeys(rivalPool, api.config) });
}, 180_000);

afterAll(async () => {
  await rival?.stop();
  await rivalPool?.end();
  await api?.close();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

/** Polls until `check` holds (each check is a real read; the bound only stops a hung test). */
async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The dispatcher has passed every event of the case and nothing is waiting to be sent or retried. */
async function settled(caseId: string): Promise<void> {
  await waitFor(`notifications of ${caseId} to settle`, async () => {
    const { rows } = await api.pool.query<{ done: boolean }>(
      `SELECT NOT EXISTS (SELECT 1 FROM case_events e, notification_cursor c
                          WHERE e.case_id = $1 AND (e.committed_tx, e.event_no) > (c.committed_tx, c.event_no))
          AND NOT EXISTS (SELECT 1 FROM notification_deliveries WHERE case_id = $1 AND status IN ('pending', 'sending')) AS done`,
      [caseId],
    );
    return rows[0].done;
  });
}

const admin = 'admin';
let keys = 0;

async function subscribe(body: Record<string, unknown>): Promise<{ subscriptionId: string; secret: string | null }> {
  const response = await api.request(admin, { method: 'POST', url: '/notifications/subscriptions', payload: body });
  expect(response.statusCode).toBe(201);
  return json<{ subscriptionId: string; secret: string | null }>(response);
}

async function webhookEndpoint(
  path: string,
  filters: Record<string, unknown>,
  behaviour: { failuresLeft?: number; hangsLeft?: number; down?: boolean } = {},
): Promise<string> {
  const { subscriptionId, secret } = await subscribe({ channel: 'webhook', url: `${receiverUrl}${path}`, ...filters });
  expect(secret).toMatch(/^whsec_/);
  endpoints.set(path, { secret: secret!, failuresLeft: behaviour.failuresLeft ?? 0, hangsLeft: behaviour.hangsLeft ?? 0, down: behaviour.down ?? false });
  return subscriptionId;
}

async function startCase(user: string, areaId: string, pathwayKey: string, data: Record<string, unknown>): Promise<CaseDetail> {
  keys += 1;
  const response = await api.request(user, {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': `notify-${keys}` },
    payload: { pathwayKey, areaId, data },
  });
  expect(response.statusCode).toBe(201);
  return json<CaseDetail>(response);
}

const dataOf = (call: WebhookCall) => (JSON.parse(call.body) as { id: string; type: string; data: Record<string, unknown> }).data;
/** The calls a receiver path got for a case, in the order the events happened (deliveries of different workers may cross). */
const callsOf = (path: string, caseId?: string) =>
  calls
    .filter((call) => call.path === path && (caseId === undefined || dataOf(call).caseId === caseId))
    .sort((a, b) => String(dataOf(a).occurredAt).localeCompare(String(dataOf(b).occurredAt)));

/** A pathway whose task is due at once and escalates to the supervisor at once (reminders only fire in the future). */
const ESCALATING = 'notify-escalating';
const escalatingPathway = {
  key: ESCALATING,
  title: { it: 'Percorso con scadenza immediata' },
  caseFields: [{ key: 'note', type: 'text', label: { it: 'Nota' } }],
  start: 'intake',
  steps: {
    intake: {
      kind: 'task',
      title: { it: 'Accoglienza' },
      assignee: { service: 'oss' },
      deadline: { amount: 0, unit: 'minutes' },
      escalation: [{ after: { amount: 0, unit: 'minutes' }, role: 'supervisor' }],
      form: { fields: [{ key: 'alias', type: 'text', label: { it: 'Alias' } }] },
      next: 'done',
    },
    done: { kind: 'end', title: { it: 'Fine' }, outcome: 'completed' },
  },
};

describe('subscriptions', () => {
  it('are admin-only, validated with field paths, and deletable', async () => {
    expectProblem(await api.request('supervisor-grosseto', { method: 'GET', url: '/notifications/subscriptions' }), 403, 'forbidden');
    const malformed = expectProblem(
      await api.request(admin, { method: 'POST', url: '/notifications/subscriptions', payload: { channel: 'webhook', url: 'ftp://x', kinds: [] } }),
      400,
      'validation_error',
    );
    expect(malformed.issues?.map((issue) => issue.path)).toEqual(expect.arrayContaining([['url'], ['kinds']]));
    const both = expectProblem(
      await api.request(admin, { method: 'POST', url: '/notifications/subscriptions', payload: { channel: 'email', kinds: ['task_reminder'] } }),
      400,
      'validation_error',
    );
    expect(both.issues?.map((issue) => issue.path)).toEqual([['userId']]);
    const unknown = expectProblem(
      await api.request(admin, {
        method: 'POST',
        url: '/notifications/subscriptions',
        payload: { channel: 'email', userId: 'nobody', areaId: 'atlantis', service: 'housing', kinds: ['task_reminder'] },
      }),
      422,
      'invalid_data',
    );
    expect(unknown.issues?.map((issue) => issue.path)).toEqual([['areaId'], ['service'], ['userId']]);

    const created = await subscribe({ channel: 'email', address: 'team@test.invalid', areaId: 'pistoia', kinds: ['task_reminder'] });
    expect(created.secret).toBeNull();
    const listed = json<{ items: Array<{ subscriptionId: string; url: string | null }> }>(await api.request(admin, { method: 'GET', url: '/notifications/subscriptions?limit=100' }));
    expect(listed.items.map((item) => item.subscriptionId)).toContain(created.subscriptionId);
    expect(JSON.stringify(listed)).not.toContain('whsec_');
    expect((await api.request(admin, { method: 'DELETE', url: `/notifications/subscriptions/${created.subscriptionId}` })).statusCode).toBe(204);
    expectProblem(await api.request(admin, { method: 'DELETE', url: `/notifications/subscriptions/${created.subscriptionId}` }), 404, 'not_found');
  });
});

describe('delivery of case events', () => {
  it('sends one signed webhook call per event and one email to the person a task is reassigned to', async () => {
    await webhookEndpoint('/grosseto', { areaId: 'grosseto', kinds: ['task_assigned', 'task_reminder', 'task_escalated'] });
    await subscribe({ channel: 'email', userId: 'outreach-operator-grosseto', onlyAssigned: true, kinds: ['task_assigned'] });

    const started = await startCase('outreach-operator-grosseto', 'grosseto', 'oss-integrated-pathway', { targetGroup: 'homeless' });
    const [task] = started.openTasks;
    const reassigned = await api.request('supervisor-grosseto', {
      method: 'POST',
      url: `/tasks/${task.taskId}/reassign`,
      payload: { assigneeId: 'outreach-operator-grosseto', reason: 'absence cover' },
    });
    expect(reassigned.statusCode).toBe(200);
    await settled(started.caseId);

    // task_created (to the outreach queue), then task_reassigned (to a person): one call each.
    const caseCalls = callsOf('/grosseto', started.caseId);
    expect(caseCalls.map((call) => dataOf(call).event)).toEqual(['task_created', 'task_reassigned']);
    expect(caseCalls.every((call) => call.signatureValid && call.status === 204)).toBe(true);
    expect(new Set(caseCalls.map((call) => call.headers['reticulate-delivery'])).size).toBe(2);
    expect(caseCalls[0].headers['reticulate-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(dataOf(caseCalls[1])).toMatchObject({
      kind: 'task_assigned',
      caseId: started.caseId,
      caseReference: started.reference,
      areaId: 'grosseto',
      stepId: 'outreach',
      taskId: task.taskId,
      service: 'outreach',
      deadline: task.dueAt,
      level: 0,
      assignedToPerson: true,
      link: `https://console.example.test/tasks/${task.taskId}`,
    });

    const toOperator = mails.filter((mail) => mail.to.includes('outreach-operator-grosseto@demo.reticulate.invalid'));
    expect(toOperator).toHaveLength(1);
    // Italian (no preference set), with the step's title and the deadline in Europe/Rome, never UTC.
    expect(toOperator[0].subject).toBe(`[Reticulate] Attività assegnata: ${started.reference} / Aggancio e invio`);
    expect(toOperator[0].text).toContain('Evento: attività riassegnata');
    expect(toOperator[0].text).toMatch(/Scadenza: \d{1,2} [a-z]+ \d{4} alle ore \d{2}:\d{2} CES?T/);
    expect(toOperator[0].text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(toOperator[0].text).toContain(`Apri: https://console.example.test/tasks/${task.taskId}`);

    // Completing the task with a canary value: the next task is announced, the value never is.
    const done = await api.request('outreach-operator-grosseto', {
      method: 'POST',
      url: `/tasks/${task.taskId}/complete`,
      headers: { 'idempotency-key': 'notify-outreach-done' },
      payload: { data: { source: 'street', place: CANARY_PLACE, urgent: false } },
    });
    expect(done.statusCode).toBe(200);
    await settled(started.caseId);
    expect(callsOf('/grosseto', started.caseId).map((call) => `${dataOf(call).event}:${dataOf(call).stepId}`)).toEqual([
      'task_created:outreach',
      'task_reassigned:outreach',
      'task_created:intake',
    ]);
  });

  it('announces an escalation that fires on a real case, to the webhook and to the supervisor by email', async () => {
    const coordinator = 'coordinator-livorno';
    expect((await api.request(coordinator, { method: 'POST', url: '/pathways', payload: escalatingPathway })).statusCode).toBe(201);
    expect((await api.request(coordinator, { method: 'POST', url: `/pathways/${ESCALATING}/draft/publish` })).statusCode).toBe(201);
    await webhookEndpoint('/livorno', { areaId: 'livorno', kinds: ['task_reminder', 'task_escalated'] });
    await subscribe({ channel: 'email', userId: 'supervisor-livorno', role: 'supervisor', kinds: ['task_escalated'] });

    const started = await startCase('oss-operator-livorno', 'livorno', ESCALATING, { note: CANARY_NOTE });
    await settled(started.caseId);

    const caseCalls = callsOf('/livorno', started.caseId);
    expect(caseCalls.map((call) => dataOf(call).kind)).toEqual(['task_escalated']);
    expect(caseCalls.every((call) => call.signatureValid)).toBe(true);
    expect(dataOf(caseCalls[0])).toMatchObject({ event: 'task_escalated', level: 1, role: 'supervisor', service: 'oss', stepId: 'intake', caseReference: started.reference });

    const toSupervisor = mails.filter((mail) => mail.to.includes('supervisor-livorno@demo.reticulate.invalid'));
    expect(toSupervisor.map((mail) => mail.subject)).toEqual([`[Reticulate] Attività in escalation (livello 1): ${started.reference} / Accoglienza`]);
  });

  it('retries a failing receiver with backoff until it answers', async () => {
    await webhookEndpoint('/flaky', { areaId: 'pistoia', kinds: ['task_assigned'] }, { failuresLeft: MAX_ATTEMPTS - 1 });
    const started = await startCase('outreach-operator-pistoia', 'pistoia', 'oss-integrated-pathway', { targetGroup: 'family_with_minors' });
    await settled(started.caseId);

    const attempts = callsOf('/flaky', started.caseId);
    expect(attempts.map((call) => call.status)).toEqual([500, 500, 204]);
    // The same delivery every time, signed afresh and validly each time.
    expect(new Set(attempts.map((call) => call.headers['reticulate-delivery'])).size).toBe(1);
    expect(attempts.every((call) => call.signatureValid)).toBe(true);
    const { rows } = await api.pool.query('SELECT status, attempts, last_error FROM notification_deliveries WHERE case_id = $1', [started.caseId]);
    expect(rows).toEqual([{ status: 'sent', attempts: MAX_ATTEMPTS, last_error: null }]);

    // A worker that claimed a delivery and died leaves a lease; once it ends, another worker sends it.
    const orphan = await api.pool.query<{ delivery_id: string }>(
      `INSERT INTO notification_deliveries (dedupe_key, subscription_id, channel, kind, case_id, event_seq, message, status, attempts, next_attempt_at)
       SELECT 'test:orphaned-claim', subscription_id, channel, kind, case_id, event_seq, message, 'sending', 1, now() - interval '1 second'
       FROM notification_deliveries WHERE case_id = $1 RETURNING delivery_id`,
      [started.caseId],
    );
    const orphanId = orphan.rows[0].delivery_id;
    await settled(started.caseId);
    expect(callsOf('/flaky', started.caseId).filter((call) => call.headers['reticulate-delivery'] === orphanId).map((call) => call.status)).toEqual([204]);
    const { rows: recovered } = await api.pool.query('SELECT status, attempts FROM notification_deliveries WHERE delivery_id = $1', [orphanId]);
    expect(recovered).toEqual([{ status: 'sent', attempts: 2 }]);
  });

  it('ends an attempt the receiver never answers at the timeout, and retries it', async () => {
    await webhookEndpoint('/slow', { areaId: 'pistoia', kinds: ['task_assigned'] }, { hangsLeft: 1 });
    const started = await startCase('oss-operator-pistoia', 'pistoia', 'oss-integrated-pathway', { targetGroup: 'homeless' });
    await settled(started.caseId);

    expect(callsOf('/slow', started.caseId).map((call) => call.status)).toEqual([0, 204]);
    const { rows } = await api.pool.query(
      `SELECT d.status, d.attempts FROM notification_deliveries d JOIN notification_subscriptions s USING (subscription_id)
       WHERE d.case_id = $1 AND s.url LIKE '%/slow'`,
      [started.caseId],
    );
    expect(rows).toEqual([{ status: 'sent', attempts: 2 }]);
  });

  it('puts a delivery that keeps failing in the dead letters, and a replay delivers it once the receiver is fixed', async () => {
    const subscriptionId = await webhookEndpoint('/down', { areaId: 'lucca', kinds: ['task_assigned'] }, { down: true });
    const started = await startCase('outreach-operator-lucca', 'lucca', 'oss-integrated-pathway', { targetGroup: 'homeless' });
    await settled(started.caseId);

    expect(callsOf('/down', started.caseId).map((call) => call.status)).toEqual([503, 503, 503]);
    const deadLetters = json<{ items: Array<{ deliveryId: string; attempts: number; lastError: string; kind: string; message: Record<string, unknown> }> }>(
      await api.request(admin, { method: 'GET', url: `/notifications/dead-letters?subscriptionId=${subscriptionId}` }),
    );
    expect(deadLetters.items).toHaveLength(1);
    const [dead] = deadLetters.items;
    expect(dead).toMatchObject({ attempts: MAX_ATTEMPTS, lastError: 'webhook answered HTTP 503', kind: 'task_assigned' });
    expect(dead.message).toMatchObject({ caseReference: started.reference, event: 'task_created' });
    expectProblem(await api.request('supervisor-lucca', { method: 'GET', url: '/notifications/dead-letters' }), 403, 'forbidden');

    endpoints.get('/down')!.down = false;
    const replay = await api.request(admin, { method: 'POST', url: '/notifications/dead-letters/replay', payload: { deliveryIds: [dead.deliveryId] } });
    expect(json(replay)).toEqual({ replayed: [dead.deliveryId], notDead: [] });
    await settled(started.caseId);

    expect(callsOf('/down', started.caseId).map((call) => call.status)).toEqual([503, 503, 503, 204]);
    expect(callsOf('/down', started.caseId)[3].headers['reticulate-delivery']).toBe(dead.deliveryId);
    expect(json<{ items: unknown[] }>(await api.request(admin, { method: 'GET', url: `/notifications/dead-letters?subscriptionId=${subscriptionId}` })).items).toEqual([]);
    // Replaying what is no longer dead changes nothing.
    expect(json(await api.request(admin, { method: 'POST', url: '/notifications/dead-letters/replay', payload: { deliveryIds: [dead.deliveryId] } }))).toEqual({
      replayed: [],
      notDead: [dead.deliveryId],
    });
    expectProblem(await api.request(admin, { method: 'POST', url: '/notifications/dead-letters/replay', payload: {} }), 400, 'validation_error');
  });

  it('follows a referral loop: created for the receiving service, then rejected with a reason code', async () => {
    const coordinator = 'coordinator-pistoia';
    const referralPathway = {
      key: 'notify-referral',
      title: { it: 'Invio al CPI' },
      start: 'refer',
      steps: {
        refer: {
          kind: 'referral',
          title: { it: 'Invio al centro per l’impiego' },
          from: 'social',
          to: { service: 'employment' },
          deadline: { amount: 5, unit: 'calendarDays' },
          rejectionReasons: [{ code: 'not_eligible', label: { it: 'Non idoneo' } }],
          outcomes: [{ code: 'pact_signed', label: { it: 'Patto firmato' } }],
          next: 'done',
        },
        done: { kind: 'end', title: { it: 'Fine' }, outcome: 'completed' },
      },
    };
    expect((await api.request(coordinator, { method: 'POST', url: '/pathways', payload: referralPathway })).statusCode).toBe(201);
    expect((await api.request(coordinator, { method: 'POST', url: '/pathways/notify-referral/draft/publish' })).statusCode).toBe(201);
    await webhookEndpoint('/referrals', { areaId: 'pistoia', service: 'employment', kinds: ['referral'] });

    const started = await startCase('social-worker-pistoia', 'pistoia', 'notify-referral', {});
    const { rows } = await api.pool.query<{ referral_id: string; accept_due_at: Date }>('SELECT referral_id, accept_due_at FROM referrals WHERE case_id = $1', [started.caseId]);
    expect(rows).toHaveLength(1);
    const [{ referral_id: referralId, accept_due_at: acceptDueAt }] = rows;
    const rejected = await api.request('cpi-counsellor-pistoia', {
      method: 'POST',
      url: `/referrals/${referralId}/reject`,
      payload: { reasonCode: 'not_eligible', note: CANARY_NOTE },
    });
    expect(rejected.statusCode).toBe(200);
    await settled(started.caseId);

    const loop = callsOf('/referrals', started.caseId);
    expect(loop.map((call) => dataOf(call).event)).toEqual(['referral_created', 'referral_rejected']);
    expect(loop.every((call) => call.signatureValid)).toBe(true);
    expect(dataOf(loop[0])).toMatchObject({
      kind: 'referral',
      referralId,
      service: 'employment',
      role: 'operator',
      stepId: 'refer',
      deadline: acceptDueAt.toISOString(),
      caseReference: started.reference,
      link: `https://console.example.test/cases/${started.caseId}`,
    });
  });
});

describe('supervisor digest', () => {
  it('is scheduled daily in Europe/Rome, idempotently', async () => {
    const handle = api.temporal.schedule.getHandle(digestScheduleId(api.config.taskQueue));
    const description = await handle.describe();
    expect(description.spec.timezone).toBe('Europe/Rome');
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'supervisorDigest', taskQueue: api.config.taskQueue });
    expect(await ensureDigestSchedule(api.temporal, api.config.taskQueue, '0 3 1 1 *')).toBe('unchanged');
  });

  it('mails each supervisor exactly the stalled cases of their own areas', async () => {
    // The livorno case of the escalation test is stalled (overdue and escalated); one more in grosseto.
    const grosseto = await startCase('oss-operator-grosseto', 'grosseto', ESCALATING, { note: CANARY_NOTE });
    const { rows: livornoCases } = await api.pool.query<{ reference: string }>(`SELECT reference FROM cases WHERE pathway_key = $1 AND area_id = 'livorno'`, [ESCALATING]);
    expect(livornoCases).toHaveLength(1);
    const before = mails.length;

    const run = await api.request(admin, { method: 'POST', url: '/notifications/digest/run' });
    expect(run.statusCode).toBe(200);
    expect(json(run)).toMatchObject({ supervisors: 2, queued: 2, skippedNoSmtp: false });
    await waitFor('two digests', async () => {
      const { rows } = await api.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM notification_deliveries WHERE kind = 'supervisor_digest' AND status = 'sent'`);
      return rows[0].n === 2;
    });

    const digests = mails.slice(before).filter((mail) => mail.subject.startsWith('[Reticulate] Casi fermi'));
    expect(digests.map((mail) => mail.to).sort()).toEqual([['supervisor-grosseto@demo.reticulate.invalid'], ['supervisor-livorno@demo.reticulate.invalid']]);
    const toGrosseto = digests.find((mail) => mail.to.includes('supervisor-grosseto@demo.reticulate.invalid'))!;
    const toLivorno = digests.find((mail) => mail.to.includes('supervisor-livorno@demo.reticulate.invalid'))!;
    // Areas by their directory names, not their ids.
    expect(toGrosseto.subject).toBe('[Reticulate] Casi fermi: 1 in Grosseto');
    expect(toGrosseto.text).toContain(`- ${grosseto.reference} [Grosseto]`);
    expect(toGrosseto.text).toContain(grosseto.reference);
    expect(toGrosseto.text).toMatch(/attività scaduta dal \d{1,2} [a-z]+ \d{4} alle ore \d{2}:\d{2} CES?T/);
    expect(toGrosseto.text).not.toContain(livornoCases[0].reference);
    expect(toLivorno.subject).toBe('[Reticulate] Casi fermi: 1 in Livorno');
    expect(toLivorno.text).toContain(livornoCases[0].reference);
    expect(toLivorno.text).not.toContain(grosseto.reference);
    // Every reference a digest lists is a case reference: exactly one per digest.
    for (const mail of [toGrosseto, toLivorno]) expect(mail.text.match(/RT-[A-Z]{2,3}-[A-Z0-9]+/g)?.filter((ref, i, all) => all.indexOf(ref) === i)).toHaveLength(1);
  });
});

describe('referral escalation', () => {
  // After the digest: this case is stalled (its referral was not accepted in time) and would change the digests above.
  it('reaches the escalation role and service named in the sealed event details, not the receiving role', async () => {
    const coordinator = 'coordinator-lucca';
    const pathway = {
      key: 'notify-referral-escalating',
      title: { it: 'Invio al CPI con scadenza immediata' },
      start: 'refer',
      steps: {
        refer: {
          kind: 'referral',
          title: { it: 'Invio al centro per l’impiego' },
          from: 'social',
          to: { service: 'employment' },
          deadline: { amount: 0, unit: 'minutes' },
          // Not reassigned: the referral stays with the CPI operator, the OSS supervisor is told.
          escalation: [{ after: { amount: 0, unit: 'minutes' }, role: 'supervisor', service: 'oss' }],
          rejectionReasons: [{ code: 'not_eligible', label: { it: 'Non idoneo' } }],
          outcomes: [{ code: 'pact_signed', label: { it: 'Patto firmato' } }],
          next: 'done',
        },
        done: { kind: 'end', title: { it: 'Fine' }, outcome: 'completed' },
      },
    };
    expect((await api.request(coordinator, { method: 'POST', url: '/pathways', payload: pathway })).statusCode).toBe(201);
    expect((await api.request(coordinator, { method: 'POST', url: `/pathways/${pathway.key}/draft/publish` })).statusCode).toBe(201);
    await webhookEndpoint('/lucca-referrals', { areaId: 'lucca', kinds: ['referral'] });
    await subscribe({ channel: 'email', userId: 'supervisor-lucca', role: 'supervisor', kinds: ['referral'] });
    const before = mails.length;

    const started = await startCase('social-worker-lucca', 'lucca', pathway.key, {});
    await settled(started.caseId);

    const loop = callsOf('/lucca-referrals', started.caseId);
    expect(loop.map((call) => dataOf(call).event)).toEqual(['referral_created', 'referral_escalated']);
    expect(dataOf(loop[0])).toMatchObject({ role: 'operator', service: 'employment', level: 0 });
    expect(dataOf(loop[1])).toMatchObject({ role: 'supervisor', service: 'oss', level: 1, caseReference: started.reference });
    const toSupervisor = mails.slice(before).filter((mail) => mail.to.includes('supervisor-lucca@demo.reticulate.invalid'));
    expect(toSupervisor).toHaveLength(1);
    expect(toSupervisor[0].text).toContain(started.reference);
  });
});

describe('task reminder', () => {
  // After the digest too: the task is overdue until it is extended.
  it('goes out when a reminder of a real case fires, with the deadline it reminds of', async () => {
    const coordinator = 'coordinator-lucca';
    const pathway = {
      key: 'notify-reminder',
      title: { it: 'Percorso con promemoria' },
      start: 'intake',
      steps: {
        intake: {
          kind: 'task',
          title: { it: 'Accoglienza' },
          assignee: { service: 'oss' },
          // Due at once, so the reminder (at the deadline) is laid out only once the supervisor moves the deadline a moment ahead.
          deadline: { amount: 0, unit: 'minutes' },
          reminders: [{ before: { amount: 0, unit: 'minutes' } }],
          next: 'done',
        },
        done: { kind: 'end', title: { it: 'Fine' }, outcome: 'completed' },
      },
    };
    expect((await api.request(coordinator, { method: 'POST', url: '/pathways', payload: pathway })).statusCode).toBe(201);
    expect((await api.request(coordinator, { method: 'POST', url: `/pathways/${pathway.key}/draft/publish` })).statusCode).toBe(201);
    await webhookEndpoint('/lucca-reminders', { areaId: 'lucca', kinds: ['task_reminder'] });
    await subscribe({ channel: 'email', userId: 'oss-operator-lucca', kinds: ['task_reminder'] });
    // English by the recipient's own preference.
    expect((await api.request('oss-operator-lucca', { method: 'PUT', url: '/me/notification-preferences', payload: { locale: 'en', mutedRules: [] } })).statusCode).toBe(200);
    const before = mails.length;

    const started = await startCase('oss-operator-lucca', 'lucca', pathway.key, {});
    const [task] = started.openTasks;
    const newDueAt = new Date(Date.now() + 3_000).toISOString();
    const extended = await api.request('supervisor-lucca', { method: 'POST', url: `/tasks/${task.taskId}/extend`, payload: { newDueAt, reason: 'Appuntamento spostato' } });
    expect(extended.statusCode).toBe(200);
    await waitFor('the reminder to fire', async () => {
      const { rows } = await api.pool.query(`SELECT 1 FROM case_events WHERE case_id = $1 AND type = 'reminder_due'`, [started.caseId]);
      return rows.length === 1;
    });
    await settled(started.caseId);

    const reminders = callsOf('/lucca-reminders', started.caseId);
    expect(reminders).toHaveLength(1);
    expect(reminders[0].signatureValid).toBe(true);
    expect(dataOf(reminders[0])).toMatchObject({ kind: 'task_reminder', event: 'reminder_due', taskId: task.taskId, service: 'oss', deadline: newDueAt, caseReference: started.reference });
    const toOperator = mails.slice(before).filter((mail) => mail.to.includes('oss-operator-lucca@demo.reticulate.invalid'));
    expect(toOperator.map((mail) => mail.subject)).toEqual([`[Reticulate] Task reminder: ${started.reference} / Accoglienza`]);
    expect(toOperator[0].text).toMatch(/Deadline: \d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2} CES?T/);
  });
});

describe('personal data', () => {
  it('never appears in any webhook body or email', () => {
    expect(calls.length).toBeGreaterThan(5);
    expect(mails.length).toBeGreaterThan(2);
    const everything = [...calls.map((call) => call.body), ...mails.map((mail) => mail.raw)].join('\n');
    for (const canary of [CANARY_PLACE, CANARY_NOTE, 'Mario', 'Piazza']) expect(everything).not.toContain(canary);
    // No staff names either: only pseudonymous references and codes.
    for (const name of ['Unità di strada', 'Responsabile di area', 'Operatore OSS']) expect(everything).not.toContain(name);
    for (const body of calls.map((call) => call.body)) expect(body).not.toMatch(/operator-|supervisor-|social-worker-/);
  });
});
