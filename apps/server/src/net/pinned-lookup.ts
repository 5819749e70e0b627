import { isIP, type LookupFunction } from 'node:net';

/**
 * A DNS lookup for http/https requests that answers only the address the host guard checked: a
 * second DNS answer (a rebinding attacker's) must not pick another one.
 */
export function pinnedLookup(address: string): LookupFunction {
  const family = isIP(address);
  return (_host, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}
