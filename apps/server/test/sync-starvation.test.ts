import { lookup } from 'node:dns/promises';
import { Pop3Server, type Fault } from '@popgate/pop3-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { syncAccount } from '../src/sync/account-sync';
import { requestSync } from '../src/sync/presence';
import { SyncScheduler, type SchedulerOptions } from '../src/sync/scheduler';
import { allowedMs } from '../src/sync/session-deadline';
import type { SyncContext } from '../src/sync/sync-context';
import { ApiClient } from './support/api-client';
import { testApp } from './support/app';
import { allowAnyPort, createMigratedDatabase, dropDatabase } from './support/databases';
import { testSyncContext } from './support/sync-context';

const never = new AbortController().signal;
const mail = (n: number) =>
  Buffer.from(
    `From: s${n}@example.test\r\nSubject: slow ${n}\r\nMessage-ID: <s${n}@x>\r\n\r\nbody ${n}\r\n${'w'.repeat(300)}\r\n`,
  );
/** A RETR (or DELE) answer that comes a byte at a time, for every session. */
const drip = (command: string, everyMs: number): Fault => ({
  kind: 'drip',
  command,
  everyMs,
  times: Infinity,
});

// Schedulers poll every account of their database, and the first user to sign up is admin: these
// tests get a database of their own.
let database: { name: string; url: string };
let prisma: Db;
let harness: Awaited<ReturnType<typeof testSyncContext>>;
let subject: Awaited<ReturnType<typeof testApp>>;
let admin: ApiClient;
const servers: Pop3Server[] = [];
let scheduler: SyncScheduler | undefined;

beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_starvation');
  await allowAnyPort(database.url);
  prisma = createPrismaClient(database.url, 8);
  harness = await testSyncContext(prisma);
  harness.ctx.timeouts = { connectMs: 2000, greetingMs: 2000, commandMs: 1000 };
  subject = await testApp({
    databaseUrl: database.url,
    env: { POPGATE_ALLOW_PRIVATE_NETWORKS: 'true' },
  });
  admin = new ApiClient(subject.app);
  await admin.signUp('root@example.test');
});
afterAll(async () => {
  await subject?.close();
  await harness?.close();
  await prisma?.$disconnect();
  if (database) await dropDatabase(database.name);
});
afterEach(async () => {
  await scheduler?.stop(0);
  scheduler = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
  // The next test's scheduler must not find this test's accounts.
  await prisma.pop3Account.deleteMany({});
});

async function serve(options: { host?: string; users?: string[]; count?: number } = {}) {
  const users = options.users ?? ['user'];
  const server = await Pop3Server.start({
    ...(options.host && { host: options.host }),
    users: users.map((username) => ({ username, password: 'secret' })),
    mailboxes: Object.fromEntries(
      users.map((username) => [
        username,
        Array.from({ length: options.count ?? 1 }, (_, i) => ({
          body: mail(i + 1),
          uidl: `${username}-${i + 1}`,
        })),
      ]),
    ),
  });
  servers.push(server);
  return server;
}

const newUser = () =>
  prisma.user.create({ data: { email: `starved-${Math.random()}@example.test` } });

function link(
  userId: string,
  server: Pop3Server,
  options: { host?: string; username?: string; leaveOnServer?: boolean } = {},
  keyring = harness.keyring,
) {
  return linkAccount(prisma, keyring, userId, {
    label: 'slow',
    host: options.host ?? server.host,
    port: server.port,
    security: 'none',
    username: options.username ?? 'user',
    password: 'secret',
    auth: 'auto',
    ...(options.leaveOnServer === false && { policy: { leaveOnServer: false } }),
  });
}

function startScheduler(ctx: SyncContext, options: Partial<SchedulerOptions>) {
  scheduler = new SyncScheduler(ctx, {
    maxSessions: 8,
    perHost: 2,
    leaseSeconds: 30,
    tickMs: 100,
    watchMs: 100,
    ...options,
  });
  scheduler.start();
  return scheduler;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => boolean | Promise<boolean>, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}
const active = (list: Pop3Server[]) => list.reduce((sum, s) => sum + s.stats.activeSessions, 0);
const commandsOf = (server: Pop3Server) =>
  server.stats.commands.map((c) => c.line.split(' ')[0]!.toUpperCase());

describe('a slow server cannot hold sync sessions for ever', () => {
  it("a dripping server's session ends at its deadline", async () => {
    const server = await serve({ count: 2 });
    // A byte every 100 ms: never silent for the 1 s command timeout, done in about 40 s.
    server.inject({ kind: 'drip', command: 'RETR', msg: 1, everyMs: 100 });
    const user = await newUser();
    const account = await link(user.id, server);
    const ctx = { ...harness.ctx, deadline: { baseMs: 1500, minBytesPerSecond: 1_000_000 } };
    const started = Date.now();
    const result = await syncAccount(ctx, account.id, never);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(4000);
    expect(result.ok).toBe(false);
    expect(result.failure).toMatchObject({
      status: 'network_error',
      code: 'TIMEOUT',
      message: expect.stringMatching(/^The server sent too slowly: the check was ended after 2 s/),
    });
    expect(commandsOf(server)).not.toContain('QUIT');
    await until(() => server.stats.activeSessions === 0, 2000, 'the server sees the drop');
    expect(await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } })).toMatchObject(
      { status: 'network_error', lastErrorCode: 'TIMEOUT' },
    );
  }, 40_000);

  it('allows a session time in proportion to the bytes it expects, within a floor and a ceiling', () => {
    const settings = { baseMs: 60_000, minBytesPerSecond: 32 * 1024, maxMs: 3_600_000 };
    expect(allowedMs(settings, 0)).toBe(60_000);
    expect(allowedMs(settings, 32 * 1024 * 100)).toBe(160_000);
    expect(allowedMs(settings, 50 * 1024 * 1024 * 1024)).toBe(3_600_000);
  });

  it("one user's eight dripping accounts leave slots for another user's check now", async () => {
    harness.ctx.deadline = { baseMs: 60_000 };
    try {
      const slow = await Promise.all(
        Array.from({ length: 8 }, (_, i) => serve({ host: `127.0.0.${11 + i}` })),
      );
      for (const server of slow) server.inject(drip('RETR', 200));
      const greedy = await newUser();
      for (const server of slow) await link(greedy.id, server);
      startScheduler(harness.ctx, { maxSessions: 8, perHost: 2 });
      await until(() => active(slow) >= 2, 10_000, 'the slow accounts are being checked');

      const other = await newUser();
      const fast = await serve({ host: '127.0.0.19' });
      const account = await link(other.id, fast);
      await requestSync(prisma, account.id);
      scheduler!.wake();
      let most = 0;
      await until(
        async () => {
          most = Math.max(most, active(slow));
          return (await prisma.message.count({ where: { accountId: account.id } })) === 1;
        },
        8000,
        "the other user's mail is in",
      );
      expect(most).toBeLessThanOrEqual(2);
      expect(scheduler!.activeSessions).toBeLessThanOrEqual(4);
    } finally {
      delete harness.ctx.deadline;
    }
  }, 40_000);

  it('two host names for one address share the per-address cap', async () => {
    const { address } = (await lookup('localhost', { all: true, verbatim: true }))[0]!;
    const server = await serve({ host: address, users: ['first', 'second'] });
    // Each session takes a second or two: one after the other, never both at once.
    server.inject(drip('RETR', 4));
    const user = await newUser();
    const byAddress = await link(user.id, server, { host: address, username: 'first' });
    const byName = await link(user.id, server, { host: 'localhost', username: 'second' });
    startScheduler(harness.ctx, { maxSessions: 4, perHost: 1, perUser: 2 });
    let most = 0;
    const runs = () =>
      prisma.syncRun.findMany({
        where: { accountId: { in: [byAddress.id, byName.id] }, endedAt: { not: null } },
      });
    await until(
      async () => {
        most = Math.max(most, server.stats.activeSessions);
        const ended = await runs();
        return new Set(ended.map((r) => r.accountId)).size === 2;
      },
      15_000,
      'both accounts were checked',
    );
    expect(most).toBe(1);
    // The session that had to wait left no trace: every run recorded is one that dialled.
    expect((await runs()).map((r) => [r.outcome, r.newMessages])).toEqual([
      ['ok', 1],
      ['ok', 1],
    ]);
    expect(
      await prisma.pop3Account.findMany({
        where: { id: { in: [byAddress.id, byName.id] } },
        select: { serverAddress: true },
      }),
    ).toEqual([{ serverAddress: address }, { serverAddress: address }]);
  }, 40_000);
});

describe('an account switched off or removed while it is being checked', () => {
  it.each([
    ['the admin switches it off', 'disabled'],
    ['its owner switches it off', 'disabled'],
    ['its owner removes it', 'removed'],
  ] as const)(
    'disabling an account ends its running session without QUIT: %s',
    async (how, outcome) => {
      const server = await serve({ count: 3 });
      // DELE answers crawl: the session has marked messages for deletion when it is ended.
      server.inject(drip('DELE', 300));
      const owner = new ApiClient(subject.app);
      const me = await owner.signUp(`owner-${Math.random()}@example.test`);
      const account = await link(me.id, server, { leaveOnServer: false }, subject.app.keyring);
      startScheduler(subject.app.syncContext, {});
      await until(() => commandsOf(server).includes('DELE'), 10_000, 'DELE is under way');
      expect(server.stats.activeSessions).toBe(1);

      const response =
        how === 'the admin switches it off'
          ? await admin.patch(`/api/admin/accounts/${account.id}`, { disabled: true })
          : how === 'its owner switches it off'
            ? await owner.patch(`/api/accounts/${account.id}`, { disabled: true })
            : await owner.delete(`/api/accounts/${account.id}`);
      expect(response.statusCode, response.body).toBeLessThan(300);
      const ended = Date.now();
      await until(() => server.stats.activeSessions === 0, 3000, 'the session is ended');
      expect(Date.now() - ended).toBeLessThan(3000);
      expect(commandsOf(server)).not.toContain('QUIT');
      expect(server.stats.updateStates).toBe(0);
      expect(server.mailbox('user')).toHaveLength(3);
      if (outcome === 'disabled') {
        await until(
          async () =>
            (await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } }))
              .lastErrorCode === 'SESSION_ENDED',
          3000,
          'the account says why its check stopped',
        );
        // Kept here, and still on the server: the next check after switching it on finds them there.
        expect(await prisma.message.count({ where: { accountId: account.id } })).toBe(3);
      } else {
        expect(await prisma.pop3Account.count({ where: { id: account.id } })).toBe(0);
      }
    },
    30_000,
  );
});
