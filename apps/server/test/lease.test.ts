import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type Db } from '../src/db/prisma';
import { CLAIM_CANDIDATES_SQL, claimDueAccounts } from '../src/sync/claim';
import { withJitter } from '../src/sync/jitter';
import { fenceTransaction, releaseLease, renewLease, updateLeasedAccount } from '../src/sync/lease';
import { LeaseLostError, SessionLease } from '../src/sync/session-lease';
import { inTransaction } from '../src/db/transaction';
import { poolOf } from '../src/db/prisma';
import { createMigratedDatabase, dropDatabase } from './support/databases';
import { userWithAccount } from './support/fixtures';

// Claiming looks at every account: these tests get a database of their own.
let prisma: Db;
let database: { name: string; url: string };
beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_lease');
  prisma = createPrismaClient(database.url, 8);
});
afterAll(async () => {
  await prisma.$disconnect();
  await dropDatabase(database.name);
});

/** Each test claims only among its own accounts: park the earlier tests' far in the future. */
async function onlyThese(host: string) {
  await prisma.pop3Account.updateMany({
    where: { host: { not: host } },
    data: { nextSyncAt: new Date('2999-01-01') },
  });
}

const limits = { limit: 10, perHost: 100, leaseSeconds: 60 };

describe('leasing sync jobs', () => {
  it('gives each due account to exactly one of several competing processes', async () => {
    const host = `race-${Date.now()}.test`;
    const accounts = await Promise.all(
      Array.from({ length: 12 }, () => userWithAccount(prisma, { host })),
    );
    await onlyThese(host);
    const claims = await Promise.all(
      ['p1', 'p2', 'p3', 'p4'].map((owner) =>
        claimDueAccounts(prisma, owner, { ...limits, limit: 5 }),
      ),
    );
    const ids = claims.flat().map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(accounts.map((a) => a.account.id).sort());
  });

  it('skips accounts stopped by an authentication failure, unless the user asks to check now', async () => {
    const host = `stopped-${Date.now()}.test`;
    const { account } = await userWithAccount(prisma, { host, status: 'auth_failed' });
    await onlyThese(host);
    expect(await claimDueAccounts(prisma, 'p1', limits)).toEqual([]);
    await prisma.pop3Account.update({ where: { id: account.id }, data: { syncRequested: true } });
    expect((await claimDueAccounts(prisma, 'p1', limits)).map((c) => c.id)).toEqual([account.id]);
  });

  it('skips disabled accounts and accounts of disabled users', async () => {
    const host = `disabled-${Date.now()}.test`;
    await userWithAccount(prisma, { host, disabled: true });
    const { user } = await userWithAccount(prisma, { host });
    await prisma.user.update({ where: { id: user.id }, data: { disabled: true } });
    await onlyThese(host);
    expect(await claimDueAccounts(prisma, 'p1', limits)).toEqual([]);
  });

  it('keeps the sessions per POP3 host under the cap within one claim', async () => {
    const host = `capped-one-${Date.now()}.test`;
    await Promise.all(Array.from({ length: 5 }, () => userWithAccount(prisma, { host })));
    await onlyThese(host);
    expect(await claimDueAccounts(prisma, 'p1', { ...limits, perHost: 2, limit: 5 })).toHaveLength(
      2,
    );
  });

  it('keeps the sessions per POP3 host under the cap when processes claim at the same moment', async () => {
    const host = `capped-race-${Date.now()}.test`;
    await Promise.all(Array.from({ length: 6 }, () => userWithAccount(prisma, { host })));
    await onlyThese(host);
    const claims = await Promise.all(
      ['a', 'b', 'c'].map((owner) =>
        claimDueAccounts(prisma, owner, { ...limits, perHost: 2, limit: 5 }),
      ),
    );
    expect(claims.flat()).toHaveLength(2);
  });

  it('keeps the sessions per POP3 host under the cap across processes', async () => {
    const host = `capped-${Date.now()}.test`;
    await Promise.all(Array.from({ length: 5 }, () => userWithAccount(prisma, { host })));
    await onlyThese(host);
    const first = await claimDueAccounts(prisma, 'p1', { ...limits, perHost: 2, limit: 1 });
    const second = await claimDueAccounts(prisma, 'p2', { ...limits, perHost: 2, limit: 1 });
    const third = await claimDueAccounts(prisma, 'p3', { ...limits, perHost: 2, limit: 1 });
    expect([first.length, second.length, third.length]).toEqual([1, 1, 0]);
  });

  it("lets a server's cap grow with its accounts: one session for each so many of them", async () => {
    const host = `scaled-${Date.now()}.test`;
    await Promise.all(Array.from({ length: 6 }, () => userWithAccount(prisma, { host })));
    await onlyThese(host);
    const claims = await Promise.all(
      ['a', 'b'].map((owner) =>
        claimDueAccounts(prisma, owner, {
          ...limits,
          perHost: 1,
          accountsPerHostSession: 2,
          limit: 5,
        }),
      ),
    );
    // Six accounts, one session for each two: three at once, whichever process claims them.
    expect(claims.flat()).toHaveLength(3);
  });

  it('keeps the sessions per user under the cap, within one claim and across processes claiming at once', async () => {
    const host = `per-user-${Date.now()}.test`;
    const { user } = await userWithAccount(prisma, { host });
    for (let i = 0; i < 5; i++) {
      await prisma.pop3Account.create({
        data: {
          userId: user.id,
          label: `more ${i}`,
          host: `${i}.${host}`,
          port: 995,
          username: 'u',
          secretCiphertext: Buffer.from('x'),
          secretKeyId: 'k',
        },
      });
    }
    const other = await userWithAccount(prisma, { host });
    await prisma.pop3Account.updateMany({
      where: { host: { not: { endsWith: host } } },
      data: { nextSyncAt: new Date('2999-01-01') },
    });
    const claims = await Promise.all(
      ['a', 'b', 'c'].map((owner) =>
        claimDueAccounts(prisma, owner, { ...limits, perUser: 2, limit: 4 }),
      ),
    );
    const claimed = claims.flat();
    expect(claimed.filter((c) => c.userId === user.id)).toHaveLength(2);
    // The capped user's accounts do not keep another user's out.
    expect(claimed.filter((c) => c.userId === other.user.id)).toHaveLength(1);
    await prisma.pop3Account.updateMany({
      where: { userId: { in: [user.id, other.user.id] } },
      data: { leaseOwner: null, leaseExpiresAt: null, nextSyncAt: new Date('2999-01-01') },
    });
  });

  it('finds due accounts through its partial indexes, reading no account that is not due', async () => {
    const template = await userWithAccount(prisma, { host: `many-${Date.now()}.test` });
    // Thousands of accounts, none due: a claim must not read them one by one.
    await poolOf(prisma).query(
      `INSERT INTO pop3_accounts (id, "userId", label, host, port, username, "secretCiphertext",
                                  "secretKeyId", "nextSyncAt", "updatedAt")
       SELECT gen_random_uuid(), $1::uuid, 'parked', 'parked-' || n || '.test', 995, 'u',
              '\\x00'::bytea, 'k', now() + make_interval(secs => n), now()
         FROM generate_series(1, 5000) AS n`,
      [template.user.id],
    );
    await prisma.$executeRaw`ANALYZE pop3_accounts`;
    const [plan] = await prisma.$queryRawUnsafe<Array<{ 'QUERY PLAN': unknown }>>(
      `EXPLAIN (FORMAT JSON) ${CLAIM_CANDIDATES_SQL.replaceAll('$1', '40')}`,
    );
    const text = JSON.stringify(plan!['QUERY PLAN']);
    const scans: Array<{ type: string; relation?: string; index?: string }> = [];
    const walk = (node: Record<string, unknown>) => {
      scans.push({
        type: node['Node Type'] as string,
        relation: node['Relation Name'] as string | undefined,
        index: node['Index Name'] as string | undefined,
      });
      for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? [])
        walk(child);
    };
    walk((plan!['QUERY PLAN'] as Array<{ Plan: Record<string, unknown> }>)[0]!.Plan);
    expect(scans.filter((s) => s.relation === 'pop3_accounts' && s.type === 'Seq Scan')).toEqual(
      [],
    );
    for (const index of [
      'pop3_accounts_requested_idx',
      'pop3_accounts_due_idx',
      'pop3_accounts_lease_expiry_idx',
    ])
      expect(text).toContain(index);
    await prisma.pop3Account.deleteMany({ where: { label: 'parked' } });
  });

  it('moves the next check a little later at random, never sooner than the interval', () => {
    expect(withJitter(300, () => 0)).toBe(300);
    expect(withJitter(300, () => 0.999)).toBeCloseTo(329.97, 1);
    expect(withJitter(3600, () => 1)).toBe(3630);
    expect(withJitter(60, () => 0.5)).toBe(63);
  });

  it('lets another process take over when a lease expires, and tells the old owner it lost it', async () => {
    const host = `expiry-${Date.now()}.test`;
    const { account } = await userWithAccount(prisma, { host });
    await onlyThese(host);
    const [dead] = await claimDueAccounts(prisma, 'dead', { ...limits, leaseSeconds: 0.2 });
    expect(dead).toBeDefined();
    expect(await claimDueAccounts(prisma, 'alive', limits)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await prisma.pop3Account.update({
      where: { id: account.id },
      data: { nextSyncAt: new Date(0) },
    });
    const [alive] = await claimDueAccounts(prisma, 'alive', limits);
    expect(alive?.id).toBe(account.id);
    expect(alive!.token).toBe(dead!.token + 1n);
    expect(await renewLease(prisma, { accountId: account.id, token: dead!.token }, 60)).toBe(false);
    expect(await renewLease(prisma, { accountId: account.id, token: alive!.token }, 60)).toBe(true);
    // The former owner's release lets go of nothing.
    await releaseLease(prisma, { accountId: account.id, token: dead!.token });
    expect(
      (await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } })).leaseOwner,
    ).toBe('alive');
    await releaseLease(prisma, { accountId: account.id, token: alive!.token });
    const released = await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } });
    expect(released.leaseOwner).toBeNull();
  });

  it("refuses a session's writes once another process claimed the account, by its token", async () => {
    const host = `fenced-${Date.now()}.test`;
    const { account } = await userWithAccount(prisma, { host });
    await onlyThese(host);
    const claimedAt = SessionLease.now();
    const [first] = await claimDueAccounts(prisma, 'stale', { ...limits, leaseSeconds: 60 });
    const stale = new SessionLease(account.id, first!.token, 60, claimedAt);
    await updateLeasedAccount(prisma, stale, { lastErrorCode: 'WRITTEN_WHILE_HELD' });
    // As when its lease expired while the process was stopped, and another process took it.
    await prisma.pop3Account.update({
      where: { id: account.id },
      data: { leaseExpiresAt: new Date(0), nextSyncAt: new Date(0) },
    });
    const [second] = await claimDueAccounts(prisma, 'fresh', limits);
    expect(second!.token).toBe(first!.token + 1n);

    await expect(
      updateLeasedAccount(prisma, stale, { lastErrorCode: 'WRITTEN_WHEN_STALE' }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await expect(
      inTransaction(poolOf(prisma), async (client) => {
        await fenceTransaction(client, stale);
        await client.query('UPDATE pop3_accounts SET label = $2 WHERE id = $1::uuid', [
          account.id,
          'written by the stale session',
        ]);
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    const now = await prisma.pop3Account.findUniqueOrThrow({ where: { id: account.id } });
    expect(now).toMatchObject({ lastErrorCode: 'WRITTEN_WHILE_HELD', leaseOwner: 'fresh' });
    expect(now.label).not.toBe('written by the stale session');

    const fresh = new SessionLease(account.id, second!.token, 60, SessionLease.now());
    await updateLeasedAccount(prisma, fresh, { lastErrorCode: 'WRITTEN_BY_THE_NEW_OWNER' });
  });

  it('counts a lease as lost by the local clock once it ran out, before any statement', () => {
    const lease = new SessionLease('00000000-0000-0000-0000-000000000000', 1n, 10, 0);
    expect(lease.held).toBe(SessionLease.now() < 10_000 - 2000);
    const late = new SessionLease('00000000-0000-0000-0000-000000000000', 1n, 10, -20_000);
    expect(late.held).toBe(false);
    expect(() => late.assertHeld()).toThrow(LeaseLostError);
    late.renewed(SessionLease.now());
    expect(late.held).toBe(true);
  });
});
