import { randomBytes } from 'node:crypto';
import type { AccountOut } from '@popgate/contracts';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PopgateEvent } from '../src/events/event-bus';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';

let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof testApp>>;
let admin: Awaited<ReturnType<typeof signedIn>>;
const replies: LightMyRequestResponse[] = [];
const passwords: string[] = [];

beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_accounts');
  subject = await testApp({
    databaseUrl: database.url,
    env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' },
  });
  await subject.db.prisma.policy.update({ where: { id: 1 }, data: { allowedPorts: [] } });
  // The first user to sign up is the admin.
  admin = await signedIn();
  expect(admin.me.role).toBe('admin');
});
afterAll(async () => {
  await subject?.close();
  if (database) await dropDatabase(database.name);
});

/** A browser of a new user whose every reply is kept, to be scanned for secrets at the end. */
async function signedIn() {
  const browser = new ApiClient(subject.app);
  const request = browser.request.bind(browser);
  browser.request = async (...args: Parameters<ApiClient['request']>) => {
    const response = await request(...args);
    replies.push(response);
    return response;
  };
  const me = await browser.signUp(`user-${randomBytes(4).toString('hex')}@example.test`);
  return { browser, me };
}

function newAccount(overrides: Record<string, unknown> = {}) {
  const password = `pw-${randomBytes(12).toString('hex')}`;
  passwords.push(password);
  return {
    label: 'Work mail',
    host: '127.0.0.1',
    port: 995,
    security: 'tls',
    username: 'ada@example.test',
    password,
    auth: 'cram-md5',
    policy: {
      leaveOnServer: false,
      deleteAfterDays: 30,
      deleteWhenDeletedHere: true,
      pollSeconds: 900,
      maxFullDownloadBytes: 2_000_000,
    },
    tls: { caPem: null, pinSha256: 'ab'.repeat(32) },
    ...overrides,
  };
}

async function created(browser: ApiClient, overrides: Record<string, unknown> = {}) {
  const response = await browser.post('/api/accounts', newAccount(overrides));
  expect(response.statusCode, response.body).toBe(201);
  return response.json<AccountOut>();
}

const row = (id: string) => subject.db.prisma.pop3Account.findUniqueOrThrow({ where: { id } });

async function storeMessages(accountId: string, userId: string, count: number, tag: string) {
  const prisma = subject.db.prisma;
  for (let n = 0; n < count; n++) {
    const sha256 = `${tag}-${n}`.padEnd(64, '0');
    await prisma.messageSource.createMany({
      data: [{ sha256, size: 3, bytes: new Uint8Array([1, 2, 3]) }],
      skipDuplicates: true,
    });
    await prisma.message.create({
      data: {
        accountId,
        userId,
        uidl: `${tag}-${n}`,
        size: 3,
        date: new Date(),
        sourceSha256: sha256,
      },
    });
  }
}

describe('linked POP3 accounts', () => {
  it('links an account with every field and returns it the same way from create, list, get and patch', async () => {
    const { browser } = await signedIn();
    const input = newAccount();
    const response = await browser.post('/api/accounts', input);
    expect(response.statusCode).toBe(201);
    const account = response.json<AccountOut>();
    const { password: _password, ...shown } = input;
    expect(account).toMatchObject({
      ...shown,
      tls: { caPem: null, pinSha256: 'ab'.repeat(32) },
      status: 'new',
      disabled: false,
      lastSyncAt: null,
      lastError: null,
      lastErrorCode: null,
      messageCount: 0,
      unreadCount: 0,
      serverInfo: null,
    });
    expect(Math.abs(Date.parse(account.nextSyncAt!) - Date.now())).toBeLessThan(10_000);

    expect((await browser.get('/api/accounts')).json()).toEqual([account]);
    expect((await browser.get(`/api/accounts/${account.id}`)).json()).toEqual(account);

    const patched = await browser.patch(`/api/accounts/${account.id}`, {
      label: 'Renamed',
      policy: { pollSeconds: 600 },
    });
    expect(patched.statusCode).toBe(200);
    // Only what was sent changes: the other policy fields keep their values.
    expect(patched.json()).toEqual({
      ...account,
      label: 'Renamed',
      policy: { ...account.policy, pollSeconds: 600 },
      nextSyncAt: patched.json<AccountOut>().nextSyncAt,
    });
    expect((await browser.get(`/api/accounts/${account.id}`)).json()).toEqual(patched.json());
  });

  it('stores the password sealed, queues the first check at once, and fills in defaults', async () => {
    const { browser } = await signedIn();
    const response = await browser.post('/api/accounts', {
      label: 'Minimal',
      host: 'Mail.Example.TEST.',
      port: 110,
      security: 'starttls',
      username: 'bob',
      password: 'a secret of bob',
    });
    // The host does not resolve: the answer says so and nothing is stored.
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('DNS');

    const minimal = await browser.post('/api/accounts', {
      label: 'Minimal',
      host: '127.0.0.1',
      port: 110,
      security: 'starttls',
      username: 'bob',
      password: 'a secret of bob',
    });
    expect(minimal.statusCode).toBe(201);
    const account = minimal.json<AccountOut>();
    expect(account).toMatchObject({
      auth: 'auto',
      policy: {
        leaveOnServer: true,
        deleteAfterDays: null,
        deleteWhenDeletedHere: false,
        pollSeconds: 300,
        maxFullDownloadBytes: null,
      },
      tls: { caPem: null, pinSha256: null },
    });
    const stored = await row(account.id);
    expect(Buffer.from(stored.secretCiphertext).includes('a secret of bob')).toBe(false);
    expect(
      subject.app.keyring.open(
        { ciphertext: Buffer.from(stored.secretCiphertext), keyId: stored.secretKeyId },
        stored.id,
      ),
    ).toBe('a secret of bob');
    expect(stored.syncRequested).toBe(true);
    expect(stored.authMethod).toBe('auto');
  });

  it('counts stored and unread messages per account, leaving the trash out', async () => {
    const { browser, me } = await signedIn();
    const first = await created(browser);
    const second = await created(browser, { label: 'Second' });
    await storeMessages(first.id, me.id, 4, `count-${first.id}`);
    const prisma = subject.db.prisma;
    const messages = await prisma.message.findMany({ where: { accountId: first.id } });
    await prisma.message.update({ where: { id: messages[0]!.id }, data: { seen: true } });
    await prisma.message.update({
      where: { id: messages[1]!.id },
      data: { trashedAt: new Date() },
    });

    const list = (await browser.get('/api/accounts')).json<AccountOut[]>();
    expect(list.map((a) => [a.id, a.messageCount, a.unreadCount])).toEqual([
      [first.id, 3, 2],
      [second.id, 0, 0],
    ]);
    expect((await browser.get(`/api/accounts/${first.id}`)).json()).toMatchObject({
      messageCount: 3,
      unreadCount: 2,
    });
  });

  it('says which field is wrong in a malformed account', async () => {
    const { browser } = await signedIn();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ host: undefined }, 'host'],
      [{ host: 'has space.example' }, 'host'],
      [{ port: 0 }, 'port'],
      [{ port: 70000 }, 'port'],
      [{ security: 'ssl' }, 'security'],
      [{ label: '' }, 'label'],
      [{ password: '' }, 'password'],
      [{ auth: 'kerberos' }, 'auth'],
      [{ policy: { pollSeconds: 5 } }, 'pollSeconds'],
      [{ policy: { deleteAfterDays: 0 } }, 'deleteAfterDays'],
      [{ policy: { everyMinute: true } }, 'body/policy/everyMinute is not a known field'],
      [{ tls: { pinSha256: 'not a fingerprint' } }, 'pinSha256'],
      [{ color: 'blue' }, 'body/color is not a known field'],
    ];
    for (const [change, field] of cases) {
      const response = await browser.post('/api/accounts', newAccount(change));
      expect(response.statusCode, `${field}: ${response.body}`).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION');
      expect(response.json().error.message).toContain(field);
    }
    const account = await created(browser);
    const badPatch = await browser.patch(`/api/accounts/${account.id}`, { port: 'many' });
    expect(badPatch.statusCode).toBe(400);
    expect(badPatch.json().error.message).toContain('port');
    expect(await subject.db.prisma.pop3Account.count({ where: { id: account.id } })).toBe(1);
  });

  it("answers 404 for another user's account on every route, admins included", async () => {
    const owner = await signedIn();
    const stranger = await signedIn();
    const account = await created(owner.browser);
    const id = account.id;
    for (const { browser } of [stranger, admin]) {
      const attempts = [
        await browser.get(`/api/accounts/${id}`),
        await browser.patch(`/api/accounts/${id}`, { label: 'mine now' }),
        await browser.patch(`/api/accounts/${id}`, { password: 'guess' }),
        await browser.delete(`/api/accounts/${id}`),
        await browser.post(`/api/accounts/${id}/sync`),
        await browser.post('/api/accounts/test', {
          host: '127.0.0.1',
          port: 995,
          security: 'tls',
          username: 'x',
          accountId: id,
        }),
      ];
      for (const attempt of attempts) {
        expect(attempt.statusCode, attempt.body).toBe(404);
        expect(attempt.json().error.code).toBe('NOT_FOUND');
      }
      expect((await browser.get('/api/accounts')).json()).toEqual([]);
    }
    for (const malformed of ['not-a-uuid', '123', "1' OR '1'='1"]) {
      const response = await owner.browser.get(`/api/accounts/${encodeURIComponent(malformed)}`);
      expect(response.statusCode).toBe(404);
    }
    expect((await owner.browser.get(`/api/accounts/${id}`)).json()).toEqual(account);
    const anonymous = await new ApiClient(subject.app).get(`/api/accounts/${id}`);
    expect(anonymous.statusCode).toBe(401);
  });

  it('gives an account stopped by a rejected password a new try at once when the password changes', async () => {
    const { browser, me } = await signedIn();
    const account = await created(browser);
    const stopped = {
      status: 'auth_failed' as const,
      failureCount: 3,
      lastError: 'The server rejected the user name or password',
      lastErrorCode: 'AUTH_FAILED',
      nextSyncAt: new Date(Date.now() + 365 * 86_400_000),
      syncRequested: false,
    };
    await subject.db.prisma.pop3Account.update({ where: { id: account.id }, data: stopped });
    const events: PopgateEvent[] = [];
    const stop = subject.app.events.subscribe((e) => e.userId === me.id && events.push(e));

    // A new label is not a new try.
    const renamed = await browser.patch(`/api/accounts/${account.id}`, { label: 'Still stopped' });
    expect(renamed.json()).toMatchObject({ status: 'auth_failed', lastErrorCode: 'AUTH_FAILED' });
    // Sending back the stored values is not a change either.
    const same = await browser.patch(`/api/accounts/${account.id}`, {
      host: account.host,
      port: account.port,
    });
    expect(same.json()).toMatchObject({ status: 'auth_failed' });

    const fixed = await browser.patch(`/api/accounts/${account.id}`, { password: 'the right one' });
    passwords.push('the right one');
    expect(fixed.statusCode).toBe(200);
    expect(fixed.json()).toMatchObject({ status: 'new', lastError: null, lastErrorCode: null });
    expect(Math.abs(Date.parse(fixed.json().nextSyncAt) - Date.now())).toBeLessThan(10_000);
    const stored = await row(account.id);
    expect(stored).toMatchObject({ failureCount: 0, syncRequested: true });
    expect(
      subject.app.keyring.open(
        { ciphertext: Buffer.from(stored.secretCiphertext), keyId: stored.secretKeyId },
        stored.id,
      ),
    ).toBe('the right one');
    expect(events.map((e) => [e.type, e.payload])).toEqual([
      [
        'account.status',
        { accountId: account.id, status: 'new', lastError: null, lastErrorCode: null },
      ],
    ]);
    stop();
  });

  it('gives a stopped account a new try when where or how to connect changes', async () => {
    const { browser } = await signedIn();
    const account = await created(browser);
    // A new server, port, security or user name comes with the password (the stored one is only
    // sent where it was stored for).
    const password = 'the same password';
    passwords.push(password);
    for (const change of [
      { host: 'localhost', password },
      { port: 9995, password },
      { security: 'starttls', password },
      { username: 'other', password },
      { auth: 'plain' },
      { tls: { pinSha256: null } },
    ]) {
      await subject.db.prisma.pop3Account.update({
        where: { id: account.id },
        data: { status: 'perm_error', failureCount: 1, lastErrorCode: 'SYS_PERM' },
      });
      const response = await browser.patch(`/api/accounts/${account.id}`, change);
      expect(response.statusCode, JSON.stringify(change)).toBe(200);
      const { password: _password, ...shown } = change as { password?: string };
      expect(response.json(), JSON.stringify(shown)).toMatchObject({
        ...shown,
        ...('tls' in change ? { tls: { caPem: null, pinSha256: null } } : {}),
        status: 'new',
        lastErrorCode: null,
      });
    }
    expect((await row(account.id)).authMethod).toBe('plain');
  });

  it('switches an account off and on, and checks it now only while it is on', async () => {
    const { browser } = await signedIn();
    const account = await created(browser);
    await subject.db.prisma.pop3Account.update({
      where: { id: account.id },
      data: { syncRequested: false },
    });
    const now = await browser.post(`/api/accounts/${account.id}/sync`);
    expect(now.statusCode).toBe(202);
    expect(now.json()).toEqual({ accountId: account.id, requested: true });
    expect((await row(account.id)).syncRequested).toBe(true);

    expect(
      (await browser.patch(`/api/accounts/${account.id}`, { disabled: true })).json(),
    ).toMatchObject({ disabled: true });
    const refused = await browser.post(`/api/accounts/${account.id}/sync`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('ACCOUNT_DISABLED');

    await subject.db.prisma.pop3Account.update({
      where: { id: account.id },
      data: { nextSyncAt: new Date(Date.now() + 3_600_000) },
    });
    const on = await browser.patch(`/api/accounts/${account.id}`, { disabled: false });
    expect(on.json()).toMatchObject({ disabled: false });
    expect(Date.parse(on.json().nextSyncAt)).toBeLessThanOrEqual(Date.now());
  });

  it('deletes an account with its messages and their bytes, keeping bytes another account shares', async () => {
    const { browser, me } = await signedIn();
    const doomed = await created(browser);
    const kept = await created(browser, { label: 'Kept' });
    await storeMessages(doomed.id, me.id, 3, `del-${doomed.id}`);
    // The same bytes arrived through the other account too.
    await storeMessages(kept.id, me.id, 1, `del-${doomed.id}`);
    const prisma = subject.db.prisma;

    const response = await browser.delete(`/api/accounts/${doomed.id}`);
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect((await browser.get(`/api/accounts/${doomed.id}`)).statusCode).toBe(404);
    expect((await browser.delete(`/api/accounts/${doomed.id}`)).statusCode).toBe(404);
    expect(await prisma.message.count({ where: { accountId: doomed.id } })).toBe(0);
    const tag = `del-${doomed.id}`;
    const sources = await prisma.messageSource.findMany({
      where: { sha256: { startsWith: tag } },
      select: { sha256: true },
    });
    expect(sources.map((s) => s.sha256)).toEqual([`${tag}-0`.padEnd(64, '0')]);
    expect((await browser.get('/api/accounts')).json<AccountOut[]>().map((a) => a.id)).toEqual([
      kept.id,
    ]);
  });

  it('records creation, changes and deletion in the audit log, never the password', async () => {
    const { browser, me } = await signedIn();
    const account = await created(browser);
    await browser.patch(`/api/accounts/${account.id}`, { password: 'audit-pw-123', label: 'x' });
    passwords.push('audit-pw-123');
    await browser.delete(`/api/accounts/${account.id}`);
    const entries = await subject.db.prisma.auditLog.findMany({
      where: { actorUserId: me.id, targetId: account.id },
      orderBy: { id: 'asc' },
    });
    expect(entries.map((e) => e.action)).toEqual([
      'account.created',
      'account.changed',
      'account.deleted',
    ]);
    expect(entries[1]!.details).toEqual({ fields: ['label', 'password'] });
    const logged = JSON.stringify(entries.map((e) => e.details));
    for (const password of passwords) expect(logged).not.toContain(password);
  });

  // Last: it reads every reply the tests above received.
  it('never puts a password or its sealed form in any reply', async () => {
    expect(replies.length).toBeGreaterThan(50);
    const secrets = await subject.db.prisma.pop3Account.findMany({
      select: { secretCiphertext: true, secretKeyId: true },
    });
    const forbidden = [
      ...passwords,
      ...secrets.flatMap((s) => [
        Buffer.from(s.secretCiphertext).toString('base64'),
        Buffer.from(s.secretCiphertext).toString('hex'),
      ]),
      ...secrets.map((s) => s.secretKeyId),
      'secretCiphertext',
      'secretKeyId',
      '"password"',
    ];
    for (const reply of replies) {
      for (const secret of forbidden) expect(reply.body).not.toContain(secret);
    }
  });
});
