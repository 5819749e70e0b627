import { Pop3Server } from '@popgate/pop3-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { linkAccount, type AccountInput } from '../src/accounts/link-account';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { syncAccount } from '../src/sync/account-sync';
import { fetchFullMessage } from '../src/sync/fetch-full-message';
import { headerOf } from '../src/sync/partial-message';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { allowAnyPort, createMigratedDatabase, dropDatabase } from './support/databases';
import { testSyncContext } from './support/sync-context';

const never = new AbortController().signal;
const MiB = 1024 * 1024;
const ADMIN_LIMIT = 100_000;

/** A message of about `bodyBytes`, in lines of 78 bytes; `line` adds one line of that many bytes. */
const mail = (n: number, options: { bodyBytes?: number; line?: number; header?: string } = {}) => {
  const lines = Math.ceil((options.bodyBytes ?? 0) / 78);
  return Buffer.from(
    `From: sender${n}@example.test\r\nSubject: message ${n}\r\n${options.header ?? ''}Message-ID: <o${n}@x>\r\n\r\nbody ${n}\r\n` +
      `${'y'.repeat(76)}\r\n`.repeat(lines) +
      (options.line ? `${'z'.repeat(options.line)}\r\n` : '') +
      'the end\r\n',
  );
};

// The admin's message size limit is lowered for these tests: they get a database of their own.
let database: { name: string; url: string };
let prisma: Db;
let harness: Awaited<ReturnType<typeof testSyncContext>>;
let server: Pop3Server | undefined;

beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_oversized');
  await allowAnyPort(database.url);
  prisma = createPrismaClient(database.url, 6);
  harness = await testSyncContext(prisma);
  harness.ctx.timeouts = { connectMs: 2000, greetingMs: 2000, commandMs: 2000 };
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

/** Sets the admin's largest message; each test says which it works with. */
const adminLimit = (bytes: number) =>
  prisma.policy.update({ where: { id: 1 }, data: { maxMessageBytes: bytes } });

async function serve(bodies: Buffer[]) {
  server = await Pop3Server.start({
    users: [{ username: 'user', password: 'secret' }],
    mailboxes: { user: bodies.map((body, i) => ({ body, uidl: `uid-${i + 1}` })) },
  });
  return server;
}

async function linked(pop3: Pop3Server, overrides: Partial<AccountInput> = {}, db = prisma) {
  const user = await db.user.create({
    data: { email: `oversized-${Math.random()}@example.test` },
  });
  return linkAccount(db, harness.keyring, user.id, {
    label: 'oversized',
    host: '127.0.0.1',
    port: pop3.port,
    security: 'none',
    username: 'user',
    password: 'secret',
    auth: 'auto',
    ...overrides,
  });
}

const stored = (accountId: string) =>
  prisma.message.findMany({
    where: { accountId },
    orderBy: { uidl: 'asc' },
    select: {
      id: true,
      uidl: true,
      subject: true,
      snippet: true,
      headersOnly: true,
      partialReason: true,
    },
  });
const commands = (pop3: Pop3Server, session?: number) =>
  pop3.stats.commands
    .filter((c) => session === undefined || c.session === session)
    .map((c) => c.line.toUpperCase());

describe('a message too large to take whole', () => {
  it('a message above the admin cap is kept headers-only and later mail is still fetched', async () => {
    await adminLimit(ADMIN_LIMIT);
    const pop3 = await serve([
      mail(1),
      mail(2, { bodyBytes: 3 * ADMIN_LIMIT }),
      mail(3),
      mail(4, { bodyBytes: 60_000 }),
    ]);
    const account = await linked(pop3, { policy: { maxFullDownloadBytes: 50_000 } });
    const result = await syncAccount(harness.ctx, account.id, never);
    expect(result, JSON.stringify(result.failure)).toMatchObject({ ok: true, newMessages: 4 });
    const messages = await stored(account.id);
    expect(messages.map((m) => [m.uidl, m.subject, m.headersOnly, m.partialReason])).toEqual([
      ['uid-1', 'message 1', false, null],
      ['uid-2', 'message 2', true, 'admin_limit'],
      ['uid-3', 'message 3', false, null],
      ['uid-4', 'message 4', true, 'account_limit'],
    ]);
    // The list says why, and whether asking for the whole message can help.
    expect(messages[1]!.snippet).toMatch(
      /^Only the headers were downloaded: at 29\d KB this message is above the 98 KB this Popgate accepts per message, so it cannot be downloaded here\.$/,
    );
    expect(messages[3]!.snippet).toMatch(/above this account's limit of 49 KB/);
    expect(commands(pop3)).toContain('TOP 2 0');
    expect(commands(pop3)).not.toContain('RETR 2');

    // The next check downloads nothing again.
    expect(await syncAccount(harness.ctx, account.id, never)).toMatchObject({
      ok: true,
      newMessages: 0,
    });
    expect(commands(pop3, 2).filter((line) => /^(RETR|TOP) /.test(line))).toEqual([]);

    // "Download anyway": refused above the admin's limit, before anything is dialled...
    const sessions = pop3.stats.sessions;
    expect(await fetchFullMessage(harness.ctx, messages[1]!.id)).toEqual({
      ok: false,
      reason: 'REFUSED',
      code: 'MESSAGE_TOO_LARGE',
      message: expect.stringMatching(/above the 98 KB this Popgate accepts per message/),
    });
    expect(pop3.stats.sessions).toBe(sessions);
    // ...and allowed above the account's own limit.
    expect(await fetchFullMessage(harness.ctx, messages[3]!.id)).toEqual({
      ok: true,
    });
    expect(
      await prisma.message.findUniqueOrThrow({ where: { id: messages[3]!.id } }),
    ).toMatchObject({ headersOnly: false, partialReason: null, snippet: /^body 4 y/ });
  });

  it('a message with a 2 MiB line is kept with the reason and the sync goes on; the next poll does not download it again', async () => {
    await adminLimit(50 * MiB);
    const pop3 = await serve([mail(1), mail(2, { line: 2 * MiB }), mail(3), mail(4)]);
    const account = await linked(pop3);
    const result = await syncAccount(harness.ctx, account.id, never);
    expect(result, JSON.stringify(result.failure)).toMatchObject({ ok: true, newMessages: 4 });
    const messages = await stored(account.id);
    expect(messages.map((m) => [m.uidl, m.subject, m.headersOnly, m.partialReason])).toEqual([
      ['uid-1', 'message 1', false, null],
      ['uid-2', 'message 2', true, 'line_too_long'],
      ['uid-3', 'message 3', false, null],
      ['uid-4', 'message 4', false, null],
    ]);
    expect(messages[1]!.snippet).toBe(
      'Only the headers were kept: this message has a line longer than 1 MB, more than Popgate reads, so it cannot be downloaded here.',
    );
    // The cut-off connection was dropped (no QUIT), and a new session went on with the rest.
    expect(commands(pop3, 1)).not.toContain('QUIT');
    expect(commands(pop3, 2)).toContain('QUIT');
    expect(await prisma.syncRun.findMany({ where: { accountId: account.id } })).toMatchObject([
      { outcome: 'ok', newMessages: 4 },
    ]);

    expect(await syncAccount(harness.ctx, account.id, never)).toMatchObject({
      ok: true,
      newMessages: 0,
    });
    expect(commands(pop3).filter((line) => line === 'RETR 2')).toHaveLength(1);
    expect(commands(pop3, 3).filter((line) => /^(RETR|TOP) /.test(line))).toEqual([]);
    expect(await fetchFullMessage(harness.ctx, messages[1]!.id)).toMatchObject({
      ok: false,
      reason: 'REFUSED',
      code: 'LINE_TOO_LONG',
    });
  });

  it('a message whose header has a 2 MiB line keeps the header lines before it, and the sync goes on', async () => {
    await adminLimit(50 * MiB);
    const pop3 = await serve([
      mail(1),
      mail(2, { header: `X-Huge: ${'h'.repeat(2 * MiB)}\r\n` }),
      mail(3),
    ]);
    const account = await linked(pop3);
    const result = await syncAccount(harness.ctx, account.id, never);
    expect(result, JSON.stringify(result.failure)).toMatchObject({ ok: true, newMessages: 3 });
    expect(
      (await stored(account.id)).map((m) => [m.uidl, m.subject, m.headersOnly, m.partialReason]),
    ).toEqual([
      ['uid-1', 'message 1', false, null],
      ['uid-2', 'message 2', true, 'line_too_long'],
      ['uid-3', 'message 3', false, null],
    ]);
  });

  it('"download anyway" of a message above the admin cap answers 422 with the reason', async () => {
    await adminLimit(ADMIN_LIMIT);
    const subject = await testApp({
      databaseUrl: database.url,
      env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' },
    });
    try {
      const pop3 = await serve([mail(1, { bodyBytes: 3 * ADMIN_LIMIT })]);
      const client = new ApiClient(subject.app);
      const user = await client.signUp(`oversized-${Math.random()}@example.test`);
      const account = await linkAccount(subject.db.prisma, subject.app.keyring, user.id, {
        label: 'oversized',
        host: '127.0.0.1',
        port: pop3.port,
        security: 'none',
        username: 'user',
        password: 'secret',
        auth: 'auto',
      });
      expect(await syncAccount(subject.app.syncContext, account.id, never)).toMatchObject({
        ok: true,
        newMessages: 1,
      });
      const [message] = await stored(account.id);
      const response = await client.post(`/api/messages/${message!.id}/fetch-full`);
      expect(response.statusCode).toBe(422);
      expect(response.json().error).toEqual({
        code: 'MESSAGE_TOO_LARGE',
        message: expect.stringMatching(/^At 29\d KB this message is above the 98 KB/),
      });
    } finally {
      await subject.close();
    }
  });

  it('keeps of a cut-off message its header, the complete lines of a header cut short, or nothing', () => {
    const kept = (text: string) => headerOf(Buffer.from(text)).toString();
    expect(kept('Subject: a\r\nFrom: b\r\n\r\nbody\r\nzzz')).toBe('Subject: a\r\nFrom: b\r\n\r\n');
    expect(kept('Subject: a\nFrom: b\n\nbody')).toBe('Subject: a\nFrom: b\n\n');
    expect(kept('Subject: a\r\nX-Huge: hhhh')).toBe('Subject: a\r\n\r\n');
    expect(kept('X-Huge: hhhh')).toBe('');
  });
});
