/**
 * Which addresses a webhook may reach: the guard against server-side request forgery. A webhook
 * URL is chosen by an admin, but the request leaves from inside the network, where loopback,
 * private, link-local (cloud metadata at 169.254.169.254) and other non-public addresses reach
 * things no admin of this product should reach. Ranges come from ipaddr.js (IANA special-purpose
 * registries); only public unicast passes, unless the settings allow more.
 *
 * The check runs when a subscription is created and again at every send, on the addresses the
 * host resolves to then; the connection goes to exactly those vetted addresses (see
 * `pinnedLookup`), so a second DNS answer (rebinding) cannot switch the target.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { NotificationSettings } from './settings';

/** One resolved address of a host. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses (dns.lookup: /etc/hosts, then DNS, as every client of the machine sees it). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver, every address in the order it answers. */
export const resolveHost: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Why a webhook target was refused; `code` is machine-readable, `message` never names an address. */
export class WebhookAddressRefused extends Error {
  override name = 'WebhookAddressRefused';

  constructor(
    readonly code: 'non_public_address',
    message: string,
  ) {
    super(message);
  }
}

/** What the settings allow webhooks to reach, compiled once. */
export interface WebhookAddressPolicy {
  /** True when every address is allowed (no check, no resolution ahead of the request). */
  readonly allowsEverything: boolean;
  /** Null when a webhook may reach the address, else the kind of range that refused it (e.g. "loopback"). */
  refusal(address: string): string | null;
}

// IANA's global unicast block: IPv6 outside it (IPv4-compatible ::a.b.c.d, unassigned space) is not public.
const ipv6GlobalUnicast = ipaddr.parseCIDR('2000::/3');

const rangeLabels: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT (100.64.0.0/10)',
  private: 'private (RFC 1918)',
  uniqueLocal: 'unique local (fc00::/7)',
  reserved: 'reserved',
  deprecatedSiteLocal: 'site-local',
  rfc6052: 'NAT64 (RFC 6052)',
  rfc6145: 'IPv4-translated (RFC 6145)',
};

function parseNetwork(entry: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (entry.includes('/')) return ipaddr.parseCIDR(entry);
  const address = ipaddr.parse(entry);
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

/** Compiles the settings' webhook rules: everything outside production by default, public unicast plus the allowed networks otherwise. */
export function webhookAddressPolicy(settings: Pick<NotificationSettings, 'webhookAllowPrivate' | 'webhookAllowedNetworks'>): WebhookAddressPolicy {
  const allowed = settings.webhookAllowedNetworks.map(parseNetwork);
  return {
    allowsEverything: settings.webhookAllowPrivate,
    refusal(text) {
      if (settings.webhookAllowPrivate) return null;
      if (!ipaddr.isValid(text)) return 'invalid';
      // ::ffff:10.0.0.1 reaches 10.0.0.1: judge it as the IPv4 address it is.
      const address = ipaddr.process(text);
      if (allowed.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits))) return null;
      const range = address.range();
      if (range !== 'unicast') return rangeLabels[range] ?? range;
      if (address.kind() === 'ipv6' && !address.match(ipv6GlobalUnicast)) return 'non-global IPv6';
      return null;
    },
  };
}

/** The host of a webhook URL as the resolver and the checks take it: IPv6 literals without their brackets. */
export function webhookHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function refusedMessage(range: string): string {
  return `the host resolves to a ${range} address, which webhooks may not reach (NOTIFICATION_WEBHOOK_ALLOWED_NETWORKS, NOTIFICATION_WEBHOOK_ALLOW_PRIVATE)`;
}

/**
 * Resolves a webhook's host (an IP literal is its own answer) and vets every address; answers the
 * addresses to connect to. One non-public address refuses the host: a name that mixes public and
 * private answers is a rebinding attempt or a mistake. DNS failures are thrown as they are.
 */
export async function vetWebhookHost(hostname: string, policy: WebhookAddressPolicy, resolve: ResolveHost = resolveHost): Promise<ResolvedAddress[]> {
  const literal = ipaddr.isValid(hostname) ? ipaddr.parse(hostname) : null;
  const addresses = literal ? [{ address: hostname, family: literal.kind() === 'ipv4' ? 4 : 6 }] : await resolve(hostname);
  if (addresses.length === 0) throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENODATA' });
  for (const { address } of addresses) {
    const range = policy.refusal(address);
    if (range !== null) throw new WebhookAddressRefused('non_public_address', refusedMessage(range));
  }
  return addresses;
}

/**
 * A `lookup` for http(s).request that answers the vetted addresses and never resolves again: the
 * socket connects to what was checked, while the Host header and TLS (SNI, certificate) keep the name.
 */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily).
    if (options.all) callback(null, addresses.map(({ address, family }) => ({ address, family })));
    else callback(null, addresses[0].address, addresses[0].family);
  };
}
