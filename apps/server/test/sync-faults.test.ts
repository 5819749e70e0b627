import { createHash } from 'node:crypto';
import { deliveredBytes, Pop3Server, type Fault } from '@popgate/pop3-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { linkAccount, type AccountInput } from '../src/accounts/link-account';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { syncAccount } from '../src/sync/account-sync';
import { allowAnyPort, createMigratedDatabase, dropDatabase } from './support/databases';
import { testSyncContext } from './support/sync-context';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const never = new AbortController().signal;
const mail = (n: number) =>
  Buffer.from(
    `From: f${n}@example.test\r\nSubject: fault test ${n}\r\nMessage-ID: <f${n}@x>\r\n\r\nbody ${n}\r\n${'z'.repeat(200)}\r\n`,
  );

// One test changes the admin policy: these tests get a database of their own.
let database: { name: string; url: string };
let prisma: Db;
let harness: Awaited<ReturnType<typeof testSyncContext>>;
let server: Pop3Server | undefined;

beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_faults');
  await allowAnyPort(database.url);
  prisma = createPrismaClient(database.url, 6);
  harness = await testSyncContext(prisma);
  harness.ctx.timeouts = { connectMs: 2000, greetingMs: 2000, commandMs: 700 };
});
afterAll(async () => {
  await harness?.close();
  await prisma?.$disconnect();
  if (database) await dropDatabase(database.name);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(count: number, options: Parameters<typeof Pop3Server.start>[0] = {}) {
  server = await Pop3Server.start({
    users: [{ username: 'user', password: 'secret' }],
    mailboxes: {
      user: Array.from({ length: count }, (_, i) => ({ body: mail(i + 1), uidl: `uid-${i + 1}` })),
    },
    ...options,
  });
  return server;
}

async function linked(pop3: Pop3Server, overrides: Partial<AccountInput> = {}) {
  const user = await prisma.user.create({
    data: { email: `faults-${Math.random()}@example.test` },
  });
  return linkAccount(prisma, harness.keyring, user.id, {
    label: 'faulty',
    host: '127.0.0.1',
    port: pop3.port,
    security: 'none',
    username: 'user',
    password: 'secret',
    auth: 'auto',
    ...overrides,
  });
}

const storedCount = (accountId: string) => prisma.message.count({ where: { accountId } });
const sessionCommands = (pop3: Pop3Server, session: number) =>
  pop3.stats.commands
    .filter((c) => c.session === session)
    .map((c) => c.line.split(' ')[0]!.toUpperCase());
const account = (id: string) => prisma.pop3Account.findUniqueOrThrow({ where: { id } });
const secondsUntilNext = async (id: string) =>
  ((await account(id)).nextSyncAt.getTime() - Date.now()) / 1000;

describe('a sync that meets a misbehaving server', () => {
  it('keeps the messages received before the connection drops mid-RETR, deletes nothing, and finishes next time', async () => {
    const pop3 = await serve(6);
    pop3.inject({ kind: 'drop-after-bytes', command: 'RETR', msg: 4, bytes: 60 });
    const acct = await linked(pop3, { policy: { leaveOnServer: false } });
    const first = await syncAccount(harness.ctx, acct.id, never);
    expect(first.ok).toBe(false);
    expect(first.failure).toMatchObject({ status: 'network_error', code: 'CONNECTION_CLOSED' });
    expect(await storedCount(acct.id)).toBe(3);
    expect(pop3.mailbox('user')).toHaveLength(6);
    expect(sessionCommands(pop3, 1)).not.toContain('QUIT');
    const run = await prisma.syncRun.findFirstOrThrow({ where: { accountId: acct.id } });
    expect(run).toMatchObject({
      outcome: 'partial',
      newMessages: 3,
      errorCode: 'CONNECTION_CLOSED',
    });

    const second = await syncAccount(harness.ctx, acct.id, never);
    expect(second).toMatchObject({ ok: true, newMessages: 3, deletedOnServer: 6 });
    expect(pop3.mailbox('user')).toHaveLength(0);
    const stored = await prisma.message.findMany({
      where: { accountId: acct.id },
      include: { source: true },
    });
    expect(stored.map((m) => sha(m.source!.bytes)).sort()).toEqual(
      Array.from({ length: 6 }, (_, i) => sha(deliveredBytes(mail(i + 1)))).sort(),
    );
  });

  it('never lets DELE marks of a failing session reach UPDATE', async () => {
    const pop3 = await serve(3);
    pop3.inject({ kind: 'stall', command: 'DELE', msg: 3 });
    const acct = await linked(pop3, { policy: { leaveOnServer: false } });
    const result = await syncAccount(harness.ctx, acct.id, never);
    expect(result.failure).toMatchObject({ code: 'TIMEOUT' });
    expect(await storedCount(acct.id)).toBe(3);
    expect(sessionCommands(pop3, 1)).toEqual(expect.arrayContaining(['DELE']));
    expect(sessionCommands(pop3, 1)).not.toContain('QUIT');
    expect(pop3.stats.updateStates).toBe(0);
    expect(pop3.mailbox('user')).toHaveLength(3);
    // Next time they are deleted for real.
    expect(await syncAccount(harness.ctx, acct.id, never)).toMatchObject({
      ok: true,
      newMessages: 0,
      deletedOnServer: 3,
    });
    expect(pop3.mailbox('user')).toHaveLength(0);
  });

  it('confirms deletions whose QUIT answer never came, once the server no longer lists them', async () => {
    const pop3 = await serve(3);
    pop3.inject({ kind: 'stall', command: 'QUIT' });
    const acct = await linked(pop3, { policy: { leaveOnServer: false } });
    const result = await syncAccount(harness.ctx, acct.id, never);
    expect(result.failure).toMatchObject({ code: 'TIMEOUT' });
    const pending = await prisma.message.findMany({
      where: { accountId: acct.id },
      select: { serverState: true },
    });
    expect(pending.every((m) => m.serverState === 'delete_pending')).toBe(true);
    // Whether the server applied them is unknown until the next check looks.
    expect(await syncAccount(harness.ctx, acct.id, never)).toMatchObject({
      ok: true,
      newMessages: 0,
    });
    const states = await prisma.message.findMany({
      where: { accountId: acct.id },
      select: { serverState: true },
    });
    expect(states.every((m) => m.serverState === 'deleted_by_popgate')).toBe(true);
    expect(pop3.mailbox('user')).toHaveLength(0);
  });

  it('gives up on a stalled server after the command timeout and backs off', async () => {
    const pop3 = await serve(2);
    pop3.inject({ kind: 'stall', command: 'RETR', msg: 1, afterBytes: 10 });
    const acct = await linked(pop3);
    const started = Date.now();
    const result = await syncAccount(harness.ctx, acct.id, never);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.failure).toMatchObject({
      status: 'network_error',
      code: 'TIMEOUT',
      retry: 'backoff',
    });
    expect(await secondsUntilNext(acct.id)).toBeLessThan(80);
    expect((await account(acct.id)).failureCount).toBe(1);
  });

  it('treats a garbage answer as a protocol error and keeps what it has', async () => {
    const pop3 = await serve(2);
    pop3.inject({ kind: 'garbage', command: 'UIDL', line: 'HTTP/1.1 400 Bad Request' });
    const acct = await linked(pop3);
    const result = await syncAccount(harness.ctx, acct.id, never);
    expect(result.failure).toMatchObject({ status: 'temp_error', code: 'PROTOCOL' });
    expect((await account(acct.id)).lastError).toBeTruthy();
  });

  it.each<[string, Fault, string, string]>([
    ['[IN-USE]', { kind: 'auth-error', code: 'IN-USE' }, 'in_use', 'IN_USE'],
    ['[LOGIN-DELAY]', { kind: 'auth-error', code: 'LOGIN-DELAY' }, 'login_delay', 'LOGIN_DELAY'],
    ['[SYS/TEMP]', { kind: 'auth-error', code: 'SYS/TEMP' }, 'temp_error', 'SYS_TEMP'],
    ['[SYS/PERM]', { kind: 'auth-error', code: 'SYS/PERM' }, 'perm_error', 'SYS_PERM'],
    ['[AUTH]', { kind: 'auth-error', code: 'AUTH' }, 'auth_failed', 'AUTH_FAILED'],
  ])('maps %s at login to its own account state', async (_label, fault, status, code) => {
    const pop3 = await serve(1, { capabilities: { loginDelay: 900 } });
    pop3.inject(fault);
    const acct = await linked(pop3, { auth: 'user' });
    await syncAccount(harness.ctx, acct.id, never);
    expect(await account(acct.id)).toMatchObject({ status, lastErrorCode: code });
    const wait = await secondsUntilNext(acct.id);
    if (status === 'in_use') expect(wait).toBeGreaterThan(200);
    if (status === 'login_delay') expect(Math.round(wait)).toBeGreaterThanOrEqual(899);
    if (status === 'auth_failed' || status === 'perm_error')
      expect(wait).toBeGreaterThan(300 * 86_400);
  });

  it('tells messages apart by header digest on a server without UIDL, stably across checks', async () => {
    const pop3 = await serve(4, { capabilities: { uidl: false } });
    const acct = await linked(pop3, { policy: { deleteWhenDeletedHere: true } });
    expect(await syncAccount(harness.ctx, acct.id, never)).toMatchObject({
      ok: true,
      newMessages: 4,
    });
    expect(await syncAccount(harness.ctx, acct.id, never)).toMatchObject({
      ok: true,
      newMessages: 0,
    });
    const uidls = (await prisma.message.findMany({ where: { accountId: acct.id } })).map(
      (m) => m.uidl,
    );
    expect(uidls.every((u) => u.startsWith('digest:'))).toBe(true);
    const third = await prisma.message.findFirstOrThrow({
      where: { accountId: acct.id, subject: 'fault test 3' },
    });
    await prisma.message.update({ where: { id: third.id }, data: { trashedAt: new Date() } });
    expect(await syncAccount(harness.ctx, acct.id, never)).toMatchObject({ deletedOnServer: 1 });
    expect(pop3.mailbox('user').map((m) => m.body.toString())).not.toContain(mail(3).toString());
  });

  it('checks an unchanged mailbox with UIDL alone, also when the server lists it in another order', async () => {
    const pop3 = await serve(3);
    const acct = await linked(pop3);
    expect(await syncAccount(harness.ctx, acct.id, never)).toMatchObject({ newMessages: 3 });
    expect(await syncAccount(harness.ctx, acct.id, never)).toMatchObject({
      ok: true,
      newMessages: 0,
    });
    expect(sessionCommands(pop3, 2)).toEqual(expect.arrayContaining(['UIDL', 'QUIT']));
    expect(sessionCommands(pop3, 2)).not.toEqual(expect.arrayContaining(['LIST']));
    expect(sessionCommands(pop3, 2)).not.toEqual(expect.arrayContaining(['RETR']));
    pop3.setMailbox(
      'user',
      [3, 1, 2].map((n) => ({ body: mail(n), uidl: `uid-${n}` })),
    );
    expect(await syncAccount(harness.ctx, acct.id, never)).toMatchObject({
      ok: true,
      newMessages: 0,
    });
    expect(sessionCommands(pop3, 3)).toEqual(expect.arrayContaining(['UIDL', 'QUIT']));
    expect(sessionCommands(pop3, 3)).not.toEqual(expect.arrayContaining(['LIST']));
    expect(sessionCommands(pop3, 3)).not.toEqual(expect.arrayContaining(['RETR']));
    const states = await prisma.message.findMany({
      where: { accountId: acct.id },
      select: { serverState: true },
    });
    expect(states.map((m) => m.serverState)).toEqual(['on_server', 'on_server', 'on_server']);
    // One new message at the end, one gone from the middle: told apart as such.
    pop3.setMailbox(
      'user',
      [3, 2, 4].map((n) => ({ body: mail(n), uidl: `uid-${n}` })),
    );
    expect(await syncAccount(harness.ctx, acct.id, never)).toMatchObject({
      ok: true,
      newMessages: 1,
    });
    const byUidl = await prisma.message.findMany({
      where: { accountId: acct.id },
      select: { uidl: true, serverState: true },
      orderBy: { uidl: 'asc' },
    });
    expect(byUidl).toEqual([
      { uidl: 'uid-1', serverState: 'gone' },
      { uidl: 'uid-2', serverState: 'on_server' },
      { uidl: 'uid-3', serverState: 'on_server' },
      { uidl: 'uid-4', serverState: 'on_server' },
    ]);
  });

  it('drops the POP3 session and says why when the database cannot record the sync', async () => {
    const pop3 = await serve(2);
    const acct = await linked(pop3);
    await prisma.$executeRawUnsafe('ALTER TABLE sync_runs RENAME TO sync_runs_unavailable');
    try {
      await expect(syncAccount(harness.ctx, acct.id, never)).rejects.toThrow(/sync_runs/);
    } finally {
      await prisma.$executeRawUnsafe('ALTER TABLE sync_runs_unavailable RENAME TO sync_runs');
    }
    const until = Date.now() + 5000;
    while (pop3.stats.activeSessions > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(pop3.stats.activeSessions).toBe(0);
    expect(sessionCommands(pop3, 1)).not.toContain('QUIT');
    expect(await storedCount(acct.id)).toBe(0);
    expect(await syncAccount(harness.ctx, acct.id, never)).toMatchObject({
      ok: true,
      newMessages: 2,
    });
  });

  it('keeps two different messages that a broken server gave the same UIDL', async () => {
    const pop3 = await serve(0);
    pop3.setMailbox('user', [
      { body: mail(1), uidl: 'same' },
      { body: mail(2), uidl: 'same' },
      { body: mail(3), uidl: 'other' },
    ]);
    const acct = await linked(pop3);
    expect(await syncAccount(harness.ctx, acct.id, never)).toMatchObject({
      ok: true,
      newMessages: 3,
    });
    expect(await syncAccount(harness.ctx, acct.id, never)).toMatchObject({
      ok: true,
      newMessages: 0,
    });
    expect(await storedCount(acct.id)).toBe(3);
  });

  it('stores the real bytes when the server reports wrong sizes', async () => {
    const pop3 = await serve(2);
    pop3.inject({ kind: 'wrong-size', msg: 1, reportedSize: 5 });
    const acct = await linked(pop3);
    expect(await syncAccount(harness.ctx, acct.id, never)).toMatchObject({
      ok: true,
      newMessages: 2,
    });
    const first = await prisma.message.findFirstOrThrow({
      where: { accountId: acct.id, subject: 'fault test 1' },
      include: { source: true },
    });
    expect(Buffer.from(first.source!.bytes).equals(deliveredBytes(mail(1)))).toBe(true);
  });

  it('ends a never-ending answer at the size limit instead of filling memory, and keeps the message with the reason', async () => {
    const pop3 = await serve(2);
    pop3.inject({ kind: 'endless', command: 'RETR', msg: 1 });
    await prisma.policy.update({ where: { id: 1 }, data: { maxMessageBytes: 2_000_000 } });
    try {
      const acct = await linked(pop3);
      const result = await syncAccount(harness.ctx, acct.id, never);
      expect(result).toMatchObject({ ok: true, newMessages: 2 });
      const kept = await prisma.message.findMany({
        where: { accountId: acct.id },
        orderBy: { uidl: 'asc' },
        select: { uidl: true, headersOnly: true, partialReason: true },
      });
      expect(kept).toEqual([
        { uidl: 'uid-1', headersOnly: true, partialReason: 'admin_limit' },
        { uidl: 'uid-2', headersOnly: false, partialReason: null },
      ]);
    } finally {
      await prisma.policy.update({ where: { id: 1 }, data: { maxMessageBytes: 52_428_800 } });
    }
  });

  it('refuses to send a password in clear text when the account asked for TLS but STLS is missing', async () => {
    const pop3 = await serve(1);
    const acct = await linked(pop3, { security: 'starttls' });
    const result = await syncAccount(harness.ctx, acct.id, never);
    expect(result.failure).toMatchObject({
      status: 'perm_error',
      code: 'STLS_UNAVAILABLE',
      retry: 'stop',
    });
    expect(pop3.stats.commands.map((c) => c.line)).not.toContainEqual(
      expect.stringMatching(/^(PASS|AUTH)/i),
    );
  });
});
