import { BlockList, isIP } from 'node:net';

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

export function addressInNetworks(address: string, list: BlockList): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return list.check(mapped[1]!, 'ipv4');
  return list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}
