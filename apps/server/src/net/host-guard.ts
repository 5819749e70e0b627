import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where Popgate may open a POP3 connection for a user: the host is resolved once, every address
 * is checked, and the caller dials the checked address (no second lookup an attacker could
 * answer differently). Loopback, private, link-local, CGNAT, metadata and other special-purpose
 * ranges are refused unless private networks are allowed.
 */
export class HostRefusedError extends Error {
  constructor(
    readonly code: 'DNS' | 'BLOCKED_HOST',
    message: string,
  ) {
    super(message);
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
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  SPECIAL_PURPOSE.addSubnet(network, prefix, 'ipv6');
}

/** True for addresses that are not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) throw new TypeError(`not an IP address: ${address}`);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return SPECIAL_PURPOSE.check(mapped[1]!, 'ipv4');
  return SPECIAL_PURPOSE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export interface HostGuardOptions {
  allowPrivateNetworks: boolean;
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
  if (!options.allowPrivateNetworks && addresses.some(isPrivateAddress)) {
    // Deliberately vague: the answer must not map the network behind Popgate.
    throw new HostRefusedError(
      'BLOCKED_HOST',
      `Connections to ${name} are not allowed on this Popgate`,
    );
  }
  return addresses[0]!;
}
