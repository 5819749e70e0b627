import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { refused } from '../domain-errors';
import type { Policy } from '../generated/prisma/client';
import { resolveAllowedAddress } from '../net/host-guard';
import {
  addressInNetworks,
  addressWithinNetworks,
  hostInList,
  networkList,
} from './policy-host-rules';

/** The admin's host or network lists leave `host` out (a DomainError 'refused', HOST_NOT_ALLOWED). */
const hostNotAllowed = (host: string) =>
  refused(
    'HOST_NOT_ALLOWED',
    `This Popgate's admin does not allow POP3 servers at ${host}; ask an admin if you need it`,
  );

/**
 * May Popgate connect to `host` for a user? The admin's host lists are checked by name; the name
 * is then resolved once, every address it resolves to must pass the private-network guard and
 * the admin's network lists, and the address to dial is returned. Otherwise it throws: a
 * HostRefusedError (DNS, BLOCKED_HOST) or hostNotAllowed. Nothing is ever dialled here, so a
 * refusal says nothing about what listens behind an address.
 *
 * The admin's allowed networks are the one place that opens a private or loopback network: an
 * address inside one of them passes the private-network guard too. `allowPrivateNetworks` (the
 * operator's POPGATE_ALLOW_PRIVATE_NETWORKS) opens every private network by default.
 */
export async function checkHost(
  host: string,
  policy: Pick<Policy, 'allowedHosts' | 'refusedHosts' | 'allowedNetworks' | 'refusedNetworks'>,
  options: { allowPrivateNetworks: boolean },
): Promise<string> {
  if (hostInList(host, policy.refusedHosts)) throw hostNotAllowed(host);
  if (policy.allowedHosts.length > 0 && !hostInList(host, policy.allowedHosts)) {
    throw hostNotAllowed(host);
  }
  const allowed = networkList(policy.allowedNetworks);
  let resolved: string[] = [];
  const address = await resolveAllowedAddress(host, {
    allowPrivateNetworks: options.allowPrivateNetworks,
    opened: (candidate) => addressWithinNetworks(candidate, allowed),
    resolve: async (name) => {
      resolved = (await lookup(name, { all: true, verbatim: true })).map((a) => a.address);
      return resolved;
    },
  });
  const addresses = resolved.length > 0 ? resolved : [address];
  const refusedNetworks = networkList(policy.refusedNetworks);
  if (addresses.some((a) => isIP(a) && addressInNetworks(a, refusedNetworks))) {
    throw hostNotAllowed(host);
  }
  if (policy.allowedNetworks.length > 0) {
    if (!addresses.every((a) => isIP(a) && addressWithinNetworks(a, allowed))) {
      throw hostNotAllowed(host);
    }
  }
  return address;
}
