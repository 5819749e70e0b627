import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { runHousekeeping } from '../src/maintenance/housekeeping';
import { PRUNE_BATCH, pruneBeyond, SYNC_RUNS } from '../src/maintenance/prune-beyond';
import { createMigratedDatabase, dropDatabase } from './support/databases';
import { userWithAccount } from './support/fixtures';

let database: { name: string; url: string };
let prisma: Db;
beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_housekeeping');
  prisma = createPrismaClient(database.url, 4);
});
afterAll(async () => {
  await prisma?.$disconnect();
  if (database) await dropDatabase(database.name);
});

const longAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
const source = async (createdAt: Date) => {
  const bytes = randomBytes(16);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await prisma.messageSource.create({ data: { sha256, size: 16, bytes, createdAt } });
  return sha256;
};

describe('housekeeping', () => {
  it('removes what has served its time and keeps everything still in use', async () => {
    const { user, account } = await userWithAccount(prisma);
    await prisma.event.create({
      data: { userId: user.id, type: 'old', payload: {}, createdAt: longAgo(8) },
    });
    const recentEvent = await prisma.event.create({
      data: { userId: user.id, type: 'recent', payload: {} },
    });
    await prisma.loginAttempt.create({ data: { key: 'ip:x', succeeded: false, at: longAgo(2) } });
    await prisma.session.create({
      data: { tokenHash: 'expired', userId: user.id, expiresAt: longAgo(1) },
    });
    const live = await prisma.session.create({
      data: { tokenHash: 'live', userId: user.id, expiresAt: new Date(Date.now() + 86_400_000) },
    });
    const kept = await source(longAgo(3));
    await prisma.message.create({
      data: {
        accountId: account.id,
        userId: user.id,
        uidl: 'k',
        size: 16,
        date: new Date(),
        sourceSha256: kept,
      },
    });
    const orphan = await source(longAgo(3));
    const fresh = await source(new Date());

    const removed = await runHousekeeping(prisma);
    expect(removed).toMatchObject({ events: 1, signInAttempts: 1, sessions: 1, orphanSources: 1 });
    expect(await prisma.event.findMany({ where: { userId: user.id } })).toEqual([recentEvent]);
    expect(await prisma.session.findUnique({ where: { id: live.id } })).not.toBeNull();
    expect(await prisma.messageSource.findUnique({ where: { sha256: kept } })).not.toBeNull();
    expect(await prisma.messageSource.findUnique({ where: { sha256: orphan } })).toBeNull();
    expect(await prisma.messageSource.findUnique({ where: { sha256: fresh } })).not.toBeNull();
  });

  it('removes OAuth2 sign-ins past their time and keeps those still in progress', async () => {
    const { user, account } = await userWithAccount(prisma);
    const session = await prisma.session.create({
      data: {
        tokenHash: `oauth-${randomBytes(4).toString('hex')}`,
        userId: user.id,
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    });
    const pending = (stateHash: string, expiresAt: Date) =>
      prisma.oAuthAuthorization.create({
        data: {
          stateHash,
          sessionId: session.id,
          accountId: account.id,
          provider: 'generic',
          verifierCiphertext: new Uint8Array(randomBytes(16)),
          verifierKeyId: 'k',
          redirectUri: 'http://popgate.test/api/oauth/callback',
          expiresAt,
        },
      });
    await pending('abandoned', new Date(Date.now() - 60_000));
    await pending('in-progress', new Date(Date.now() + 600_000));

    const removed = await runHousekeeping(prisma);
    expect(removed.oauthAuthorizations).toBe(1);
    const left = await prisma.oAuthAuthorization.findMany({ where: { sessionId: session.id } });
    expect(left.map((row) => row.stateHash)).toEqual(['in-progress']);
  });
});

describe('housekeeping by size', () => {
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
  const runs = (accountId: string, count: number, firstMinutesAgo: number) =>
    prisma.syncRun.createMany({
      data: Array.from({ length: count }, (_, i) => ({
        accountId,
        instanceId: `run-${i}`,
        outcome: 'ok' as const,
        startedAt: minutesAgo(firstMinutesAgo - i),
        endedAt: minutesAgo(firstMinutesAgo - i),
      })),
    });

  it('prunes sync_runs and events beyond their row caps, oldest first, however young', async () => {
    await prisma.syncRun.deleteMany();
    await prisma.event.deleteMany();
    const { user, account } = await userWithAccount(prisma);
    await runs(account.id, 6, 60);
    for (let i = 0; i < 5; i++)
      await prisma.event.create({ data: { userId: user.id, type: `e${i}`, payload: {} } });

    const removed = await runHousekeeping(prisma, { syncRunsMaxRows: 4, eventsMaxRows: 2 });
    expect(removed).toMatchObject({ syncRuns: 2, events: 3 });
    const left = await prisma.syncRun.findMany({ orderBy: { startedAt: 'asc' } });
    expect(left.map((run) => run.instanceId)).toEqual(['run-2', 'run-3', 'run-4', 'run-5']);
    const events = await prisma.event.findMany({ orderBy: { id: 'asc' } });
    expect(events.map((event) => event.type)).toEqual(['e3', 'e4']);

    // Within the caps, nothing more goes.
    expect(await runHousekeeping(prisma, { syncRunsMaxRows: 4, eventsMaxRows: 2 })).toMatchObject({
      syncRuns: 0,
      events: 0,
    });
  });

  it('prunes a table far past its cap in bounded batches, the rest at the next run', async () => {
    await prisma.syncRun.deleteMany();
    const { account } = await userWithAccount(prisma);
    await runs(account.id, PRUNE_BATCH + 10, PRUNE_BATCH + 100);

    expect(await pruneBeyond(prisma, SYNC_RUNS, 5, 1)).toBe(PRUNE_BATCH);
    expect(await prisma.syncRun.count()).toBe(10);
    expect(await pruneBeyond(prisma, SYNC_RUNS, 5, 1)).toBe(5);
    const left = await prisma.syncRun.findMany({ orderBy: { startedAt: 'asc' } });
    expect(left.map((run) => run.instanceId)).toEqual(
      Array.from({ length: 5 }, (_, i) => `run-${PRUNE_BATCH + 5 + i}`),
    );
  });
});
