import { Pop3Server } from '@popgate/pop3-server';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkAccount } from '../src/accounts/link-account';
import { createPrismaClient, type Db } from '../src/db/prisma';
import type { LagSampler } from '../src/sync/event-loop-lag';
import { requestSync } from '../src/sync/presence';
import { SyncScheduler } from '../src/sync/scheduler';
import { SessionTarget } from '../src/sync/session-target';
import { registerSyncMetrics } from '../src/sync/sync-metrics';
import { allowAnyPort, createMigratedDatabase, dropDatabase } from './support/databases';
import { testSyncContext } from './support/sync-context';

let database: { name: string; url: string };
let prisma: Db;
let harness: Awaited<ReturnType<typeof testSyncContext>>;

// Schedulers poll every account in their database: this file gets one of its own.
beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_lag_sessions');
  await allowAnyPort(database.url);
  prisma = createPrismaClient(database.url, 8);
  harness = await testSyncContext(prisma);
});
afterAll(async () => {
  await harness?.close();
  await prisma?.$disconnect();
  if (database) await dropDatabase(database.name);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(25);
  }
}

/** The most sessions seen running at once while `during` runs. */
async function peakSessions(scheduler: SyncScheduler, during: () => Promise<void>) {
  let peak = 0;
  const watch = setInterval(() => (peak = Math.max(peak, scheduler.activeSessions)), 10);
  try {
    await during();
  } finally {
    clearInterval(watch);
  }
  return peak;
}

describe('the session target (AIMD on event-loop lag)', () => {
  it('halves on each lagging interval down to the floor, and grows back by one per healthy one', () => {
    const target = new SessionTarget({ max: 64, floor: 4, lagThresholdMs: 100 });
    expect(target.current).toBe(64);
    expect([150, 150, 101].map((lag) => target.observe(lag))).toEqual([32, 16, 8]);
    expect([500, 500, 500].map((lag) => target.observe(lag))).toEqual([4, 4, 4]);
    expect([0, 99, 100].map((lag) => target.observe(lag))).toEqual([5, 6, 7]);
    for (let i = 0; i < 100; i++) target.observe(0);
    expect(target.current).toBe(64);
    // A floor above the maximum is the maximum.
    expect(new SessionTarget({ max: 2, floor: 4, lagThresholdMs: 1 }).observe(50)).toBe(2);
  });
});

describe('a scheduler under event-loop lag', () => {
  it('claims no more sessions than the lagging target allows, and more again once the lag is gone', async () => {
    const mailboxes = Object.fromEntries(
      Array.from({ length: 8 }, (_, i) => [
        `user${i}`,
        [{ body: Buffer.from(`Subject: ${i}\r\n\r\nhi\r\n`) }],
      ]),
    );
    const server = await Pop3Server.start({ mailboxes });
    // Every UIDL answer trickles in: each session lasts long enough to be seen running.
    server.inject({ kind: 'drip', command: 'UIDL', bytes: 2, everyMs: 40, times: Infinity });
    let lag = 500;
    const sampler: LagSampler = { takeP99Ms: () => lag, close: () => {} };
    const scheduler = new SyncScheduler(
      harness.ctx,
      {
        maxSessions: 8,
        minSessions: 2,
        perHost: 100,
        perUser: 8,
        leaseSeconds: 30,
        tickMs: 100,
        lagThresholdMs: 100,
        // Adjusted by hand below, not by the timer.
        lagIntervalMs: 3_600_000,
      },
      sampler,
    );
    const accounts: Array<{ id: string }> = [];
    // What /metrics shows of it: sessions per server and the target.
    const registry = new Registry();
    registerSyncMetrics(registry, prisma, scheduler);
    const gauge = async (name: string) =>
      (await registry.getSingleMetric(name)!.get()).values.map((v) => [v.labels, v.value]);
    try {
      for (let i = 0; i < 8; i++) {
        const user = await prisma.user.create({ data: { email: `lag${i}@example.test` } });
        accounts.push(
          await linkAccount(prisma, harness.keyring, user.id, {
            label: `lag ${i}`,
            host: '127.0.0.1',
            port: server.port,
            security: 'none',
            username: `user${i}`,
            password: 'secret',
            auth: 'auto',
          }),
        );
      }
      const checked = async (after: Date) =>
        (await prisma.pop3Account.count({
          where: { id: { in: accounts.map((a) => a.id) }, lastSyncAt: { gt: after } },
        })) === accounts.length;
      scheduler.start();
      // Three lagging intervals before the first claim: 8 -> 4 -> 2 -> 2 (the floor).
      for (let i = 0; i < 3; i++) scheduler.adjustToLag();
      expect(scheduler.sessionTarget).toBe(2);
      expect(await gauge('popgate_sync_session_target')).toEqual([[{}, 2]]);
      const started = new Date(0);
      const lagging = await peakSessions(scheduler, () => until(() => checked(started)));
      expect(lagging).toBeGreaterThan(0);
      expect(lagging).toBeLessThanOrEqual(2);

      lag = 0;
      for (let i = 0; i < 6; i++) scheduler.adjustToLag();
      expect(scheduler.sessionTarget).toBe(8);
      const again = new Date();
      let perServer: unknown[] = [];
      const healthy = await peakSessions(scheduler, async () => {
        for (const account of accounts) await requestSync(prisma, account.id);
        scheduler.wake();
        await until(async () => {
          const running = scheduler.activeSessions;
          const shown = await gauge('popgate_sync_server_sessions_in_flight');
          if (running > 2 && scheduler.activeSessions === running) perServer = shown;
          return checked(again);
        });
      });
      expect(healthy).toBeGreaterThan(2);
      // Every session dialled the one test server: the gauge counts them under its address.
      expect(perServer).toEqual([[{ server: '127.0.0.1' }, expect.any(Number)]]);
      expect((perServer[0] as [unknown, number])[1]).toBeGreaterThan(2);
      expect(await gauge('popgate_sync_session_target')).toEqual([[{}, 8]]);
    } finally {
      await scheduler.stop(1000);
      await server.close();
    }
  });

  it('backs off when the event loop is really blocked (perf_hooks), and recovers after', async () => {
    const scheduler = new SyncScheduler(harness.ctx, {
      maxSessions: 16,
      minSessions: 2,
      perHost: 2,
      leaseSeconds: 30,
      tickMs: 1000,
      lagThresholdMs: 100,
      lagIntervalMs: 200,
    });
    scheduler.start();
    try {
      await sleep(300);
      // Parsing a huge message would look like this: the loop held for 400 ms at a time.
      for (let i = 0; i < 3; i++) {
        const end = Date.now() + 400;
        while (Date.now() < end);
        await sleep(250);
      }
      const low = scheduler.sessionTarget;
      expect(low).toBeLessThan(16);
      expect(low).toBeGreaterThanOrEqual(2);
      // Healthy intervals add one session back each.
      await until(() => scheduler.sessionTarget > low, 30_000);
    } finally {
      await scheduler.stop(1000);
    }
  });
});
