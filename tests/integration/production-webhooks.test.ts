/**
 * Webhooks in production, end to end: a real case (API, Temporal, a real worker running the
 * dispatcher, PostgreSQL) notifies a subscription whose URL points at a loopback receiver. The API
 * would refuse such a subscription now, so it stands for one stored before the rule (or before an
 * allowed network was removed): the worker refuses to send at send time, the delivery ends in the
 * dead letters with the reason an admin can act on, and the receiver is never called.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectProblem, json, startApiHarness, type ApiHarness } from '../api/harness';
import type { CaseDetail } from '../support/api-types';

jest.setTimeout(120_000);

let api: ApiHarness;
let receiver: Server;
let receiverUrl: string;
let received = 0;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    received += 1;
    request.resume();
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  api = await startApiHarness({
    worker: true,
    env: {
      NODE_ENV: 'production',
      RETICULATE_CODEC_KEYS: `k1:${Buffer.alloc(32, 23).toString('base64')}`,
      OIDC_ISSUER: 'https://id.example.test/realms/sds',
      NOTIFICATION_MAX_ATTEMPTS: '2',
      NOTIFICATION_RETRY_BASE_MS: '50',
      NOTIFICATION_RETRY_MAX_MS: '100',
      NOTIFICATION_POLL_MS: '100',
      NOTIFICATION_DIGEST_CRON: 'off',
    },
  });
}, 180_000);

afterAll(async () => {
  await api?.close();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}

it('refuses to send to a loopback webhook at send time and dead-letters the delivery with the reason', async () => {
  // The API refuses it today…
  const refused = expectProblem(
    await api.request('admin', { method: 'POST', url: '/notifications/subscriptions', payload: { channel: 'webhook', url: `${receiverUrl}/hook`, areaId: 'grosseto', kinds: ['task_assigned'] } }),
    422,
    'invalid_data',
  );
  expect(refused.issues?.[0]).toMatchObject({ path: ['url'], code: 'non_public_address' });
  // …so it is one stored earlier.
  const { rows } = await api.pool.query<{ subscription_id: string }>(
    `INSERT INTO notification_subscriptions (channel, url, secret, area_id, kinds, created_by) VALUES ('webhook', $1, 'whsec_stored_earlier', 'grosseto', ARRAY['task_assigned'], 'admin') RETURNING subscription_id`,
    [`${receiverUrl}/hook`],
  );
  const subscriptionId = rows[0].subscription_id;

  const started = await api.request('outreach-operator-grosseto', {
    method: 'POST',
    url: '/cases',
    headers: { 'idempotency-key': 'production-webhook-1' },
    payload: { pathwayKey: 'oss-integrated-pathway', areaId: 'grosseto', data: { targetGroup: 'homeless' } },
  });
  expect(started.statusCode).toBe(201);
  const { caseId } = json<CaseDetail>(started);

  const dead = await eventually('the dead letter', async () => {
    const page = json<{ items: Array<{ caseId: string | null; attempts: number; lastError: string | null }> }>(
      await api.request('admin', { method: 'GET', url: `/notifications/dead-letters?subscriptionId=${subscriptionId}` }),
    );
    return page.items.find((item) => item.caseId === caseId);
  });
  expect(dead.attempts).toBe(2);
  expect(dead.lastError).toBe('webhook refused: the host resolves to a loopback address, which webhooks may not reach (NOTIFICATION_WEBHOOK_ALLOWED_NETWORKS, NOTIFICATION_WEBHOOK_ALLOW_PRIVATE)');
  expect(received).toBe(0);
});
