import { describe, expect, it } from 'vitest';
import { isHostPattern, isNetwork, parseList, parsePorts } from '../src/lib/network-list';
import { policyForm, policyFromForm, validatePolicy } from '../src/lib/policy-form';
import { adminPolicy } from './support/admin-factories';

describe('the policy form', () => {
  it('reads networks as the server does: CIDR or a single address, IPv4 or IPv6', () => {
    for (const good of [
      '10.0.0.0/8',
      '192.0.2.1',
      '0.0.0.0/0',
      '2001:db8::/32',
      '::1',
      'fe80::1/128',
      '::ffff:192.0.2.1',
    ]) {
      expect(isNetwork(good), good).toBe(true);
    }
    for (const bad of [
      '10.0.0.0/33',
      '10.0.0/8',
      '256.1.1.1',
      '2001:db8::/129',
      '1::2::3',
      'example.com',
      '10.0.0.0/8/8',
      '01.2.3.4',
    ]) {
      expect(isNetwork(bad), bad).toBe(false);
    }
  });

  it('reads hosts, domains and ports', () => {
    expect(
      ['pop.example.com', '*.example.com', '.example.com', 'localhost'].every(isHostPattern),
    ).toBe(true);
    expect(isHostPattern('pop example.com')).toBe(false);
    expect(parseList(' a ,b\n\n c ')).toEqual(['a', 'b', 'c']);
    expect(parsePorts('995, 110')).toEqual({ ports: [995, 110], bad: null });
    expect(parsePorts('995, 70000').bad).toBe('70000');
  });

  it('names the bad entry of each list', () => {
    const form = policyForm(adminPolicy());
    form.refusedNetworks = '192.0.2.0/24\n10.0.0.0/33';
    form.allowedHosts = 'pop.example.com\nbad host';
    form.allowedPorts = '995, pop';
    form.maxAccountsPerUser = '2.5';
    const errors = validatePolicy(form);
    expect(errors.refusedNetworks).toContain('“10.0.0.0/33”');
    expect(errors.allowedHosts).toContain('“bad host”');
    expect(errors.allowedPorts).toContain('“pop”');
    expect(errors.maxAccountsPerUser).toBeDefined();
    expect(errors.allowedNetworks).toBeUndefined();
  });

  it('turns the form back into the policy, units and all', () => {
    const policy = adminPolicy({ refusedHosts: ['a.example'], defaultRetentionDays: 30 });
    const form = policyForm(policy);
    expect(form.minPollMinutes).toBe('1');
    expect(form.maxMessageMegabytes).toBe('50');
    expect(validatePolicy(form)).toEqual({});
    expect(policyFromForm(form)).toEqual(policy);
    form.allowedPorts = '';
    form.defaultRetentionDays = '';
    expect(policyFromForm(form)).toMatchObject({ allowedPorts: [], defaultRetentionDays: null });
  });

  it('edits the session limits per server as lines, empty rule fields meaning the operator’s', () => {
    const policy = adminPolicy({
      syncSessionsPerHost: 3,
      hostSessionLimits: [
        { host: 'pop.gmail.com', sessions: 50 },
        { host: 'pop.example-isp.net', sessions: 4 },
      ],
    });
    const form = policyForm(policy);
    expect(form.hostSessionLimits).toBe('pop.gmail.com 50\npop.example-isp.net 4');
    expect(form.syncAccountsPerHostSession).toBe('');
    expect(policyFromForm(form)).toEqual(policy);
    form.hostSessionLimits = ' Outlook.Office365.com: 80 \n\npop.example-isp.net 4';
    form.syncSessionsPerHost = '';
    expect(validatePolicy(form)).toEqual({});
    expect(policyFromForm(form)).toMatchObject({
      syncSessionsPerHost: null,
      hostSessionLimits: [
        { host: 'outlook.office365.com', sessions: 80 },
        { host: 'pop.example-isp.net', sessions: 4 },
      ],
    });
  });

  it('names a bad or repeated server limit and a bad session count', () => {
    const form = policyForm(adminPolicy());
    form.hostSessionLimits = 'pop.example.com 4\n*.example.com 2';
    form.syncAccountsPerHostSession = '0';
    const errors = validatePolicy(form);
    expect(errors.hostSessionLimits).toContain('“*.example.com 2”');
    expect(errors.syncAccountsPerHostSession).toBeDefined();
    form.hostSessionLimits = 'pop.example.com 4\npop.example.com 5000';
    expect(validatePolicy(form).hostSessionLimits).toContain('“pop.example.com 5000”');
    form.hostSessionLimits = 'pop.example.com 4\nPOP.example.com 5';
    expect(validatePolicy(form).hostSessionLimits).toBe('pop.example.com is listed twice.');
  });
});
