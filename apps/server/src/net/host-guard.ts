import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { DomainError } from '../domain-errors';

/**
 * Where Popgate may open a POP3 connection for a user: the host is resolved once, every address
 * is checked, and the caller dials the checked address (no second lookup an attacker could
 * answer differently). Loopback, private, link-local, CGNAT, metadata and other special-purpose
 * ranges are refused unless private networks are allowed.
 *
 * A host that cannot be used as given: not found (DNS), or on a network Popgate does not reach
 * (BLOCKED_HOST). The same error all the way from here to the API's answer and the sync's.
 */
export class HostRefusedError extends DomainError {
  declare readonly code: 'DNS' | 'BLOCKED_HOST';

  constructor(code: 'DNS' | 'BLOCKED_HOST', message: string) {
    super('invalid', code, message);
    this.name = 'HostRefusedError';
  }
}

const SPECIAL_PURPOSE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  SPECIAL_PURPOSE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  // Local-use IPv4/IPv6 translation (RFC 8215): where the IPv4 address sits depends on the
  // operator's prefix length, and it is never reachable from the internet anyway.
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:2::', 48],
  ['2001:db8::', 32],
  ['3fff::', 20],
  ['5f00::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  // Site-local, deprecated (RFC 3879) but still routed inside some networks.
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  SPECIAL_PURPOSE.addSubnet(network, prefix, 'ipv6');
}

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted IPv4 part and zone allowed). */
function ipv6Groups(address: string): number[] {
  let text = address.replace(/%.*$/, '').toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

const ipv4Of = (high: number, low: number): string =>
  `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/**
 * The IPv4 addresses an IPv6 address carries, which a host, a translator or a tunnel relay turns
 * it into: IPv4-compatible (::a.b.c.d), IPv4-mapped (::ffff:a.b.c.d), IPv4-translated
 * (::ffff:0:a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:AABB:CCDD::) and Teredo (2001:0:server
 * IPv4 in bits 32-63, the client's IPv4 inverted in the last 32 bits).
 */
export function embeddedIPv4(address: string): string[] {
  const g = ipv6Groups(address);
  if (g.length !== 8) return [];
  const zero = (from: number, to: number) => g.slice(from, to).every((group) => group === 0);
  const last = ipv4Of(g[6]!, g[7]!);
  if (zero(0, 5) && (g[5] === 0 || g[5] === 0xffff)) return [last];
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return [last];
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return [last];
  if (g[0] === 0x2002) return [ipv4Of(g[1]!, g[2]!)];
  if (g[0] === 0x2001 && g[1] === 0) {
    return [ipv4Of(g[2]!, g[3]!), ipv4Of(g[6]! ^ 0xffff, g[7]! ^ 0xffff)];
  }
  return [];
}

/** True for addresses that are not on the public internet, or that lead to one that is not. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) throw new TypeError(`not an IP address: ${address}`);
  if (family === 4) return SPECIAL_PURPOSE.check(address, 'ipv4');
  if (SPECIAL_PURPOSE.check(address.replace(/%.*$/, ''), 'ipv6')) return true;
  return embeddedIPv4(address).some((ipv4) => SPECIAL_PURPOSE.check(ipv4, 'ipv4'));
}

export interface HostGuardOptions {
  allowPrivateNetworks: boolean;
  /** A private address the admin opened explicitly (listed in the policy's allowed networks). */
  opened?: (address: string) => boolean;
  resolve?: (host: string) => Promise<string[]>;
}

const systemResolve = async (host: string) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** Resolves `host` and returns the address to dial, or throws a HostRefusedError. */
export async function resolveAllowedAddress(
  host: string,
  options: HostGuardOptions,
): Promise<string> {
  const name = host.trim().replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(name)) {
    addresses = [name];
  } else {
    try {
      addresses = await (options.resolve ?? systemResolve)(name);
    } catch {
      throw new HostRefusedError('DNS', `The server name ${name} could not be found`);
    }
    if (addresses.length === 0)
      throw new HostRefusedError('DNS', `The server name ${name} could not be found`);
  }
  const closed = (address: string) => isPrivateAddress(address) && !options.opened?.(address);
  if (!options.allowPrivateNetworks && addresses.some(closed)) {
    // Deliberately vague: the answer must not map the network behind Popgate.
    throw new HostRefusedError(
      'BLOCKED_HOST',
      `Connections to ${name} are not allowed on this Popgate`,
    );
  }
  return addresses[0]!;
}
