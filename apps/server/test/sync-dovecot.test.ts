import { createHash } from 'node:crypto';
import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { linkAccount, type AccountInput } from '../src/accounts/link-account';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { syncAccount } from '../src/sync/account-sync';
import { fetchFullMessage } from '../src/sync/fetch-full-message';
import { testSyncContext } from './support/sync-context';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const never = new AbortController().signal;

function mail(n: number, extra = ''): Buffer {
  return Buffer.from(
    [
      `From: Sender ${n} <sender${n}@example.test>`,
      'To: user@example.test',
      `Subject: Message number ${n}`,
      `Date: Mon, 02 Nov 2026 08:${String(n % 60).padStart(2, '0')}:00 +0000`,
      `Message-ID: <m${n}@example.test>`,
      '',
      `Body of message ${n}.`,
      '.a line starting with a dot',
      extra,
      '',
    ].join('\r\n'),
  );
}

let dovecot: Dovecot;
let prisma: Db;
let harness: Awaited<ReturnType<typeof testSyncContext>>;

beforeAll(async () => {
  dovecot = await startDovecot({
    users: [
      { username: 'alice', password: 'alice-pw' },
      { username: 'bob', password: 'bob-pw' },
    ],
  });
  prisma = createPrismaClient(inject('databaseUrl'), 6);
  harness = await testSyncContext(prisma);
});
afterAll(async () => {
  await harness?.close();
  await prisma?.$disconnect();
  await dovecot?.stop();
});
beforeEach(async () => {
  await dovecot.clear('alice');
  await dovecot.clear('bob');
});

async function linked(username: string, overrides: Partial<AccountInput> = {}) {
  const user = await prisma.user.create({
    data: { email: `${username}-${Math.random()}@example.test` },
  });
  const account = await linkAccount(prisma, harness.keyring, user.id, {
    label: 'Dovecot',
    host: '127.0.0.1',
    port: dovecot.tlsPort,
    security: 'tls',
    username,
    password: `${username}-pw`,
    auth: 'auto',
    tls: { caPem: dovecot.caPem },
    ...overrides,
  });
  return { user, account };
}

const storedSources = async (accountId: string) =>
  (
    await prisma.message.findMany({
      where: { accountId },
      include: { source: true },
      orderBy: { uidl: 'asc' },
    })
  ).map((m) => ({ uidl: m.uidl, sha: sha(m.source!.bytes), state: m.serverState }));

describe('syncing an account from Dovecot', () => {
  it('downloads every message byte-exactly, once, and leaves them on the server by default', async () => {
    const sent = [mail(1), mail(2), mail(3, 'caf\xe9 8-bit line')];
    const uidls = [];
    for (const raw of sent) uidls.push(await dovecot.deliver('alice', raw));
    const { account } = await linked('alice');

    const first = await syncAccount(harness.ctx, account.id, never);
    expect(first).toMatchObject({ ok: true, newMessages: 3, deletedOnServer: 0 });
    const stored = await storedSources(account.id);
    expect(stored.map((s) => s.sha).sort()).toEqual(
      sent.map((raw) => sha(dovecot.expectedPop3Bytes(raw))).sort(),
    );
    expect(stored.map((s) => s.uidl).sort()).toEqual([...uidls].sort());

    const second = await syncAccount(harness.ctx, account.id, never);
    expect(second).toMatchObject({ ok: true, newMessages: 0 });
    expect(await prisma.message.count({ where: { accountId: account.id } })).toBe(3);
    expect(await dovecot.messageFiles('alice')).toHaveLength(3);

    const after = await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } });
    expect(after).toMatchObject({ status: 'ok', lastError: null, failureCount: 0 });
    expect(after.nextSyncAt.getTime()).toBeGreaterThan(Date.now());
    const runs = await prisma.syncRun.findMany({
      where: { accountId: account.id },
      orderBy: { startedAt: 'asc' },
    });
    // The check that found nothing new is counted on the account, not recorded as a run.
    expect(runs.map((r) => [r.outcome, r.newMessages])).toEqual([['ok', 3]]);
    expect(after.unchangedPolls).toBe(1);
  });

  it('announces new mail, progress and status to the owner', async () => {
    await dovecot.deliver('alice', mail(10));
    const { user, account } = await linked('alice');
    harness.events.length = 0;
    await syncAccount(harness.ctx, account.id, never);
    const mine = harness.events.filter((e) => e.userId === user.id);
    expect(mine.map((e) => e.type)).toEqual(
      expect.arrayContaining(['account.status', 'sync.progress', 'message.new']),
    );
    const news = mine.find((e) => e.type === 'message.new')!.payload as Record<string, unknown>;
    expect(news).toMatchObject({
      accountId: account.id,
      subject: 'Message number 10',
      from: { name: 'Sender 10', address: 'sender10@example.test' },
      seen: false,
    });
    const last = mine.filter((e) => e.type === 'sync.progress').at(-1)!.payload;
    expect(last).toMatchObject({ done: 1, total: 1 });
    expect(
      mine
        .filter((e) => e.type === 'account.status')
        .map((e) => (e.payload as { status: string }).status),
    ).toEqual(['syncing', 'ok']);
  });

  it('deletes from the server after downloading when mail is not left there', async () => {
    for (const n of [1, 2]) await dovecot.deliver('alice', mail(n));
    const { account } = await linked('alice', { policy: { leaveOnServer: false } });
    const result = await syncAccount(harness.ctx, account.id, never);
    expect(result).toMatchObject({ ok: true, newMessages: 2, deletedOnServer: 2 });
    expect(await dovecot.messageFiles('alice')).toHaveLength(0);
    expect((await storedSources(account.id)).map((s) => s.state)).toEqual([
      'deleted_by_popgate',
      'deleted_by_popgate',
    ]);
  });

  it('deletes from the server after N days, counted by the clock', async () => {
    await dovecot.deliver('alice', mail(1));
    const { account } = await linked('alice', { policy: { deleteAfterDays: 7 } });
    await syncAccount(harness.ctx, account.id, never);
    harness.clock.advance(6 * 86_400_000);
    expect(await syncAccount(harness.ctx, account.id, never)).toMatchObject({ deletedOnServer: 0 });
    expect(await dovecot.messageFiles('alice')).toHaveLength(1);
    harness.clock.advance(1 * 86_400_000 + 1000);
    expect(await syncAccount(harness.ctx, account.id, never)).toMatchObject({ deletedOnServer: 1 });
    expect(await dovecot.messageFiles('alice')).toHaveLength(0);
    harness.clock.set(new Date());
  });

  it('deletes from the server what was deleted here, when asked to', async () => {
    for (const n of [1, 2, 3]) await dovecot.deliver('alice', mail(n));
    const { account } = await linked('alice', { policy: { deleteWhenDeletedHere: true } });
    await syncAccount(harness.ctx, account.id, never);
    const second = await prisma.message.findFirstOrThrow({
      where: { accountId: account.id, subject: 'Message number 2' },
    });
    await prisma.message.update({ where: { id: second.id }, data: { trashedAt: new Date() } });
    expect(await syncAccount(harness.ctx, account.id, never)).toMatchObject({ deletedOnServer: 1 });
    const left = await dovecot.messageFiles('alice');
    expect(left).toHaveLength(2);
    expect(left.map((f) => f.bytes.toString()).join()).not.toContain('Message number 2');
  });

  it('notices a message another client deleted from the server, and keeps its copy', async () => {
    for (const n of [1, 2]) await dovecot.deliver('alice', mail(n));
    const { account } = await linked('alice');
    await syncAccount(harness.ctx, account.id, never);
    await dovecot.clear('alice');
    await dovecot.deliver('alice', mail(3));
    expect(await syncAccount(harness.ctx, account.id, never)).toMatchObject({
      ok: true,
      newMessages: 1,
    });
    const states = await prisma.message.findMany({
      where: { accountId: account.id },
      orderBy: { subject: 'asc' },
    });
    expect(states.map((m) => [m.subject, m.serverState])).toEqual([
      ['Message number 1', 'gone'],
      ['Message number 2', 'gone'],
      ['Message number 3', 'on_server'],
    ]);
  });

  it('fetches only the headers of a message above the size limit, and never deletes it', async () => {
    await dovecot.deliver('alice', mail(1, 'x'.repeat(50_000)));
    await dovecot.deliver('alice', mail(2));
    const { account } = await linked('alice', {
      policy: { maxFullDownloadBytes: 10_000, leaveOnServer: false },
    });
    await syncAccount(harness.ctx, account.id, never);
    const messages = await prisma.message.findMany({
      where: { accountId: account.id },
      orderBy: { subject: 'asc' },
    });
    expect(messages.map((m) => [m.subject, m.headersOnly, m.serverState])).toEqual([
      ['Message number 1', true, 'on_server'],
      ['Message number 2', false, 'deleted_by_popgate'],
    ]);
    expect(await dovecot.messageFiles('alice')).toHaveLength(1);
  });

  it('downloads the whole of a headers-only message on demand', async () => {
    const raw = mail(1, 'x'.repeat(50_000));
    await dovecot.deliver('alice', raw);
    const { account } = await linked('alice', { policy: { maxFullDownloadBytes: 10_000 } });
    await syncAccount(harness.ctx, account.id, never);
    const stub = await prisma.message.findFirstOrThrow({ where: { accountId: account.id } });
    expect(await fetchFullMessage(harness.ctx, stub.id)).toEqual({
      ok: true,
    });
    const [stored] = await storedSources(account.id);
    expect(stored!.sha).toBe(sha(dovecot.expectedPop3Bytes(raw)));
    expect(await prisma.message.findUniqueOrThrow({ where: { id: stub.id } })).toMatchObject({
      headersOnly: false,
    });
    expect(await fetchFullMessage(harness.ctx, stub.id)).toEqual({
      ok: false,
      reason: 'NOT_HEADERS_ONLY',
    });
  });

  it('stops checking after a wrong password and says why', async () => {
    await dovecot.deliver('alice', mail(1));
    const { account } = await linked('alice', { password: 'wrong' });
    const result = await syncAccount(harness.ctx, account.id, never);
    expect(result.ok).toBe(false);
    const after = await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } });
    expect(after.status).toBe('auth_failed');
    expect(after.lastErrorCode).toBe('AUTH_FAILED');
    expect(after.lastError).toMatch(/rejected the user name or password/);
    expect(after.nextSyncAt.getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    expect(await dovecot.messageFiles('alice')).toHaveLength(1);
  });

  it('connects with STLS on the plain port', async () => {
    await dovecot.deliver('bob', mail(1));
    const { account } = await linked('bob', { security: 'starttls', port: dovecot.plainPort });
    expect(await syncAccount(harness.ctx, account.id, never)).toMatchObject({
      ok: true,
      newMessages: 1,
    });
  });

  it('reports an untrusted certificate as a TLS problem', async () => {
    const { account } = await linked('bob', { tls: {} });
    const result = await syncAccount(harness.ctx, account.id, never);
    expect(result.failure).toMatchObject({ status: 'tls_error', code: 'TLS_UNTRUSTED' });
  });

  it('downloads a 20 MB message intact', async () => {
    const line = Buffer.from(`${'z'.repeat(76)}\r\n`);
    const body = Buffer.concat(
      Array.from({ length: Math.ceil(20_000_000 / line.length) }, () => line),
    );
    const raw = Buffer.concat([mail(1), body]);
    await dovecot.deliver('alice', raw);
    const { account } = await linked('alice');
    expect(await syncAccount(harness.ctx, account.id, never)).toMatchObject({
      ok: true,
      newMessages: 1,
    });
    const [stored] = await storedSources(account.id);
    expect(stored!.sha).toBe(sha(dovecot.expectedPop3Bytes(raw)));
  });
});
