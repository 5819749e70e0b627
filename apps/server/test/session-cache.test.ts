import { describe, expect, it } from 'vitest';
import type { Db } from '../src/db/prisma';
import { SESSION_TRUST_MS, SessionCache } from '../src/users/session-cache';

/** A stand-in for the sessions table: one session, counted lookups, answers held on demand. */
function sessionsTable(expiresAt = new Date(Date.now() + 86_400_000)) {
  const table = {
    lookups: 0,
    revoked: false,
    /** When set, lookups wait for it. */
    gate: undefined as Promise<void> | undefined,
  };
  const prisma = {
    session: {
      findUnique: async () => {
        table.lookups += 1;
        const revoked = table.revoked;
        await table.gate;
        return {
          id: 'session-1',
          revokedAt: revoked ? new Date() : null,
          expiresAt,
          lastSeenAt: new Date(),
          user: { id: 'user-1', email: 'ada@example.test', role: 'user', disabled: false },
        };
      },
      update: async () => ({}),
    },
  } as unknown as Db;
  return { table, prisma };
}

function manualClock(start = Date.now()) {
  const clock = { at: start, now: () => clock.at };
  return clock;
}

describe('the session cache', () => {
  it('asks the database once for requests that arrive together', async () => {
    const { table, prisma } = sessionsTable();
    const cache = new SessionCache(prisma);
    const users = await Promise.all(Array.from({ length: 20 }, () => cache.user('token')));
    expect(users.every((user) => user?.id === 'user-1')).toBe(true);
    expect(table.lookups).toBe(1);
  });

  it('trusts a session for SESSION_TRUST_MS, then asks again', async () => {
    const { table, prisma } = sessionsTable();
    const clock = manualClock();
    const cache = new SessionCache(prisma, SESSION_TRUST_MS, clock.now);
    await cache.user('token');
    clock.at += SESSION_TRUST_MS - 1;
    await cache.user('token');
    expect(table.lookups).toBe(1);
    table.revoked = true;
    clock.at += 1;
    expect(await cache.user('token')).toBeNull();
    expect(table.lookups).toBe(2);
  });

  it('never trusts a session past its expiry', async () => {
    const clock = manualClock();
    const { table, prisma } = sessionsTable(new Date(clock.at + 500));
    const cache = new SessionCache(prisma, SESSION_TRUST_MS, clock.now);
    await cache.user('token');
    clock.at += 500;
    table.revoked = true;
    expect(await cache.user('token')).toBeNull();
  });

  it('forgets a signed-out session and a user at once', async () => {
    const { table, prisma } = sessionsTable();
    const cache = new SessionCache(prisma);
    await cache.user('token');
    table.revoked = true;
    cache.forgetSession('session-1');
    expect(await cache.user('token')).toBeNull();
    table.revoked = false;
    await cache.user('token');
    table.revoked = true;
    cache.forgetUser('user-1');
    expect(await cache.user('token')).toBeNull();
  });

  it('neither keeps nor shares an answer read before a forget', async () => {
    const { table, prisma } = sessionsTable();
    const cache = new SessionCache(prisma);
    let open = () => {};
    table.gate = new Promise<void>((resolve) => (open = resolve));
    // This lookup read the session before the sign-out below was committed.
    const early = cache.user('token');
    await Promise.resolve();
    table.revoked = true;
    cache.forgetSession('session-1');
    const late = cache.user('token');
    open();
    expect((await early)?.id).toBe('user-1');
    expect(await late).toBeNull();
    table.gate = undefined;
    expect(await cache.user('token')).toBeNull();
    expect(table.lookups).toBe(3);
  });

  it('refuses a missing or oversized token without asking the database', async () => {
    const { table, prisma } = sessionsTable();
    const cache = new SessionCache(prisma);
    expect(await cache.user(undefined)).toBeNull();
    expect(await cache.user('x'.repeat(201))).toBeNull();
    expect(table.lookups).toBe(0);
  });
});
