import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AccountOut } from '@popgate/contracts';
import {
  generateSelfSignedCert,
  Pop3Server,
  type SelfSignedCertificate,
} from '@popgate/pop3-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bindSealedSecrets } from '../src/accounts/bind-sealed-secrets';
import { loadConfig } from '../src/config';
import { Keyring } from '../src/crypto/secret-box';
import { openDatabase } from '../src/db/database';
import { secretKeyId } from '../src/secret-key';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { createMigratedDatabase, dropDatabase } from './support/databases';
import { sealUnbound } from './support/unbound-secret';

/**
 * DESIGN.md invariant 9: a stored POP3 password is only ever sent to the server it was stored
 * for. The test servers run on this machine, so private networks are allowed here: what stops the
 * password is the rule itself, not the host guard.
 */
let database: { name: string; url: string };
let subject: Awaited<ReturnType<typeof testApp>>;
let certificate: SelfSignedCertificate;
let pop3: Pop3Server;
const cleanups: Array<() => Promise<void> | void> = [];

const POP3_PASSWORD = `pop3-${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  [database, certificate] = await Promise.all([
    createMigratedDatabase('popgate_test_stored_password'),
    generateSelfSignedCert(),
  ]);
  pop3 = await Pop3Server.start({
    security: 'tls',
    tlsCert: certificate,
    users: [{ username: 'alice', password: POP3_PASSWORD }],
  });
  subject = await testApp({
    databaseUrl: database.url,
    env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' },
  });
  await subject.db.prisma.policy.update({ where: { id: 1 }, data: { allowedPorts: [] } });
  subject.app.syncContext.timeouts = { connectMs: 1500, greetingMs: 1500, commandMs: 1500 };
});
afterAll(async () => {
  await subject?.close();
  await pop3?.close();
  if (database) await dropDatabase(database.name);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A TCP listener that records every connection and every byte it is sent. */
async function listener(host = '127.0.0.1') {
  const seen = { connections: 0, bytes: '' };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    seen.connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('data', (chunk) => (seen.bytes += chunk.toString('latin1')));
    // Greets like a POP3 server, so a client would go on to log in.
    socket.write('+OK POP3 ready\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, seen };
}

/** A new user with an account on the test POP3 server (its certificate pinned). */
async function userWithAccount() {
  const browser = new ApiClient(subject.app);
  await browser.signUp(`owner-${randomBytes(4).toString('hex')}@example.test`);
  const response = await browser.post('/api/accounts', {
    label: 'Mail',
    host: '127.0.0.1',
    port: pop3.port,
    security: 'tls',
    username: 'alice',
    password: POP3_PASSWORD,
    tls: { pinSha256: certificate.sha256 },
  });
  expect(response.statusCode, response.body).toBe(201);
  return { browser, account: response.json<AccountOut>() };
}

const settingsOf = (account: AccountOut) => ({
  host: account.host,
  port: account.port,
  security: account.security,
  username: account.username,
  tls: { pinSha256: account.tls.pinSha256 },
});

const row = (id: string) => subject.db.prisma.pop3Account.findUniqueOrThrow({ where: { id } });

describe('a stored POP3 password', () => {
  it('testing a stored account against another host without its password is refused and nothing is sent to that host', async () => {
    const { browser, account } = await userWithAccount();
    const elsewhere = await listener('127.0.0.2');
    const otherPort = await listener('127.0.0.1');
    const sessionsBefore = pop3.stats.sessions;

    for (const change of [
      { host: '127.0.0.2', port: elsewhere.port },
      { port: otherPort.port },
      { host: 'localhost' },
      { security: 'none' },
      { security: 'starttls' },
      { username: 'mallory' },
      { tls: { pinSha256: 'ab'.repeat(32) } },
      { tls: { caPem: certificate.cert } },
    ]) {
      const reply = await browser.post('/api/accounts/test', {
        ...settingsOf(account),
        ...change,
        accountId: account.id,
      });
      expect(reply.statusCode, JSON.stringify(change)).toBe(400);
      expect(reply.json().error.code).toBe('PASSWORD_REQUIRED');
      expect(reply.json().error.message).toMatch(/^Enter the POP3 password again/);
    }
    expect(elsewhere.seen).toEqual({ connections: 0, bytes: '' });
    expect(otherPort.seen).toEqual({ connections: 0, bytes: '' });
    expect(pop3.stats.sessions).toBe(sessionsBefore);

    // The listener is reachable: with a password typed in, the test does connect there.
    const typed = await browser.post('/api/accounts/test', {
      ...settingsOf(account),
      host: '127.0.0.2',
      port: elsewhere.port,
      security: 'none',
      tls: {},
      password: 'typed just now',
      accountId: account.id,
    });
    expect(typed.statusCode, typed.body).toBe(200);
    expect(elsewhere.seen.connections).toBeGreaterThan(0);
    expect(elsewhere.seen.bytes).not.toContain(POP3_PASSWORD);
  });

  it('test with accountId and unchanged settings uses the stored password', async () => {
    const { browser, account } = await userWithAccount();
    const loginsBefore = pop3.stats.logins;
    const reply = await browser.post('/api/accounts/test', {
      ...settingsOf(account),
      // The host as typed (case, brackets, trailing dot) and the login method may differ.
      host: '127.0.0.1.',
      auth: 'user',
      accountId: account.id,
    });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json()).toMatchObject({ ok: true, serverInfo: { port: pop3.port } });
    expect(pop3.stats.logins).toBe(loginsBefore + 1);
    expect(pop3.stats.commands.map((c) => c.line)).toContain(`PASS ${POP3_PASSWORD}`);

    // Leaving out the pinned certificate trusts no other: the system's authorities decide.
    const unpinned = await browser.post('/api/accounts/test', {
      ...settingsOf(account),
      tls: {},
      accountId: account.id,
    });
    expect(unpinned.statusCode).toBe(200);
    expect(unpinned.json()).toMatchObject({ ok: false, error: { code: 'TLS_UNTRUSTED' } });
  });

  it('changing the host without the password is refused and keeps the account unchanged', async () => {
    const { browser, account } = await userWithAccount();
    const before = await row(account.id);
    for (const change of [
      { host: 'localhost' },
      { host: '127.0.0.2', label: 'Renamed too' },
      { port: 1995 },
      { security: 'none' },
      { username: 'mallory' },
      { tls: { pinSha256: 'cd'.repeat(32) } },
      { tls: { caPem: certificate.cert } },
    ]) {
      const response = await browser.patch(`/api/accounts/${account.id}`, change);
      expect(response.statusCode, JSON.stringify(change)).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'PASSWORD_REQUIRED' });
      expect(response.json().error.message).toContain('password');
    }
    expect(await row(account.id)).toEqual(before);

    // What does not move the password needs none: the same host as typed, a label, the login
    // method, dropping the pin.
    const same = await browser.patch(`/api/accounts/${account.id}`, {
      host: '127.0.0.1',
      port: pop3.port,
      security: 'tls',
      username: 'alice',
      label: 'Renamed',
      auth: 'plain',
    });
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json()).toMatchObject({ label: 'Renamed', auth: 'plain', host: '127.0.0.1' });
  });

  it('changing the host with the password works', async () => {
    const { browser, account } = await userWithAccount();
    const response = await browser.patch(`/api/accounts/${account.id}`, {
      host: '127.0.0.2',
      port: 9995,
      security: 'starttls',
      username: 'alice@elsewhere.test',
      password: 'the password there',
      tls: { pinSha256: 'ef'.repeat(32) },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      host: '127.0.0.2',
      port: 9995,
      security: 'starttls',
      username: 'alice@elsewhere.test',
      status: 'new',
    });
    const stored = await row(account.id);
    expect(
      subject.app.keyring.open(
        { ciphertext: Buffer.from(stored.secretCiphertext), keyId: stored.secretKeyId },
        account.id,
      ),
    ).toBe('the password there');
  });

  it('copied to another account does not open there', async () => {
    const { browser, account } = await userWithAccount();
    const { account: other } = await userWithAccount();
    const source = await row(account.id);
    // Someone with write access to the table moves a victim's sealed password to an account
    // pointed at their own server.
    await subject.db.prisma.pop3Account.update({
      where: { id: other.id },
      data: { secretCiphertext: source.secretCiphertext, secretKeyId: source.secretKeyId },
    });
    const otherRow = await row(other.id);
    expect(() =>
      subject.app.keyring.open(
        { ciphertext: Buffer.from(otherRow.secretCiphertext), keyId: otherRow.secretKeyId },
        other.id,
      ),
    ).toThrow(/integrity check/);
    // The owner's own account still works.
    const own = await browser.post('/api/accounts/test', {
      ...settingsOf(account),
      accountId: account.id,
    });
    expect(own.json()).toMatchObject({ ok: true });
  });
});

describe('passwords sealed before they were bound to their account', () => {
  it('rows sealed the old way are re-sealed at start-up and still open', async () => {
    const db = await createMigratedDatabase('popgate_test_bind_secrets');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-bind-'));
    const rawKey = randomBytes(32);
    const key = { id: secretKeyId(rawKey), key: rawKey };
    const foreignKey = { id: secretKeyId(randomBytes(32)), key: randomBytes(32) };
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      DATABASE_URL: db.url,
      POPGATE_DATA_DIR: dataDir,
      POPGATE_SECRET_KEY: rawKey.toString('base64'),
    });
    let opened = await openDatabase(config);
    try {
      const user = await opened.prisma.user.create({
        data: { email: 'old@example.test', passwordHash: 'x' },
      });
      const oldRow = async (password: string, sealedWith = key) => {
        const sealed = sealUnbound(sealedWith, password);
        return opened.prisma.pop3Account.create({
          data: {
            userId: user.id,
            label: password,
            host: 'pop.example.test',
            port: 995,
            username: 'old',
            secretCiphertext: new Uint8Array(sealed.ciphertext),
            secretKeyId: sealed.keyId,
          },
        });
      };
      const first = await oldRow('first password');
      const second = await oldRow('second password');
      const foreign = await oldRow('sealed with a key this Popgate lacks', foreignKey);
      await opened.close();

      // Start-up: two processes at once.
      const [a, b] = await Promise.all([openDatabase(config), openDatabase(config)]);
      await b.close();
      opened = a;
      const keyring = new Keyring(key);
      for (const [account, password] of [
        [first, 'first password'],
        [second, 'second password'],
      ] as const) {
        const stored = await opened.prisma.pop3Account.findUniqueOrThrow({
          where: { id: account.id },
        });
        const sealed = {
          ciphertext: Buffer.from(stored.secretCiphertext),
          keyId: stored.secretKeyId,
        };
        expect(keyring.isUnbound(sealed)).toBe(false);
        expect(keyring.open(sealed, account.id)).toBe(password);
        expect(() => keyring.open(sealed, foreign.id)).toThrow(/integrity check/);
      }
      // A secret of a key this process does not hold is left for one that does.
      const untouched = await opened.prisma.pop3Account.findUniqueOrThrow({
        where: { id: foreign.id },
      });
      expect(Buffer.from(untouched.secretCiphertext)).toEqual(
        Buffer.from(foreign.secretCiphertext),
      );

      // Again: nothing left to do, nothing changes.
      const before = await opened.prisma.pop3Account.findMany({ orderBy: { id: 'asc' } });
      expect(await bindSealedSecrets(opened.prisma, keyring)).toEqual({ bound: 0, unreadable: 0 });
      expect(await opened.prisma.pop3Account.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
    } finally {
      await opened.close();
      await dropDatabase(db.name);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
