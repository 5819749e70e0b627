import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, poolOf, type Db } from '../src/db/prisma';
import { claimDueAccounts } from '../src/sync/claim';
import { PROVIDER_SESSION_LIMITS, serverSessionCaps } from '../src/sync/host-sessions';
import { admitAddress } from '../src/sync/lease';
import { createMigratedDatabase, dropDatabase } from './support/databases';
import { userWithAccount } from './support/fixtures';

// Claims look at every account and the policy is one row: this file gets a database of its own.
let prisma: Db;
let database: { name: string; url: string };
beforeAll(async () => {
  database = await createMigratedDatabase('popgate_test_host_sessions');
  prisma = createPrismaClient(database.url, 8);
});
afterAll(async () => {
  await prisma?.$disconnect();
  if (database) await dropDatabase(database.name);
});

/** The environment's rule as the claim gets it: two per server, no growth with accounts. */
const env = { limit: 50, perHost: 2, leaseSeconds: 60 };

async function setPolicy(data: {
  syncSessionsPerHost?: number | null;
  syncAccountsPerHostSession?: number | null;
  hostSessionLimits?: Array<{ host: string; sessions: number }>;
}) {
  await prisma.policy.update({ where: { id: 1 }, data });
}

/** Ends every lease and parks every account: each test claims among its own accounts only. */
async function clearAll() {
  await prisma.pop3Account.updateMany({
    data: { leaseOwner: null, leaseExpiresAt: null, nextSyncAt: new Date('2999-01-01') },
  });
}

async function accountsOn(host: string, count: number, extra: Record<string, unknown> = {}) {
  const made = [];
  for (let i = 0; i < count; i++) made.push(await userWithAccount(prisma, { host, ...extra }));
  return made;
}

const countBy = <T>(items: T[], key: (item: T) => string) => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
};

describe('the per-host session policy', () => {
  it('starts with the big providers’ limits, as declared in host-sessions.ts', async () => {
    const policy = await prisma.policy.findUniqueOrThrow({ where: { id: 1 } });
    expect(policy.hostSessionLimits).toEqual(PROVIDER_SESSION_LIMITS);
    expect(policy.syncSessionsPerHost).toBeNull();
    expect(policy.syncAccountsPerHostSession).toBeNull();
  });

  it('caps a host at the admin’s limit and every other host at the admin’s rule, across processes', async () => {
    await clearAll();
    await accountsOn('pop.big-isp.test', 8);
    await accountsOn('pop.small-isp.test', 8);
    await setPolicy({
      syncSessionsPerHost: 3,
      hostSessionLimits: [{ host: 'pop.big-isp.test', sessions: 5 }],
    });
    try {
      const claims = await Promise.all(
        ['p1', 'p2', 'p3'].map((owner) => claimDueAccounts(prisma, owner, env)),
      );
      // The environment says 2 per host: the policy's 3, and pop.big-isp.test's own 5, win.
      expect(countBy(claims.flat(), (c) => c.host)).toEqual({
        'pop.big-isp.test': 5,
        'pop.small-isp.test': 3,
      });
    } finally {
      await setPolicy({
        syncSessionsPerHost: null,
        hostSessionLimits: [...PROVIDER_SESSION_LIMITS],
      });
    }
  });

  it('falls back to the environment where the policy is unset, growing with a host’s accounts', async () => {
    await clearAll();
    await accountsOn('pop.fallback.test', 7);
    const alone = await claimDueAccounts(prisma, 'p1', env);
    expect(alone).toHaveLength(2);
    await clearAll();
    await prisma.pop3Account.updateMany({
      where: { host: 'pop.fallback.test' },
      data: { nextSyncAt: new Date() },
    });
    // One more session for each 2 accounts: 7 accounts, 4 sessions.
    expect(
      await claimDueAccounts(prisma, 'p1', { ...env, accountsPerHostSession: 2 }),
    ).toHaveLength(4);
    // The policy's accounts-per-session wins over the environment's.
    await clearAll();
    await prisma.pop3Account.updateMany({
      where: { host: 'pop.fallback.test' },
      data: { nextSyncAt: new Date() },
    });
    await setPolicy({ syncAccountsPerHostSession: 1 });
    try {
      expect(
        await claimDueAccounts(prisma, 'p1', { ...env, accountsPerHostSession: 2 }),
      ).toHaveLength(7);
    } finally {
      await setPolicy({ syncAccountsPerHostSession: null });
    }
  });

  it('applies a host name’s limit to the address it resolves to, shared with other names', async () => {
    await clearAll();
    // Two names for one address (as the latest sessions dialled it): one server, one cap.
    await accountsOn('pop.alias-a.test', 4, { serverAddress: '192.0.2.7' });
    await accountsOn('mail.alias-b.test', 4, { serverAddress: '192.0.2.7' });
    await setPolicy({ hostSessionLimits: [{ host: 'pop.alias-a.test', sessions: 3 }] });
    try {
      const claimed = await claimDueAccounts(prisma, 'p1', env);
      expect(claimed).toHaveLength(3);
      expect(new Set(claimed.map((c) => c.server))).toEqual(new Set(['192.0.2.7']));
      const caps = await serverSessionCaps(poolOf(prisma), ['192.0.2.7', '192.0.2.8'], {
        min: 2,
      });
      expect(Object.fromEntries(caps)).toEqual({ '192.0.2.7': 3, '192.0.2.8': 2 });
    } finally {
      await setPolicy({ hostSessionLimits: [...PROVIDER_SESSION_LIMITS] });
    }
  });

  it('admits a session to a newly resolved address under its host name’s limit, and defers the next', async () => {
    await clearAll();
    const [first, second] = await accountsOn('pop.one-at-a-time.test', 2);
    await setPolicy({ hostSessionLimits: [{ host: 'pop.one-at-a-time.test', sessions: 1 }] });
    try {
      const claimed = await claimDueAccounts(prisma, 'p1', { ...env, perHost: 10 });
      expect(claimed).toHaveLength(1);
      const [held] = claimed;
      const admitted = await admitAddress(prisma, { ...held!, requested: false }, '198.51.100.9', {
        min: 10,
      });
      expect(admitted).toBe(true);
      // The other account, claimed once the first one's address is known, dials the same address.
      const other = [first!, second!].find((a) => a.account.id !== held!.id)!;
      const [next] = await claimDueAccounts(prisma, 'p2', { ...env, perHost: 10 });
      expect(next?.id).toBe(other.account.id);
      const refused = await admitAddress(prisma, { ...next!, requested: false }, '198.51.100.9', {
        min: 10,
      });
      expect(refused).toBe(false);
      const row = await prisma.pop3Account.findUniqueOrThrow({ where: { id: other.account.id } });
      expect(row.leaseExpiresAt).toBeNull();
    } finally {
      await setPolicy({ hostSessionLimits: [...PROVIDER_SESSION_LIMITS] });
    }
  });

  it('keeps each user under the per-user cap while the host allows more', async () => {
    await clearAll();
    const { user } = await userWithAccount(prisma, { host: 'pop.roomy.test' });
    for (let i = 0; i < 5; i++) await userWithAccount(prisma, { host: 'pop.roomy.test' });
    for (let i = 0; i < 4; i++) {
      await prisma.pop3Account.create({
        data: {
          userId: user.id,
          label: `more ${i}`,
          host: i % 2 ? 'pop.roomy.test' : 'pop.other-roomy.test',
          port: 995,
          username: `u${i}`,
          secretCiphertext: new Uint8Array([0]),
          secretKeyId: 'test',
        },
      });
    }
    await setPolicy({
      hostSessionLimits: [
        { host: 'pop.roomy.test', sessions: 100 },
        { host: 'pop.other-roomy.test', sessions: 100 },
      ],
    });
    try {
      const claims = await Promise.all(
        ['p1', 'p2'].map((owner) => claimDueAccounts(prisma, owner, { ...env, perUser: 2 })),
      );
      const claimed = claims.flat();
      const perUser = countBy(claimed, (c) => c.userId);
      expect(perUser[user.id]).toBe(2);
      // Everyone else's single account is claimed: the capped user keeps no one out.
      expect(claimed).toHaveLength(2 + 5);
    } finally {
      await setPolicy({ hostSessionLimits: [...PROVIDER_SESSION_LIMITS] });
    }
  });
});
