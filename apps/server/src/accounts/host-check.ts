import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Policy } from '../generated/prisma/client';
import { HostRefusedError, resolveAllowedAddress } from '../net/host-guard';
import { addressInNetworks, hostInList, networkList } from './policy-host-rules';

export type HostCheck =
  | { ok: true; address: string }
  | { ok: false; code: 'DNS' | 'BLOCKED_HOST' | 'HOST_NOT_ALLOWED'; message: string };

const notAllowed = (host: string): HostCheck => ({
  ok: false,
  code: 'HOST_NOT_ALLOWED',
  message: `This Popgate's admin does not allow POP3 servers at ${host}; ask an admin if you need it`,
});

/**
 * May Popgate connect to `host` for a user? The admin's host lists are checked by name; the name
 * is then resolved once, every address it resolves to must pass the private-network guard and
 * the admin's network lists, and the address to dial is returned. Nothing is ever dialled here,
 * so a refusal says nothing about what listens behind an address.
 */
export async function checkHost(
  host: string,
  policy: Pick<Policy, 'allowedHosts' | 'refusedHosts' | 'allowedNetworks' | 'refusedNetworks'>,
  options: { allowPrivateNetworks: boolean },
): Promise<HostCheck> {
  if (hostInList(host, policy.refusedHosts)) return notAllowed(host);
  if (policy.allowedHosts.length > 0 && !hostInList(host, policy.allowedHosts)) {
    return notAllowed(host);
  }
  let resolved: string[] = [];
  let address: string;
  try {
    address = await resolveAllowedAddress(host, {
      allowPrivateNetworks: options.allowPrivateNetworks,
      resolve: async (name) => {
        resolved = (await lookup(name, { all: true, verbatim: true })).map((a) => a.address);
        return resolved;
      },
    });
  } catch (error) {
    if (error instanceof HostRefusedError) {
      return { ok: false, code: error.code, message: error.message };
    }
    throw error;
  }
  const addresses = resolved.length > 0 ? resolved : [address];
  const refused = networkList(policy.refusedNetworks);
  if (addresses.some((a) => isIP(a) && addressInNetworks(a, refused))) return notAllowed(host);
  if (policy.allowedNetworks.length > 0) {
    const allowed = networkList(policy.allowedNetworks);
    if (!addresses.every((a) => isIP(a) && addressInNetworks(a, allowed))) return notAllowed(host);
  }
  return { ok: true, address };
}
