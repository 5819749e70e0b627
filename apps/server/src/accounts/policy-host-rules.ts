import { BlockList, isIP } from 'node:net';
import { embeddedIPv4 } from '../net/host-guard';

/**
 * How the admin policy's host and network lists read. A host entry names one server
 * ("pop.example.com") or, with a leading "*." or ".", every name under a domain. A network
 * entry is a CIDR block ("203.0.113.0/24", "2001:db8::/32") or a single address.
 */

/** Lower case, without a trailing dot or IPv6 brackets: the form hosts are stored and compared in. */
export const normalizeHost = (host: string): string =>
  host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');

export function hostMatches(host: string, entry: string): boolean {
  const name = normalizeHost(host);
  const pattern = normalizeHost(entry);
  if (pattern === '') return false;
  if (pattern.startsWith('*.') || pattern.startsWith('.')) {
    const domain = pattern.replace(/^\*?\./, '');
    return name.endsWith(`.${domain}`);
  }
  return name === pattern;
}

export const hostInList = (host: string, entries: string[]): boolean =>
  entries.some((entry) => hostMatches(host, entry));

/** The list as a BlockList; entries it cannot read are left out (the admin page validates them). */
export function networkList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [network = '', prefixText] = entry.trim().split('/');
    const family = isIP(network);
    if (family === 0) continue;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) continue;
    list.addSubnet(network, prefix, type);
  }
  return list;
}

/** The address itself and the IPv4 addresses it carries (mapped, NAT64, 6to4, Teredo...). */
function addressForms(address: string): Array<{ address: string; type: 'ipv4' | 'ipv6' }> {
  if (isIP(address) === 4) return [{ address, type: 'ipv4' }];
  const bare = address.replace(/%.*$/, '');
  return [
    { address: bare, type: 'ipv6' },
    ...embeddedIPv4(bare).map((ipv4) => ({ address: ipv4, type: 'ipv4' as const })),
  ];
}

/**
 * The address, or an IPv4 address it carries, is in one of the networks: what a refused list
 * asks ("::ffff:10.0.0.1" and "2002:a00:1::" lead to 10.0.0.1, so 10.0.0.0/8 refuses them).
 */
export function addressInNetworks(address: string, list: BlockList): boolean {
  return addressForms(address).some((form) => list.check(form.address, form.type));
}

/**
 * The address lies wholly inside the networks: listed itself, or every IPv4 address it carries
 * listed (what an allowed list asks: "::ffff:127.0.0.1" is inside 127.0.0.0/8, a Teredo address
 * only when both IPv4 addresses it names are).
 */
export function addressWithinNetworks(address: string, list: BlockList): boolean {
  const [own, ...carried] = addressForms(address);
  if (list.check(own!.address, own!.type)) return true;
  return carried.length > 0 && carried.every((form) => list.check(form.address, form.type));
}
