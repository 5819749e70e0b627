import pg from 'pg';
import type { Db } from '../db/prisma';

/**
 * Sync jobs are leased through PostgreSQL: a process claims due accounts with
 * FOR UPDATE SKIP LOCKED (so two processes never claim the same one), renews the lease while it
 * works, and a dead process's lease simply expires.
 */
export interface ClaimLimits {
  /** How many accounts to claim at most. */
  limit: number;
  /** Accounts already being synced per POP3 host, across every process, stay under this. */
  perHost: number;
  leaseSeconds: number;
}

export interface ClaimedAccount {
  id: string;
  userId: string;
  host: string;
}

export async function claimDueAccounts(
  prisma: Db,
  owner: string,
  limits: ClaimLimits,
): Promise<ClaimedAccount[]> {
  if (limits.limit <= 0) return [];
  return prisma.$queryRaw<ClaimedAccount[]>`
    UPDATE pop3_accounts AS a
       SET "leaseOwner" = ${owner},
           "leaseExpiresAt" = now() + make_interval(secs => ${limits.leaseSeconds}),
           "syncRequested" = false
     WHERE a.id IN (
       SELECT c.id
         FROM pop3_accounts AS c
         JOIN users AS u ON u.id = c."userId"
        WHERE NOT c.disabled
          AND NOT u.disabled
          AND (c."leaseExpiresAt" IS NULL OR c."leaseExpiresAt" < now())
          AND (
            c."syncRequested"
            OR (c."nextSyncAt" <= now() AND c.status NOT IN ('auth_failed', 'perm_error', 'disabled'))
          )
          AND (
            SELECT count(*) FROM pop3_accounts AS busy
             WHERE busy.host = c.host AND busy."leaseExpiresAt" > now()
          ) < ${limits.perHost}
        ORDER BY c."syncRequested" DESC, c."nextSyncAt"
        LIMIT ${limits.limit}
        FOR UPDATE OF c SKIP LOCKED
     )
    RETURNING a.id, a."userId", a.host`;
}

/** Extends a lease this process holds; false when it was lost (expired and taken by another). */
export async function renewLease(
  prisma: Db,
  accountId: string,
  owner: string,
  leaseSeconds: number,
): Promise<boolean> {
  const renewed = await prisma.$executeRaw`
    UPDATE pop3_accounts SET "leaseExpiresAt" = now() + make_interval(secs => ${leaseSeconds})
     WHERE id = ${accountId}::uuid AND "leaseOwner" = ${owner}`;
  return renewed === 1;
}

export async function releaseLease(prisma: Db, accountId: string, owner: string): Promise<void> {
  await prisma.$executeRaw`
    UPDATE pop3_accounts SET "leaseOwner" = NULL, "leaseExpiresAt" = NULL
     WHERE id = ${accountId}::uuid AND "leaseOwner" = ${owner}`;
}

/**
 * A session-level advisory lock held on its own connection for the whole POP3 session: even if a
 * lease expired while its process was stalled, a second session for the account cannot start.
 * If the database connection drops, the lock is gone, and `lost` tells the session to stop.
 */
export interface AccountLock {
  lost: AbortSignal;
  release(): Promise<void>;
}

export async function lockAccount(
  databaseUrl: string,
  accountId: string,
): Promise<AccountLock | null> {
  const client = new pg.Client({ connectionString: databaseUrl });
  const lost = new AbortController();
  client.on('error', () =>
    lost.abort(new Error('lost the database connection holding the account lock')),
  );
  client.on('end', () =>
    lost.abort(new Error('lost the database connection holding the account lock')),
  );
  await client.connect();
  try {
    const result = await client.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(hashtextextended('popgate.account:' || $1, 0)) AS locked`,
      [accountId],
    );
    if (!result.rows[0]?.locked) {
      await client.end();
      return null;
    }
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return {
    lost: lost.signal,
    async release() {
      client.removeAllListeners('end');
      client.removeAllListeners('error');
      client.on('error', () => {});
      // Ending the connection releases the lock.
      await client.end().catch(() => {});
    },
  };
}
