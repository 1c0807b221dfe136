/**
 * The send side of the webhook address rules, against a real HTTP receiver on loopback: in
 * production a delivery is vetted again at send time on what its host resolves to *then* (DNS
 * rebinding: a name that was public when subscribed can point inside later), and the connection
 * goes to exactly the vetted address, never to a second resolution. Names under `.test` exist in
 * no DNS, so a send that resolved on its own would fail: reaching the receiver proves the pin.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNotificationChannels, DeliveryError, type OutgoingDelivery } from '../../infra/notifications/channels';
import type { NotificationMessage } from '../../infra/notifications/messages';
import { notificationEnv, notificationSettingsSchema } from '../../infra/notifications/settings';
import { vetWebhookHost, webhookAddressPolicy, type ResolveHost } from '../../infra/notifications/webhook-address';

interface Call {
  host: string | undefined;
  headers: IncomingHttpHeaders;
  remoteAddress: string | undefined;
}

let receiver: Server;
let port: number;
const calls: Call[] = [];
/** What the receiver answers next (status and headers). */
let answer: { status: number; headers?: Record<string, string> } = { status: 204 };

const message = { kind: 'task_escalated', caseId: 'case-1', caseReference: 'R-1', level: 1 } as unknown as NotificationMessage;
const delivery = (url: string): OutgoingDelivery => ({ deliveryId: '6d6f1c0e-1f7c-4f3b-9a52-1b8a3d2f0c11', channel: 'webhook', url, secret: 'whsec_test', message });
const settingsOf = (env: Record<string, string>) => notificationSettingsSchema.parse(notificationEnv({ NOTIFICATION_SEND_TIMEOUT_MS: '2000', ...env }));

/** A DNS that answers each name from a list of answers, one per lookup (the last one repeats), and counts the lookups. */
function scriptedDns(answers: Record<string, string[][]>): { resolve: ResolveHost; lookups: string[] } {
  const lookups: string[] = [];
  const resolve: ResolveHost = async (hostname) => {
    const script = answers[hostname];
    if (!script) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const addresses = script[Math.min(lookups.filter((name) => name === hostname).length, script.length - 1)];
    lookups.push(hostname);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, lookups };
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      calls.push({ host: request.headers.host, headers: request.headers, remoteAddress: request.socket.remoteAddress });
      response.writeHead(answer.status, answer.headers).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

beforeEach(() => {
  calls.length = 0;
  answer = { status: 204 };
});

async function sendError(send: Promise<void>): Promise<DeliveryError> {
  const error = await send.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('in production', () => {
  const production = settingsOf({ NODE_ENV: 'production' });

  it('refuses a name that was public when subscribed and points to loopback at send time (DNS rebinding)', async () => {
    const dns = scriptedDns({ 'hooks.rebind.test': [['93.184.215.14'], ['127.0.0.1']] });
    // When the subscription was created the name was public: accepted then.
    await expect(vetWebhookHost('hooks.rebind.test', webhookAddressPolicy(production), dns.resolve)).resolves.toEqual([{ address: '93.184.215.14', family: 4 }]);
    const channels = createNotificationChannels(production, { resolve: dns.resolve });
    const error = await sendError(channels.send(delivery(`http://hooks.rebind.test:${port}/hook`)));
    expect(error.message).toBe('webhook refused: the host resolves to a loopback address, which webhooks may not reach (NOTIFICATION_WEBHOOK_ALLOWED_NETWORKS, NOTIFICATION_WEBHOOK_ALLOW_PRIVATE)');
    expect(calls).toEqual([]);
    channels.close();
  });

  it('refuses a loopback URL stored before the rule applied, and a name with one private address among public ones', async () => {
    const dns = scriptedDns({ 'mixed.example.test': [['93.184.215.14', '10.1.1.1']] });
    const channels = createNotificationChannels(production, { resolve: dns.resolve });
    expect((await sendError(channels.send(delivery(`http://127.0.0.1:${port}/hook`)))).message).toMatch(/^webhook refused: .* loopback address/);
    expect((await sendError(channels.send(delivery(`http://[::ffff:127.0.0.1]:${port}/hook`)))).message).toMatch(/^webhook refused: .* loopback address/);
    expect((await sendError(channels.send(delivery(`http://mixed.example.test:${port}/hook`)))).message).toMatch(/^webhook refused: .* private \(RFC 1918\) address/);
    expect(calls).toEqual([]);
    channels.close();
  });

  it('connects to the address it vetted, once, keeping the name in the Host header', async () => {
    // Allowed to reach this loopback receiver; a second lookup would answer an address no one may reach.
    const settings = settingsOf({ NODE_ENV: 'production', NOTIFICATION_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32' });
    const dns = scriptedDns({ 'hooks.internal.test': [['127.0.0.1'], ['169.254.169.254']] });
    const channels = createNotificationChannels(settings, { resolve: dns.resolve });
    await channels.send(delivery(`http://hooks.internal.test:${port}/hook`));
    expect(dns.lookups).toEqual(['hooks.internal.test']);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ host: `hooks.internal.test:${port}`, remoteAddress: '127.0.0.1' });
    expect(calls[0].headers['reticulate-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    // The next send resolves afresh, and this time the answer is refused: nothing leaves.
    const error = await sendError(channels.send(delivery(`http://hooks.internal.test:${port}/hook`)));
    expect(error.message).toMatch(/^webhook refused: .* link-local address/);
    expect(dns.lookups).toEqual(['hooks.internal.test', 'hooks.internal.test']);
    expect(calls).toHaveLength(1);
    channels.close();
  });

  it('does not follow a redirect from an allowed receiver', async () => {
    const settings = settingsOf({ NODE_ENV: 'production', NOTIFICATION_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1' });
    const channels = createNotificationChannels(settings);
    answer = { status: 307, headers: { location: 'http://169.254.169.254/latest/meta-data/' } };
    expect((await sendError(channels.send(delivery(`http://127.0.0.1:${port}/hook`)))).message).toBe('webhook answered HTTP 307');
    expect(calls).toHaveLength(1);
    channels.close();
  });

  it('reports a name that does not resolve as a network error', async () => {
    const channels = createNotificationChannels(production, { resolve: scriptedDns({}).resolve });
    expect((await sendError(channels.send(delivery(`http://gone.example.test:${port}/hook`)))).message).toBe('webhook not reached: ENOTFOUND');
    channels.close();
  });
});

describe('outside production', () => {
  it('reaches a receiver on loopback, as local development and the test suite need', async () => {
    const channels = createNotificationChannels(settingsOf({ NODE_ENV: 'development' }));
    await channels.send(delivery(`http://127.0.0.1:${port}/hook`));
    await channels.send(delivery(`http://localhost:${port}/hook`));
    expect(calls.map((call) => call.host)).toEqual([`127.0.0.1:${port}`, `localhost:${port}`]);
    channels.close();
  });
});
