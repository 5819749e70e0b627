import pg from 'pg';
import type { Db } from '../db/prisma';

/**
 * Sync jobs are leased through PostgreSQL: a process claims due accounts (claims take turns
 * under a transaction-scoped advisory lock, so two processes never claim the same account and
 * the per-host cap holds), renews the lease while it works, and a dead process's lease expires.
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

/** Claims take turns under this transaction lock, so per-host counts are never raced. */
const CLAIM_LOCK = 7270700;

export async function claimDueAccounts(
  prisma: Db,
  owner: string,
  limits: ClaimLimits,
): Promise<ClaimedAccount[]> {
  if (limits.limit <= 0) return [];
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK})`;
    return tx.$queryRaw<ClaimedAccount[]>`
      WITH busy AS (
        SELECT host, count(*) AS sessions FROM pop3_accounts
         WHERE "leaseExpiresAt" > now() GROUP BY host
      ), due AS (
        SELECT c.id, c.host, c."syncRequested", c."nextSyncAt"
          FROM pop3_accounts AS c
          JOIN users AS u ON u.id = c."userId"
         WHERE NOT c.disabled
           AND NOT u.disabled
           AND (c."leaseExpiresAt" IS NULL OR c."leaseExpiresAt" < now())
           AND (
             c."syncRequested"
             OR (c."nextSyncAt" <= now() AND c.status NOT IN ('auth_failed', 'perm_error', 'disabled'))
           )
      ), ranked AS (
        SELECT due.*, row_number() OVER (
                 PARTITION BY due.host ORDER BY due."syncRequested" DESC, due."nextSyncAt") AS place,
               COALESCE(busy.sessions, 0) AS sessions
          FROM due LEFT JOIN busy ON busy.host = due.host
      ), chosen AS (
        SELECT id FROM ranked
         WHERE place + sessions <= ${limits.perHost}
         ORDER BY "syncRequested" DESC, "nextSyncAt"
         LIMIT ${limits.limit}
      )
      UPDATE pop3_accounts AS a
         SET "leaseOwner" = ${owner},
             "leaseExpiresAt" = now() + make_interval(secs => ${limits.leaseSeconds}),
             "syncRequested" = false
       WHERE a.id IN (SELECT id FROM chosen)
      RETURNING a.id, a."userId", a.host`;
  });
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
