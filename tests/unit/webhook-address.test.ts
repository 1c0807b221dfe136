/**
 * Which addresses a webhook may reach (server-side request forgery): in production only public
 * unicast, unless the settings allow a network or everything; outside production everything, so
 * receivers on the developer's machine keep working. A host is judged by every address it
 * resolves to, and the connection is pinned to the vetted ones.
 */
import type { LookupAddress } from 'node:dns';
import { loadConfig } from '../../infra/config';
import { notificationEnv, notificationSettingsSchema } from '../../infra/notifications/settings';
import { pinnedLookup, vetWebhookHost, webhookAddressPolicy, webhookHost, WebhookAddressRefused, type ResolveHost } from '../../infra/notifications/webhook-address';

const strict = webhookAddressPolicy({ webhookAllowPrivate: false, webhookAllowedNetworks: [] });

/** A resolver answering from a table, as DNS would. */
function resolverOf(table: Record<string, string[]>): ResolveHost {
  return async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

describe('the production policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private (RFC 1918)'],
    ['172.16.0.1', 'private (RFC 1918)'],
    ['172.31.255.254', 'private (RFC 1918)'],
    ['192.168.1.1', 'private (RFC 1918)'],
    ['fd12:3456::1', 'unique local (fc00::/7)'],
    ['fc00::1', 'unique local (fc00::/7)'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['100.64.0.1', 'carrier-grade NAT (100.64.0.0/10)'],
    ['100.127.255.254', 'carrier-grade NAT (100.64.0.0/10)'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'reserved'],
    ['240.0.0.1', 'reserved'],
    // IPv4 hidden in IPv6 reaches the IPv4 address: judged as it.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private (RFC 1918)'],
    ['::7f00:1', 'non-global IPv6'],
    ['64:ff9b::a00:1', 'NAT64 (RFC 6052)'],
    ['2002:a00:1::1', '6to4'],
  ])('refuses %s (%s)', (address, range) => {
    expect(strict.refusal(address)).toBe(range);
  });

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2a00:1450:4002:402::200e', '::ffff:93.184.215.14'])('lets public %s through', (address) => {
    expect(strict.refusal(address)).toBeNull();
  });

  it('lets the allowed networks through, and only them', () => {
    const policy = webhookAddressPolicy({ webhookAllowPrivate: false, webhookAllowedNetworks: ['10.20.0.0/16', '127.0.0.1', 'fd00:1::/32'] });
    expect(policy.allowsEverything).toBe(false);
    expect(policy.refusal('10.20.7.1')).toBeNull();
    expect(policy.refusal('::ffff:10.20.7.1')).toBeNull();
    expect(policy.refusal('10.21.0.1')).toBe('private (RFC 1918)');
    expect(policy.refusal('127.0.0.1')).toBeNull();
    expect(policy.refusal('127.0.0.2')).toBe('loopback');
    expect(policy.refusal('fd00:1::5')).toBeNull();
    expect(policy.refusal('fd00:2::5')).toBe('unique local (fc00::/7)');
  });

  it('allows everything when private addresses are allowed', () => {
    const open = webhookAddressPolicy({ webhookAllowPrivate: true, webhookAllowedNetworks: [] });
    expect(open.allowsEverything).toBe(true);
    expect(open.refusal('169.254.169.254')).toBeNull();
  });
});

describe('vetting a host', () => {
  const resolve = resolverOf({
    'hooks.example.org': ['93.184.215.14', '2a00:1450:4002:402::200e'],
    localhost: ['127.0.0.1', '::1'],
    'metadata.internal.example': ['169.254.169.254'],
    'mixed.example.org': ['93.184.215.14', '10.0.0.7'],
  });

  it('answers every address of a public name', async () => {
    await expect(vetWebhookHost('hooks.example.org', strict, resolve)).resolves.toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2a00:1450:4002:402::200e', family: 6 },
    ]);
  });

  it('refuses a name with any non-public address, without naming the address', async () => {
    for (const host of ['localhost', 'metadata.internal.example', 'mixed.example.org']) {
      const refused = await vetWebhookHost(host, strict, resolve).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(WebhookAddressRefused);
      expect((refused as WebhookAddressRefused).code).toBe('non_public_address');
      expect((refused as Error).message).not.toMatch(/\d+\.\d+\.\d+\.\d+|::/);
      expect((refused as Error).message).toMatch(/NOTIFICATION_WEBHOOK_ALLOWED_NETWORKS/);
    }
  });

  it('judges IP literals without asking DNS, as the URL parser normalised them', async () => {
    const noDns: ResolveHost = async () => {
      throw new Error('DNS must not be asked about a literal');
    };
    // 2130706433 and 0x7f.1 are 127.0.0.1 written otherwise: the WHATWG URL parser rewrites them.
    for (const url of ['http://127.0.0.1:8080/hook', 'http://[::1]/hook', 'http://2130706433/hook', 'http://0x7f.1/hook', 'http://[::ffff:169.254.169.254]/']) {
      await expect(vetWebhookHost(webhookHost(new URL(url)), strict, noDns)).rejects.toBeInstanceOf(WebhookAddressRefused);
    }
    await expect(vetWebhookHost(webhookHost(new URL('https://[2a00:1450:4002:402::200e]/')), strict, noDns)).resolves.toEqual([{ address: '2a00:1450:4002:402::200e', family: 6 }]);
  });

  it('passes DNS failures on as they are', async () => {
    await expect(vetWebhookHost('nowhere.example.org', strict, resolve)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('the pinned lookup', () => {
  it('answers the vetted addresses, one or all as Node asks', () => {
    const lookup = pinnedLookup([
      { address: '93.184.215.14', family: 4 },
      { address: '2a00:1450:4002:402::200e', family: 6 },
    ]);
    const one = jest.fn();
    lookup('hooks.example.org', {}, one);
    expect(one).toHaveBeenCalledWith(null, '93.184.215.14', 4);
    const all = jest.fn<void, [Error | null, LookupAddress[]]>();
    lookup('hooks.example.org', { all: true }, all as never);
    expect(all).toHaveBeenCalledWith(null, [
      { address: '93.184.215.14', family: 4 },
      { address: '2a00:1450:4002:402::200e', family: 6 },
    ]);
  });
});

describe('the settings', () => {
  const settings = (env: Record<string, string>) => notificationSettingsSchema.parse(notificationEnv(env));

  it('refuse private addresses by default in production only', () => {
    expect(settings({ NODE_ENV: 'production' }).webhookAllowPrivate).toBe(false);
    expect(settings({ NODE_ENV: 'test' }).webhookAllowPrivate).toBe(true);
    expect(settings({}).webhookAllowPrivate).toBe(true);
    expect(settings({ NODE_ENV: 'production', NOTIFICATION_WEBHOOK_ALLOW_PRIVATE: 'true' }).webhookAllowPrivate).toBe(true);
    expect(settings({ NOTIFICATION_WEBHOOK_ALLOW_PRIVATE: 'false' }).webhookAllowPrivate).toBe(false);
    // Built without the environment (defaults only): refuse.
    expect(notificationSettingsSchema.parse({}).webhookAllowPrivate).toBe(false);
  });

  it('take the allowed networks as a comma list of addresses and CIDRs, and name the variable when one is wrong', () => {
    expect(settings({ NOTIFICATION_WEBHOOK_ALLOWED_NETWORKS: '10.20.0.0/16, 192.168.5.9,fd00::/8' }).webhookAllowedNetworks).toEqual(['10.20.0.0/16', '192.168.5.9', 'fd00::/8']);
    expect(() => loadConfig({ NOTIFICATION_WEBHOOK_ALLOWED_NETWORKS: '10.20.0.0/16, intranet' })).toThrow(/NOTIFICATION_WEBHOOK_ALLOWED_NETWORKS: must be a comma list of addresses or CIDR ranges/);
    expect(() => loadConfig({ NOTIFICATION_WEBHOOK_ALLOW_PRIVATE: 'maybe' })).toThrow(/NOTIFICATION_WEBHOOK_ALLOW_PRIVATE: must be true or false/);
  });
});
