import { generateCorpus, Pop3Server } from '@popgate/pop3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountUpdate } from '../src/accounts/account-update';
import { linkAccount } from '../src/accounts/link-account';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { requestSync } from '../src/sync/presence';
import { SyncScheduler } from '../src/sync/scheduler';
import { allowAnyPort, createMigratedDatabase, dropDatabase } from './support/databases';
import { testSyncContext } from './support/sync-context';

let database: { name: string; url: string };
let prisma: Db;
let harness: Awaited<ReturnType<typeof testSyncContext>>;
let scheduler: SyncScheduler;

// The scheduler polls every account in its database: it gets one of its own.
beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_scheduler');
  await allowAnyPort(database.url);
  prisma = createPrismaClient(database.url, 6);
  harness = await testSyncContext(prisma);
  scheduler = new SyncScheduler(harness.ctx, {
    maxSessions: 4,
    perHost: 2,
    leaseSeconds: 5,
    tickMs: 100,
  });
  scheduler.start();
});
afterAll(async () => {
  await scheduler?.stop();
  await harness?.close();
  await prisma?.$disconnect();
  if (database) await dropDatabase(database.name);
});

const until = async (check: () => Promise<boolean>, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

async function linked(server: Pop3Server, password: string, email: string) {
  const user = await prisma.user.create({ data: { email } });
  return linkAccount(prisma, harness.keyring, user.id, {
    label: email,
    host: '127.0.0.1',
    port: server.port,
    security: 'none',
    username: 'user',
    password,
    auth: 'auto',
  });
}

describe('the scheduler', () => {
  it('checks a new account at once and stores the whole generated corpus, tricky messages included', async () => {
    const corpus = generateCorpus({ count: 60, seed: 3 });
    const server = await Pop3Server.start({
      mailboxes: { user: corpus.map((m) => ({ body: m.body })) },
    });
    try {
      const account = await linked(server, 'secret', 'corpus@example.test');
      await until(
        async () =>
          (await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } })).status ===
          'ok',
      );
      const stored = await prisma.message.findMany({ where: { accountId: account.id } });
      expect(stored).toHaveLength(60);
      expect(stored.filter((m) => m.subject === '')).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('never tries a rejected password again until the user changes it', async () => {
    const server = await Pop3Server.start({
      mailboxes: { user: [{ body: Buffer.from('Subject: hi\r\n\r\nyo\r\n') }] },
    });
    try {
      const account = await linked(server, 'wrong', 'rejected@example.test');
      await until(
        async () =>
          (await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } })).status ===
          'auth_failed',
      );
      const attempts = server.stats.authFailures;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(server.stats.authFailures).toBe(attempts);
      expect(server.stats.sessions).toBe(1);

      // As PATCH /api/accounts/:id does with a new password.
      const current = await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } });
      const { data } = accountUpdate(current, { password: 'secret' }, harness.keyring);
      await prisma.pop3Account.update({ where: { id: account.id }, data });
      // Done when the session has finished, not merely when the message is stored.
      await until(
        async () =>
          (await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } })).status ===
          'ok',
      );
      expect(await prisma.message.count({ where: { accountId: account.id } })).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('checks an account again when asked to check now', async () => {
    const server = await Pop3Server.start({ mailboxes: { user: [] } });
    try {
      const account = await linked(server, 'secret', 'now@example.test');
      await until(
        async () =>
          (await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } })).status ===
          'ok',
      );
      server.addMessage('user', { body: Buffer.from('Subject: arrived\r\n\r\nnew\r\n') });
      await requestSync(prisma, account.id);
      scheduler.wake();
      await until(
        async () => (await prisma.message.count({ where: { accountId: account.id } })) === 1,
        5000,
      );
    } finally {
      await server.close();
    }
  });

  it('stops connecting to a host the admin refuses from now on, and says why', async () => {
    const server = await Pop3Server.start({ mailboxes: { user: [] } });
    try {
      const account = await linked(server, 'secret', 'refused@example.test');
      await until(
        async () =>
          (await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } })).status ===
          'ok',
      );
      const sessions = server.stats.sessions;
      await prisma.policy.update({ where: { id: 1 }, data: { refusedHosts: ['127.0.0.1'] } });
      await requestSync(prisma, account.id);
      scheduler.wake();
      await until(
        async () =>
          (await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } })).status ===
          'perm_error',
      );
      expect(
        await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } }),
      ).toMatchObject({ lastErrorCode: 'HOST_NOT_ALLOWED' });
      expect(server.stats.sessions).toBe(sessions);
    } finally {
      await prisma.policy.update({ where: { id: 1 }, data: { refusedHosts: [] } });
      await server.close();
    }
  });

  it('stops polling the accounts of a disabled user', async () => {
    const server = await Pop3Server.start({ mailboxes: { user: [] } });
    try {
      const account = await linked(server, 'secret', 'disabled@example.test');
      await until(
        async () =>
          (await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } })).status ===
          'ok',
      );
      await prisma.user.update({ where: { id: account.userId }, data: { disabled: true } });
      const sessions = server.stats.sessions;
      await requestSync(prisma, account.id);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(server.stats.sessions).toBe(sessions);
    } finally {
      await server.close();
    }
  });
});
