import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { AccountOut } from '@popgate/contracts';
import { Pop3Server } from '@popgate/pop3-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Prisma } from '../src/generated/prisma/client';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';

// Two Popgates on one database: one that may reach private networks (as in a home or office
// set-up), one that may not (the default).
let database: { name: string; url: string };
let privateAllowed: Awaited<ReturnType<typeof testApp>>;
let privateRefused: Awaited<ReturnType<typeof testApp>>;

beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_account_policy');
  privateAllowed = await testApp({
    databaseUrl: database.url,
    env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' },
  });
  privateRefused = await testApp({ databaseUrl: database.url });
});
afterAll(async () => {
  await privateAllowed?.close();
  await privateRefused?.close();
  if (database) await dropDatabase(database.name);
});
afterEach(async () => {
  // Back to the default policy.
  await privateAllowed.db.prisma.policy.update({
    where: { id: 1 },
    data: {
      allowedHosts: [],
      refusedHosts: [],
      allowedNetworks: [],
      refusedNetworks: [],
      allowedPorts: [110, 995],
      requireTls: false,
      minPollSeconds: 60,
      maxAccountsPerUser: 20,
      defaultRetentionDays: null,
    },
  });
});

const setPolicy = (data: Prisma.PolicyUpdateInput) =>
  privateAllowed.db.prisma.policy.update({ where: { id: 1 }, data });

async function signedIn(on = privateAllowed) {
  const browser = new ApiClient(on.app);
  await browser.signUp(`policy-${randomBytes(4).toString('hex')}@example.test`);
  return browser;
}

const account = (overrides: Record<string, unknown> = {}) => ({
  label: 'Mail',
  host: '127.0.0.1',
  port: 995,
  security: 'tls',
  username: 'someone',
  password: 'a password',
  ...overrides,
});

const connection = (overrides: Record<string, unknown> = {}) => {
  const { label: _label, ...rest } = account(overrides);
  return rest;
};

describe('the admin policy, applied when an account is linked or changed', () => {
  it('refuses a port the admin does not allow, and allows any port when the list is empty', async () => {
    const browser = await signedIn();
    const refused = await browser.post('/api/accounts', account({ port: 2110 }));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toEqual({
      code: 'PORT_NOT_ALLOWED',
      message:
        'This Popgate connects to POP3 servers on port 110, 995 only, not 2110; ask an admin if you need it',
    });
    const test = await browser.post('/api/accounts/test', connection({ port: 2110 }));
    expect(test.statusCode).toBe(403);
    expect(test.json().error.code).toBe('PORT_NOT_ALLOWED');

    const linked = await browser.post('/api/accounts', account());
    const id = linked.json<AccountOut>().id;
    const moved = await browser.patch(`/api/accounts/${id}`, { port: 2110 });
    expect(moved.statusCode).toBe(403);
    expect(moved.json().error.code).toBe('PORT_NOT_ALLOWED');

    await setPolicy({ allowedPorts: [] });
    expect((await browser.post('/api/accounts', account({ port: 2110 }))).statusCode).toBe(201);
  });

  it('refuses an unencrypted connection when the admin requires TLS', async () => {
    await setPolicy({ requireTls: true });
    const browser = await signedIn();
    const refused = await browser.post('/api/accounts', account({ security: 'none', port: 110 }));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('TLS_REQUIRED');
    expect(refused.json().error.message).toContain('choose TLS or STARTTLS');
    const test = await browser.post(
      '/api/accounts/test',
      connection({ security: 'none', port: 110 }),
    );
    expect(test.json().error.code).toBe('TLS_REQUIRED');
    const starttls = await browser.post(
      '/api/accounts',
      account({ security: 'starttls', port: 110 }),
    );
    expect(starttls.statusCode).toBe(201);
    const downgrade = await browser.patch(`/api/accounts/${starttls.json().id}`, {
      security: 'none',
    });
    expect(downgrade.json().error.code).toBe('TLS_REQUIRED');
  });

  it('refuses an account beyond the limit per user', async () => {
    await setPolicy({ maxAccountsPerUser: 2 });
    const browser = await signedIn();
    const attempts = await Promise.all(
      [1, 2, 3, 4].map((n) => browser.post('/api/accounts', account({ label: `Mail ${n}` }))),
    );
    expect(attempts.map((r) => r.statusCode).sort()).toEqual([201, 201, 403, 403]);
    const refused = attempts.find((r) => r.statusCode === 403)!;
    expect(refused.json().error).toEqual({
      code: 'TOO_MANY_ACCOUNTS',
      message:
        'You have linked 2 accounts, the most this Popgate allows; remove one to link another',
    });
    // Another user has an allowance of their own.
    expect((await (await signedIn()).post('/api/accounts', account())).statusCode).toBe(201);
  });

  it('refuses checking more often than the admin allows, and defaults to the minimum', async () => {
    await setPolicy({ minPollSeconds: 600 });
    const browser = await signedIn();
    const refused = await browser.post('/api/accounts', account({ policy: { pollSeconds: 300 } }));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('POLL_TOO_OFTEN');
    expect(refused.json().error.message).toContain('pollSeconds must be at least 600');
    const defaulted = await browser.post('/api/accounts', account());
    expect(defaulted.json().policy.pollSeconds).toBe(600);
    const faster = await browser.patch(`/api/accounts/${defaulted.json().id}`, {
      policy: { pollSeconds: 120 },
    });
    expect(faster.json().error.code).toBe('POLL_TOO_OFTEN');
  });

  it("leaves a new account's mail on the server for the admin's default retention", async () => {
    await setPolicy({ defaultRetentionDays: 30, minPollSeconds: 600 });
    const browser = await signedIn();
    const defaults = await browser.get('/api/accounts/defaults');
    expect(defaults.statusCode).toBe(200);
    expect(defaults.json()).toEqual({
      leaveOnServer: true,
      deleteAfterDays: 30,
      deleteWhenDeletedHere: false,
      pollSeconds: 600,
      maxFullDownloadBytes: null,
    });
    const defaulted = await browser.post('/api/accounts', account());
    expect(defaulted.json().policy.deleteAfterDays).toBe(30);
    // What the user chose wins over the default, "keep for ever" included.
    const kept = await browser.post(
      '/api/accounts',
      account({ policy: { deleteAfterDays: null } }),
    );
    expect(kept.json().policy.deleteAfterDays).toBeNull();

    await setPolicy({ defaultRetentionDays: null });
    expect((await browser.get('/api/accounts/defaults')).json().deleteAfterDays).toBeNull();
    expect(
      (await browser.post('/api/accounts', account())).json().policy.deleteAfterDays,
    ).toBeNull();
  });

  it('refuses hosts and networks the admin lists as refused, or leaves out of the allowed ones', async () => {
    const browser = await signedIn();
    const cases: Array<[Prisma.PolicyUpdateInput, string]> = [
      [{ refusedHosts: ['127.0.0.1'] }, '127.0.0.1'],
      [{ refusedHosts: ['*.localhost'] }, 'mail.localhost'],
      [{ allowedHosts: ['pop.example.org', '.example.net'] }, '127.0.0.1'],
      [{ refusedNetworks: ['127.0.0.0/8'] }, '127.0.0.1'],
      [{ refusedNetworks: ['127.0.0.0/8', '::1'] }, 'localhost'],
      [{ allowedNetworks: ['203.0.113.0/24'] }, '127.0.0.1'],
      [{ allowedNetworks: ['127.0.0.0/8'] }, '::1'],
    ];
    for (const [policy, host] of cases) {
      await setPolicy(policy);
      const refused = await browser.post('/api/accounts', account({ host }));
      expect(refused.statusCode, `${JSON.stringify(policy)} ${host}: ${refused.body}`).toBe(403);
      expect(refused.json().error).toEqual({
        code: 'HOST_NOT_ALLOWED',
        message: `This Popgate's admin does not allow POP3 servers at ${host}; ask an admin if you need it`,
      });
      const test = await browser.post('/api/accounts/test', connection({ host }));
      expect(test.json()).toEqual({
        ok: false,
        error: { code: 'BLOCKED_HOST', message: refused.json().error.message },
      });
      await setPolicy({
        allowedHosts: [],
        refusedHosts: [],
        allowedNetworks: [],
        refusedNetworks: [],
      });
    }
    for (const [policy, host] of [
      [{ allowedHosts: ['127.0.0.1'] }, '127.0.0.1'],
      [{ allowedHosts: ['LocalHost', '*.example.org'] }, 'localhost'],
      [{ allowedNetworks: ['127.0.0.0/8', '::1/128'] }, 'localhost'],
      [{ refusedNetworks: ['10.0.0.0/8'] }, '127.0.0.1'],
    ] as Array<[Prisma.PolicyUpdateInput, string]>) {
      await setPolicy(policy);
      const allowed = await browser.post('/api/accounts', account({ host }));
      expect(allowed.statusCode, `${JSON.stringify(policy)} ${host}: ${allowed.body}`).toBe(201);
      await setPolicy({
        allowedHosts: [],
        refusedHosts: [],
        allowedNetworks: [],
        refusedNetworks: [],
      });
    }
  });

  it('lets an account keep working for changes the new rules do not concern', async () => {
    const browser = await signedIn();
    const linked = (await browser.post('/api/accounts', account())).json<AccountOut>();
    await setPolicy({ allowedPorts: [110], requireTls: true, minPollSeconds: 3600 });
    const renamed = await browser.patch(`/api/accounts/${linked.id}`, {
      label: 'Renamed',
      port: 995,
      policy: { leaveOnServer: false },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ label: 'Renamed', policy: { leaveOnServer: false } });
  });
});

describe('the guard against reaching private networks', () => {
  const privateHosts = [
    '127.0.0.1',
    '::1',
    '[::1]',
    '10.1.2.3',
    '169.254.169.254',
    '100.64.0.1',
    'localhost',
  ];

  it.each(privateHosts)('refuses %s for an account and for a connection test', async (host) => {
    const browser = await signedIn(privateRefused);
    const created = await browser.post('/api/accounts', account({ host }));
    expect(created.statusCode).toBe(400);
    expect(created.json().error.code).toBe('BLOCKED_HOST');
    const name = host.replace(/^\[|\]$/g, '');
    expect(created.json().error.message).toBe(
      `Connections to ${name} are not allowed on this Popgate`,
    );
    const tested = await browser.post('/api/accounts/test', connection({ host }));
    expect(tested.statusCode).toBe(200);
    expect(tested.json()).toEqual({ ok: false, error: created.json().error });
  });

  it('refuses a private host for a changed account too', async () => {
    const browser = new ApiClient(privateRefused.app);
    const me = await browser.signUp(`policy-${randomBytes(4).toString('hex')}@example.test`);
    const linked = await privateRefused.db.prisma.pop3Account.create({
      data: {
        userId: me.id,
        label: 'Linked earlier',
        host: 'pop.example.test',
        port: 995,
        username: 'someone',
        secretCiphertext: new Uint8Array([0]),
        secretKeyId: 'unused',
      },
    });
    const moved = await browser.patch(`/api/accounts/${linked.id}`, { host: '10.0.0.1' });
    expect(moved.statusCode).toBe(400);
    expect(moved.json().error.code).toBe('BLOCKED_HOST');
    expect((await browser.get(`/api/accounts/${linked.id}`)).json().host).toBe('pop.example.test');
  });

  it('says the same whether or not a server listens behind the address', async () => {
    await setPolicy({ allowedPorts: [] });
    const listening = await Pop3Server.start();
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    try {
      const browser = await signedIn(privateRefused);
      const answers = [];
      for (const port of [listening.port, closed]) {
        const test = await browser.post(
          '/api/accounts/test',
          connection({ port, security: 'none' }),
        );
        const create = await browser.post('/api/accounts', account({ port, security: 'none' }));
        answers.push({ test: test.json(), create: [create.statusCode, create.json()] });
      }
      expect(answers[0]).toEqual(answers[1]);
      expect(listening.stats.sessions).toBe(0);
    } finally {
      await listening.close();
    }
  });
});

describe('allowed networks on the policy page: the one place that opens a private network', () => {
  it('opens loopback to the admin who lists it, with no environment variable', async () => {
    await setPolicy({ allowedPorts: [] });
    const server = await Pop3Server.start({ users: [{ username: 'alice', password: 'alice-pw' }] });
    try {
      const browser = await signedIn(privateRefused);
      const login = {
        port: server.port,
        security: 'none',
        username: 'alice',
        password: 'alice-pw',
      };
      const before = await browser.post('/api/accounts/test', connection(login));
      expect(before.json().error.code).toBe('BLOCKED_HOST');

      await setPolicy({ allowedNetworks: ['127.0.0.0/8'] });
      const tested = await browser.post('/api/accounts/test', connection(login));
      expect(tested.json(), tested.body).toMatchObject({ ok: true });
      const linked = await browser.post('/api/accounts', account(login));
      expect(linked.statusCode, linked.body).toBe(201);
      // Listing one network opens that one only.
      const other = await browser.post('/api/accounts/test', connection({ host: '10.9.8.7' }));
      expect(other.json().error.code).toBe('BLOCKED_HOST');
    } finally {
      await server.close();
    }
  });

  it('reads IPv4 addresses written inside IPv6 ones in both lists', async () => {
    await setPolicy({ allowedPorts: [], allowedNetworks: ['127.0.0.0/8'] });
    const browser = await signedIn(privateRefused);
    for (const host of ['[::ffff:127.0.0.1]', '[::ffff:7f00:1]']) {
      const linked = await browser.post('/api/accounts', account({ host }));
      expect(linked.statusCode, `${host}: ${linked.body}`).toBe(201);
    }
    await setPolicy({ allowedNetworks: [], refusedNetworks: ['127.0.0.0/8'] });
    const allowing = await signedIn();
    for (const host of ['[::ffff:7f00:1]', '[64:ff9b::127.0.0.1]', '[2002:7f00:1::1]']) {
      const refused = await allowing.post('/api/accounts', account({ host }));
      expect(refused.statusCode, `${host}: ${refused.body}`).toBe(403);
      expect(refused.json().error.code).toBe('HOST_NOT_ALLOWED');
    }
  });
});

describe('connection tests', () => {
  it('allows ten a minute per user, then says when to try again', async () => {
    const browser = await signedIn(privateRefused);
    const blocked = connection({ host: '10.9.8.7' });
    for (let n = 0; n < 10; n++) {
      expect((await browser.post('/api/accounts/test', blocked)).statusCode).toBe(200);
    }
    const refused = await browser.post('/api/accounts/test', blocked);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('RATE_LIMITED');
    const wait = Number(refused.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    // Another user is not held up, and the other Popgate counts the same allowance.
    expect(
      (await (await signedIn(privateRefused)).post('/api/accounts/test', blocked)).statusCode,
    ).toBe(200);
  });

  it('needs the password, or the id of an own account whose password to use', async () => {
    const browser = await signedIn(privateRefused);
    const { password: _password, ...withoutPassword } = connection({ host: '10.9.8.7' });
    const missing = await browser.post('/api/accounts/test', withoutPassword);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toContain('password');
  });
});
