import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { markUserActive } from '../src/sync/presence';
import { createMigratedDatabase, dropDatabase } from './support/databases';
import { userWithAccount } from './support/fixtures';

let prisma: Db;
let database: { name: string; url: string };
beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_presence');
  prisma = createPrismaClient(database.url, 4);
});
afterAll(async () => {
  await prisma.$disconnect();
  await dropDatabase(database.name);
});

const MINUTE = 60_000;

/** An account checked ten minutes ago whose next check is an hour away. */
async function checkedAccount(pollSeconds: number, capabilities?: object) {
  const lastSyncAt = new Date(Date.now() - 10 * MINUTE);
  const { user, account } = await userWithAccount(prisma, {
    pollSeconds,
    lastSyncAt,
    nextSyncAt: new Date(Date.now() + 60 * MINUTE),
    ...(capabilities ? { capabilities } : {}),
  });
  const nextSyncAt = async () =>
    (await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } })).nextSyncAt;
  return { user, lastSyncAt, nextSyncAt };
}

describe('opening the app brings the next check forward', () => {
  it('to now for an account at the default interval last checked over a minute ago', async () => {
    const { user, nextSyncAt } = await checkedAccount(300);
    const before = Date.now();
    await markUserActive(prisma, user.id, 90);
    const next = (await nextSyncAt()).getTime();
    expect(next).toBeGreaterThanOrEqual(before - 1000);
    expect(next).toBeLessThan(Date.now() + MINUTE);
  });

  it('never sooner than an interval the user chose slower than the default', async () => {
    const { user, lastSyncAt, nextSyncAt } = await checkedAccount(1800);
    await markUserActive(prisma, user.id, 90);
    // 30 minutes after the last check, not a minute.
    expect((await nextSyncAt()).getTime()).toBe(lastSyncAt.getTime() + 30 * MINUTE);
  });

  it('never sooner than the server’s LOGIN-DELAY', async () => {
    const { user, lastSyncAt, nextSyncAt } = await checkedAccount(300, {
      loginDelaySeconds: 1200,
    });
    await markUserActive(prisma, user.id, 90);
    expect((await nextSyncAt()).getTime()).toBe(lastSyncAt.getTime() + 20 * MINUTE);
  });
});
