import { describe, expect, it } from 'vitest';
import { isPrivateAddress, resolveAllowedAddress } from '../src/net/host-guard';

const resolver = (answers: Record<string, string[]>) => async (host: string) => {
  const found = answers[host];
  if (!found) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
  return found;
};

describe('the POP3 host guard', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '::1',
    '10.1.2.3',
    '172.20.0.5',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    'fe80::1',
    'fd00::1234',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
  ])('treats %s as private', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946', '172.32.0.1'])(
    'treats %s as public',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );

  it.each([
    ['IPv4-compatible, hex', '::7f00:1'],
    ['IPv4-compatible, dotted', '::10.0.0.1'],
    ['IPv4-mapped, hex', '::ffff:7f00:1'],
    ['IPv4-mapped, hex, private network', '::ffff:c0a8:101'],
    ['IPv4-translated, hex', '::ffff:0:7f00:1'],
    ['IPv4-translated, dotted', '::ffff:0:169.254.169.254'],
    ['NAT64 well-known prefix', '64:ff9b::7f00:1'],
    ['NAT64 local-use prefix', '64:ff9b:1::7f00:1'],
    ['NAT64 local-use prefix, IPv4 after a /48', '64:ff9b:1:7f00:1::'],
    ['6to4 of loopback', '2002:7f00:1::'],
    ['6to4 of a private network', '2002:a00:1::1'],
    ['6to4 of the metadata address', '2002:a9fe:a9fe::1'],
    ['Teredo with a loopback server', '2001:0:7f00:1::'],
    ['Teredo with a private server', '2001:0:a00:1:0:0:f7f7:f7f7'],
    ['Teredo with a loopback client (inverted bits)', '2001:0:808:808::80ff:fefe'],
    ['Teredo with a private client (inverted bits)', '2001:0:808:808:8000:ffff:f5ff:fffe'],
    ['site-local (deprecated)', 'fec0::1'],
    ['site-local, other subnet', 'feff:1234::1'],
  ])(
    'treats an IPv6 address with a private address inside (%s: %s) as private',
    (_form, address) => {
      expect(isPrivateAddress(address)).toBe(true);
    },
  );

  it.each([
    ['NAT64 well-known prefix', '64:ff9b::808:808'],
    ['6to4', '2002:808:808::1'],
    ['Teredo', '2001:0:808:808::f7f7:f7f7'],
    ['IPv4-mapped', '::ffff:8.8.8.8'],
  ])('treats an IPv6 address with a public address inside (%s: %s) as public', (_form, address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it('refuses a name that resolves to a 6to4 address of loopback', async () => {
    const resolve = resolver({ 'pop.tunnel.test': ['2002:7f00:1::'] });
    await expect(
      resolveAllowedAddress('pop.tunnel.test', { allowPrivateNetworks: false, resolve }),
    ).rejects.toMatchObject({ code: 'BLOCKED_HOST' });
  });

  it.each(['127.0.0.1', '::1', '[::1]', '10.0.0.8', '169.254.169.254'])(
    'refuses %s without saying what lies behind it',
    async (host) => {
      const error = await resolveAllowedAddress(host, { allowPrivateNetworks: false }).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'BLOCKED_HOST' });
      expect((error as Error).message).toMatch(
        /^Connections to .* are not allowed on this Popgate$/,
      );
    },
  );

  it('refuses a name that resolves to a private address, even when another answer is public', async () => {
    const resolve = resolver({ 'pop.evil.test': ['93.184.216.34', '10.0.0.1'] });
    await expect(
      resolveAllowedAddress('pop.evil.test', { allowPrivateNetworks: false, resolve }),
    ).rejects.toMatchObject({
      code: 'BLOCKED_HOST',
    });
  });

  it('returns the checked address to dial for a public name', async () => {
    const resolve = resolver({ 'pop.example.test': ['93.184.216.34'] });
    expect(
      await resolveAllowedAddress('pop.example.test', { allowPrivateNetworks: false, resolve }),
    ).toBe('93.184.216.34');
  });

  it('allows private addresses when the operator allows private networks', async () => {
    expect(await resolveAllowedAddress('127.0.0.1', { allowPrivateNetworks: true })).toBe(
      '127.0.0.1',
    );
  });

  it('says when a name does not resolve', async () => {
    await expect(
      resolveAllowedAddress('nowhere.invalid', {
        allowPrivateNetworks: false,
        resolve: resolver({}),
      }),
    ).rejects.toMatchObject({
      code: 'DNS',
      message: 'The server name nowhere.invalid could not be found',
    });
  });
});
