import { randomBytes } from 'node:crypto';
import type { IdentityOut, IdentityTestReply } from '@popgate/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIdentitySecret } from '../src/identities/identity-secret';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';
import { startSmtpFaults, type SmtpFaults } from './support/smtp-faults';

const POP3_PASSWORD = 'pop3-Secret-77!';
const SMTP_PASSWORD = 'smtp-Own-Secret-42!';

let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof testApp>>;
let smtp: SmtpFaults;

beforeAll(async () => {
  [database, smtp] = await Promise.all([
    createMigratedDatabase('popgate_test_identities_crud'),
    startSmtpFaults({ users: { alice: POP3_PASSWORD, 'alice-smtp': SMTP_PASSWORD } }),
  ]);
  subject = await testApp({
    databaseUrl: database.url,
    env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' },
  });
  // The scripted server listens on a random port.
  await subject.db.prisma.policy.update({ where: { id: 1 }, data: { allowedSmtpPorts: [] } });
  subject.app.syncContext.timeouts = { connectMs: 2000, greetingMs: 2000, commandMs: 2000 };
});
afterAll(async () => {
  await subject?.close();
  await smtp?.close();
  if (database) await dropDatabase(database.name);
});

/** A signed-in user with one linked account (its POP3 password sealed as the API would). */
async function userWithAccount(account: { host?: string; username?: string } = {}) {
  const browser = new ApiClient(subject.app);
  const user = await browser.signUp(`someone-${randomBytes(4).toString('hex')}@example.test`);
  const id = crypto.randomUUID();
  const sealed = subject.app.keyring.seal(POP3_PASSWORD, id);
  const created = await subject.db.prisma.pop3Account.create({
    data: {
      id,
      userId: user.id,
      label: 'Mail',
      host: account.host ?? '127.0.0.1',
      port: 995,
      username: account.username ?? 'alice',
      secretCiphertext: new Uint8Array(sealed.ciphertext),
      secretKeyId: sealed.keyId,
    },
  });
  return { browser, user, account: created };
}

const smtpSettings = (overrides: Record<string, unknown> = {}) => ({
  host: '127.0.0.1',
  port: smtp.port,
  security: 'starttls',
  tls: { pinSha256: smtp.certificate.sha256 },
  ...overrides,
});

async function createIdentity(browser: ApiClient, body: Record<string, unknown>) {
  const response = await browser.post('/api/identities', body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<IdentityOut>();
}

describe('identities', () => {
  it("are created for the user's account, sign in as the POP3 user with the POP3 password by default, and never show a password", async () => {
    const { browser, account } = await userWithAccount();
    const identity = await createIdentity(browser, {
      accountId: account.id,
      name: 'Alice Example',
      address: 'alice@example.test',
      smtp: smtpSettings(),
    });
    expect(identity).toMatchObject({
      accountId: account.id,
      name: 'Alice Example',
      address: 'alice@example.test',
      replyTo: null,
      signature: { format: 'text', content: '' },
      smtp: { host: '127.0.0.1', username: 'alice', auth: 'auto', passwordSource: 'account' },
    });
    const list = await browser.get('/api/identities');
    expect(list.json<IdentityOut[]>().map((i) => i.id)).toEqual([identity.id]);
    const one = await browser.get(`/api/identities/${identity.id}`);
    expect(one.json()).toEqual(identity);
    for (const body of [list.body, one.body]) expect(body).not.toContain(POP3_PASSWORD);
  });

  it('seal their own SMTP password for the identity alone: not in any reply, not readable as an account secret', async () => {
    const { browser, account } = await userWithAccount();
    const response = await browser.post('/api/identities', {
      accountId: account.id,
      name: 'Alice',
      address: 'alice@example.test',
      smtp: smtpSettings({ username: 'alice-smtp', password: SMTP_PASSWORD }),
    });
    expect(response.statusCode).toBe(201);
    expect(response.body).not.toContain(SMTP_PASSWORD);
    const identity = response.json<IdentityOut>();
    expect(identity.smtp.passwordSource).toBe('own');
    const row = await subject.db.prisma.identity.findUniqueOrThrow({ where: { id: identity.id } });
    expect(Buffer.from(row.smtpSecretCiphertext!).toString('latin1')).not.toContain(SMTP_PASSWORD);
    expect(openIdentitySecret(subject.app.keyring, row)).toBe(SMTP_PASSWORD);
    const sealed = {
      ciphertext: Buffer.from(row.smtpSecretCiphertext!),
      keyId: row.smtpSecretKeyId!,
    };
    expect(() => subject.app.keyring.open(sealed, identity.id)).toThrow();
    expect(() => subject.app.keyring.open(sealed, account.id)).toThrow();
    for (const url of ['/api/identities', `/api/identities/${identity.id}`]) {
      expect((await browser.get(url)).body).not.toContain(SMTP_PASSWORD);
    }
  });

  it("are another user's business only: 404 for their identities and accounts, and for malformed ids", async () => {
    const owner = await userWithAccount();
    const identity = await createIdentity(owner.browser, {
      accountId: owner.account.id,
      name: 'Owner',
      address: 'owner@example.test',
      smtp: smtpSettings(),
    });
    const { browser: stranger, account: strangersAccount } = await userWithAccount();
    const answers = [
      await stranger.get(`/api/identities/${identity.id}`),
      await stranger.patch(`/api/identities/${identity.id}`, { name: 'Mine now' }),
      await stranger.delete(`/api/identities/${identity.id}`),
      await stranger.get(`/api/identities/defaults?accountId=${owner.account.id}`),
      await stranger.post('/api/identities', {
        accountId: owner.account.id,
        name: 'Owner',
        address: 'owner@example.test',
        smtp: smtpSettings({ password: 'x' }),
      }),
      await stranger.post('/api/identities/test', {
        ...smtpSettings(),
        username: 'alice',
        identityId: identity.id,
      }),
      await stranger.get('/api/identities/not-a-uuid'),
    ];
    expect(answers.map((r) => r.statusCode)).toEqual([404, 404, 404, 404, 404, 404, 404]);
    expect((await stranger.get('/api/identities')).json()).toEqual([]);
    expect(strangersAccount.id).not.toBe(owner.account.id);
    const row = await subject.db.prisma.identity.findUniqueOrThrow({ where: { id: identity.id } });
    expect(row.name).toBe('Owner');
  });

  it('refuse line breaks in the name, the address and the reply-to (header injection)', async () => {
    const { browser, account } = await userWithAccount();
    const base = { accountId: account.id, address: 'a@example.test', smtp: smtpSettings() };
    const attempts = [
      { ...base, name: 'Alice\r\nBcc: victim@example.test' },
      { ...base, name: 'Alice', address: 'a@example.test\nBcc: victim@example.test' },
      { ...base, name: 'Alice', replyTo: { name: 'x\rBcc: y', address: 'r@example.test' } },
    ];
    for (const body of attempts) {
      const response = await browser.post('/api/identities', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION');
    }
    const identity = await createIdentity(browser, { ...base, name: 'Alice' });
    const patched = await browser.patch(`/api/identities/${identity.id}`, { name: 'A\nB' });
    expect(patched.statusCode).toBe(400);
  });

  it('ask for the password again before the saved one goes to another server (PASSWORD_REQUIRED)', async () => {
    const { browser, account } = await userWithAccount({ host: 'pop.example.test' });
    // The POP3 password only goes to a sending server of the POP3 server's domain.
    const elsewhere = await browser.post('/api/identities', {
      accountId: account.id,
      name: 'Alice',
      address: 'alice@example.test',
      smtp: smtpSettings(),
    });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().error.code).toBe('PASSWORD_REQUIRED');

    const identity = await createIdentity(browser, {
      accountId: account.id,
      name: 'Alice',
      address: 'alice@example.test',
      smtp: smtpSettings({ username: 'alice-smtp', password: SMTP_PASSWORD }),
    });
    const url = `/api/identities/${identity.id}`;
    for (const smtpChange of [
      { host: 'localhost' },
      { port: smtp.port + 1 },
      { security: 'tls' },
      { username: 'mallory' },
      { tls: { pinSha256: 'ab'.repeat(32) } },
    ]) {
      const response = await browser.patch(url, { smtp: smtpChange });
      expect(response.statusCode, JSON.stringify(smtpChange)).toBe(400);
      expect(response.json().error.code).toBe('PASSWORD_REQUIRED');
    }
    // The account's password instead: refused, as 127.0.0.1 is not pop.example.test's domain.
    const accountPassword = await browser.patch(url, {
      smtp: { host: 'localhost', useAccountPassword: true },
    });
    expect(accountPassword.json().error.code).toBe('PASSWORD_REQUIRED');
    // With the password, and without a change of destination, it goes through.
    const withPassword = await browser.patch(url, {
      smtp: { host: 'localhost', password: 'another' },
    });
    expect(withPassword.statusCode, withPassword.body).toBe(200);
    expect(withPassword.json().smtp.host).toBe('localhost');
    const renamed = await browser.patch(url, { name: 'Alice B.', smtp: { host: 'localhost' } });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Alice B.', smtp: { passwordSource: 'own' } });
  });

  it("switch to the account's password with useAccountPassword when the server is of the POP3 server's domain", async () => {
    const { browser, account } = await userWithAccount();
    const identity = await createIdentity(browser, {
      accountId: account.id,
      name: 'Alice',
      address: 'alice@example.test',
      smtp: smtpSettings({ password: SMTP_PASSWORD }),
    });
    const response = await browser.patch(`/api/identities/${identity.id}`, {
      smtp: { security: 'tls', useAccountPassword: true },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().smtp).toMatchObject({ security: 'tls', passwordSource: 'account' });
    const row = await subject.db.prisma.identity.findUniqueOrThrow({ where: { id: identity.id } });
    expect(row.smtpSecretCiphertext).toBeNull();
  });

  it('keep an HTML signature through the incoming-mail sanitizer, without remote images (no proxy for recipients)', async () => {
    const { browser, account } = await userWithAccount();
    const identity = await createIdentity(browser, {
      accountId: account.id,
      name: 'Alice',
      address: 'alice@example.test',
      smtp: smtpSettings(),
      signature: {
        format: 'html',
        content:
          '<p onclick="steal()"><b>Alice</b> <a href="javascript:alert(1)">x</a><script>alert(1)</script><img src="https://example.test/logo.png" alt="logo"></p>',
      },
    });
    const html = identity.signature.content;
    expect(identity.signature.format).toBe('html');
    expect(html).toContain('<b>Alice</b>');
    expect(html).toContain('<img alt="logo" />');
    expect(html).not.toContain('example.test/logo.png');
    expect(html).not.toMatch(/script|onclick|javascript/);
    const text = await browser.patch(`/api/identities/${identity.id}`, {
      signature: { format: 'text', content: '-- \nAlice <b>as typed</b>' },
    });
    expect(text.json().signature).toEqual({
      format: 'text',
      content: '-- \nAlice <b>as typed</b>',
    });
  });

  it('are held to the admin policy: SMTP ports and TLS', async () => {
    const { browser, account } = await userWithAccount();
    const { prisma } = subject.db;
    await prisma.policy.update({
      where: { id: 1 },
      data: { allowedSmtpPorts: [465, 587], requireTls: true },
    });
    try {
      const body = { accountId: account.id, name: 'A', address: 'a@example.test' };
      const port = await browser.post('/api/identities', {
        ...body,
        smtp: smtpSettings({ port: 25 }),
      });
      expect(port.statusCode).toBe(403);
      expect(port.json().error).toMatchObject({ code: 'PORT_NOT_ALLOWED' });
      expect(port.json().error.message).toContain('465, 587');
      const plain = await browser.post('/api/identities', {
        ...body,
        smtp: smtpSettings({ port: 587, security: 'none' }),
      });
      expect(plain.json().error.code).toBe('TLS_REQUIRED');
    } finally {
      await prisma.policy.update({
        where: { id: 1 },
        data: { allowedSmtpPorts: [], requireTls: false },
      });
    }
  });

  it('are audited when created, changed and removed, without any password', async () => {
    const { browser, account } = await userWithAccount();
    const identity = await createIdentity(browser, {
      accountId: account.id,
      name: 'Alice',
      address: 'alice@example.test',
      smtp: smtpSettings({ password: SMTP_PASSWORD }),
    });
    await browser.patch(`/api/identities/${identity.id}`, { smtp: { password: 'changed-pw' } });
    expect((await browser.delete(`/api/identities/${identity.id}`)).statusCode).toBe(204);
    expect((await browser.get(`/api/identities/${identity.id}`)).statusCode).toBe(404);
    const entries = await subject.db.prisma.auditLog.findMany({
      where: { targetId: identity.id },
      orderBy: { id: 'asc' },
    });
    expect(entries.map((e) => e.action)).toEqual([
      'identity.created',
      'identity.changed',
      'identity.deleted',
    ]);
    expect(entries[1]!.details).toEqual({ fields: ['smtp.password'] });
    expect(JSON.stringify(entries.map((e) => e.details))).not.toMatch(/changed-pw|smtp-Own-Secret/);
  });
});

describe('GET /api/identities/defaults', () => {
  it('proposes smtp.<domain> on 587 with STARTTLS and the POP3 user name as the address when it is one', async () => {
    const { browser, account } = await userWithAccount({
      host: 'pop3.example.org',
      username: 'alice@example.org',
    });
    const response = await browser.get(`/api/identities/defaults?accountId=${account.id}`);
    expect(response.json()).toEqual({
      name: '',
      address: 'alice@example.org',
      smtp: {
        host: 'smtp.example.org',
        port: 587,
        security: 'starttls',
        username: 'alice@example.org',
      },
    });
    const other = await userWithAccount({ host: 'mail.example.net', username: 'alice' });
    const guess = await other.browser.get(`/api/identities/defaults?accountId=${other.account.id}`);
    expect(guess.json()).toMatchObject({ address: '', smtp: { host: 'smtp.mail.example.net' } });
  });
});

describe('POST /api/identities/test', () => {
  const test = async (browser: ApiClient, body: Record<string, unknown>) => {
    const response = await browser.post('/api/identities/test', body);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<IdentityTestReply>();
  };

  it("signs in with an identity's stored password, or the account's, without typing it", async () => {
    const { browser, account } = await userWithAccount();
    const own = await createIdentity(browser, {
      accountId: account.id,
      name: 'Alice',
      address: 'alice@example.test',
      smtp: smtpSettings({ username: 'alice-smtp', password: SMTP_PASSWORD }),
    });
    const withOwn = await test(browser, {
      ...smtpSettings(),
      username: 'alice-smtp',
      identityId: own.id,
    });
    expect(withOwn).toMatchObject({
      ok: true,
      serverInfo: { authenticatedWith: 'PLAIN', tls: { trustedBy: 'pin' } },
    });
    const withAccount = await test(browser, {
      ...smtpSettings(),
      username: 'alice',
      accountId: account.id,
    });
    expect(withAccount.ok).toBe(true);
  });

  it('answers a wrong password with AUTH_FAILED and the server’s words', async () => {
    const { browser } = await userWithAccount();
    const reply = await test(browser, { ...smtpSettings(), username: 'alice', password: 'wrong' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    if (!reply.ok) expect(reply.error.message).toContain('535 5.7.8');
  });

  it('answers an untrusted certificate with its fingerprint', async () => {
    const { browser } = await userWithAccount();
    const reply = await test(browser, {
      ...smtpSettings({ tls: {} }),
      username: 'alice',
      password: 'x',
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'TLS_UNTRUSTED' } });
    if (!reply.ok) {
      expect(reply.error.fingerprint256?.replaceAll(':', '').toLowerCase()).toBe(
        smtp.certificate.sha256,
      );
    }
  });

  it('does not send a stored password to other settings (PASSWORD_REQUIRED), nor test without any', async () => {
    const { browser, account } = await userWithAccount();
    const own = await createIdentity(browser, {
      accountId: account.id,
      name: 'Alice',
      address: 'alice@example.test',
      smtp: smtpSettings({ username: 'alice-smtp', password: SMTP_PASSWORD }),
    });
    const moved = await browser.post('/api/identities/test', {
      ...smtpSettings({ port: smtp.port + 1 }),
      username: 'alice-smtp',
      identityId: own.id,
    });
    expect(moved.statusCode).toBe(400);
    expect(moved.json().error.code).toBe('PASSWORD_REQUIRED');
    const none = await browser.post('/api/identities/test', {
      ...smtpSettings(),
      username: 'alice',
    });
    expect(none.statusCode).toBe(400);
  });

  it('refuses a port outside the admin policy and loopback unless allowed', async () => {
    const { browser } = await userWithAccount();
    await subject.db.prisma.policy.update({ where: { id: 1 }, data: { allowedSmtpPorts: [587] } });
    try {
      const response = await browser.post('/api/identities/test', {
        ...smtpSettings(),
        username: 'alice',
        password: 'x',
      });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('PORT_NOT_ALLOWED');
    } finally {
      await subject.db.prisma.policy.update({ where: { id: 1 }, data: { allowedSmtpPorts: [] } });
    }
    const strict = await testApp({
      databaseUrl: database.url,
      env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'false' },
    });
    try {
      const client = new ApiClient(strict.app);
      await client.signUp(`strict-${randomBytes(4).toString('hex')}@example.test`);
      const response = await client.post('/api/identities/test', {
        ...smtpSettings(),
        username: 'alice',
        password: 'x',
      });
      expect(response.json()).toMatchObject({ ok: false, error: { code: 'BLOCKED_HOST' } });
    } finally {
      await strict.close();
    }
  });
});
