import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { SyncScheduler } from '../src/sync/scheduler';
import { allowAnyPort, createMigratedDatabase, dropDatabase } from './support/databases';
import { testSyncContext } from './support/sync-context';

const USERS = ['u1', 'u2', 'u3', 'u4'];
const ROUNDS = 3;
const PER_ROUND = 15;

let dovecot: Dovecot;
let database: { name: string; url: string };
const prismas: Db[] = [];

beforeAll(async () => {
  dovecot = await startDovecot({ users: USERS.map((u) => ({ username: u, password: `${u}-pw` })) });
  database = await createMigratedDatabase('popgate_test_two');
  await allowAnyPort(database.url);
});
afterAll(async () => {
  await Promise.all(prismas.map((p) => p.$disconnect()));
  await dovecot?.stop();
  if (database) await dropDatabase(database.name);
});

const mail = (user: string, n: number) =>
  Buffer.from(
    `From: x@example.test\r\nSubject: ${user} ${n}\r\nMessage-ID: <${user}-${n}@x>\r\n\r\nbody ${n}\r\n`,
  );

describe('two Popgate processes syncing the same accounts at once', () => {
  it('store every message exactly once, never run two sessions for one account, and respect the host cap', async () => {
    const processes = await Promise.all(
      ['process-a', 'process-b'].map(async (instanceId) => {
        const prisma = createPrismaClient(database.url, 6);
        prismas.push(prisma);
        return testSyncContext(prisma, { listenUrl: database.url, instanceId });
      }),
    );
    // Both processes seal and open with the same key, as instances sharing POPGATE_SECRET_KEY do.
    processes[1]!.ctx.keyring = processes[0]!.ctx.keyring;
    const prisma = prismas[0]!;
    const owner = await prisma.user.create({ data: { email: 'owner@example.test' } });
    const accounts = [];
    for (const username of USERS) {
      accounts.push(
        await linkAccount(prisma, processes[0]!.keyring, owner.id, {
          label: username,
          host: '127.0.0.1',
          port: dovecot.tlsPort,
          security: 'tls',
          username,
          password: `${username}-pw`,
          auth: 'auto',
          tls: { caPem: dovecot.caPem },
          policy: { leaveOnServer: false },
        }),
      );
    }
    const schedulers = processes.map(
      (p) =>
        new SyncScheduler(p.ctx, {
          maxSessions: 4,
          perHost: 2,
          leaseSeconds: 5,
          tickMs: 100,
        }),
    );
    schedulers.forEach((s) => s.start());
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        for (const username of USERS) {
          for (let n = 1; n <= PER_ROUND; n++)
            await dovecot.deliver(username, mail(username, round * 100 + n));
        }
        await prisma.pop3Account.updateMany({ data: { syncRequested: true } });
        const deadline = Date.now() + 60_000;
        for (;;) {
          const stored = await prisma.message.count();
          const left = (await Promise.all(USERS.map((u) => dovecot.messageFiles(u)))).flat().length;
          if (stored === round * PER_ROUND * USERS.length && left === 0) break;
          if (Date.now() > deadline)
            throw new Error(`round ${round} did not finish: stored ${stored}, left ${left}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    } finally {
      await Promise.all(schedulers.map((s) => s.stop()));
      await Promise.all(processes.map((p) => p.close()));
    }

    for (const account of accounts) {
      const subjects = (await prisma.message.findMany({ where: { accountId: account.id } })).map(
        (m) => m.subject,
      );
      expect(subjects).toHaveLength(ROUNDS * PER_ROUND);
      expect(new Set(subjects).size).toBe(subjects.length);
    }
    const runs = await prisma.syncRun.findMany({ orderBy: { startedAt: 'asc' } });
    expect(runs.every((r) => r.endedAt !== null)).toBe(true);
    for (const account of accounts) {
      const mine = runs.filter((r) => r.accountId === account.id);
      for (let i = 1; i < mine.length; i++) {
        expect(
          mine[i]!.startedAt.getTime(),
          'two sessions overlapped for one account',
        ).toBeGreaterThanOrEqual(mine[i - 1]!.endedAt!.getTime());
      }
    }
    const events = runs.flatMap((r) => [
      { at: r.startedAt.getTime(), delta: 1 },
      { at: r.endedAt!.getTime(), delta: -1 },
    ]);
    events.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let open = 0;
    let most = 0;
    for (const e of events) most = Math.max(most, (open += e.delta));
    expect(most).toBeLessThanOrEqual(2);
  }, 240_000);
});
