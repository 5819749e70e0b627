import pg from 'pg';
import type { Db } from '../db/prisma';

/**
 * Sync jobs are leased through PostgreSQL: a process claims due accounts (claims take turns
 * under a transaction-scoped advisory lock, so two processes never claim the same account and
 * the caps hold), renews the lease while it works, and a dead process's lease expires.
 */
export interface ClaimLimits {
  /** How many accounts to claim at most. */
  limit: number;
  /**
   * Sessions per POP3 server, across every process, stay under this. A server is known by the
   * address its accounts' latest sessions dialled (names that resolve to one address share it),
   * by its host name until then; `admitAddress` holds the cap for the address actually dialled.
   */
  perHost: number;
  /** Sessions per user, across every process, stay under this (default: no cap). */
  perUser?: number;
  leaseSeconds: number;
}

export interface ClaimedAccount {
  id: string;
  userId: string;
  host: string;
  /** It was claimed for a "check now". */
  requested: boolean;
}

/** Claims and admissions take turns under this transaction lock, so the counts are never raced. */
const CLAIM_LOCK = 7270700;

export async function claimDueAccounts(
  prisma: Db,
  owner: string,
  limits: ClaimLimits,
): Promise<ClaimedAccount[]> {
  if (limits.limit <= 0) return [];
  // An integer parameter: "no cap" is as many as there can be accounts to claim.
  const perUser = Math.min(limits.perUser ?? limits.limit, limits.limit);
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK})`;
    return tx.$queryRaw<ClaimedAccount[]>`
      WITH busy AS (
        SELECT COALESCE("serverAddress", host) AS server, "userId"
          FROM pop3_accounts WHERE "leaseExpiresAt" > now()
      ), busy_servers AS (
        SELECT server, count(*) AS sessions FROM busy GROUP BY server
      ), busy_users AS (
        SELECT "userId", count(*) AS sessions FROM busy GROUP BY "userId"
      ), due AS (
        SELECT c.id, c."userId", COALESCE(c."serverAddress", c.host) AS server,
               c."syncRequested", c."nextSyncAt"
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
        SELECT due.*,
               row_number() OVER (
                 PARTITION BY due.server ORDER BY due."syncRequested" DESC, due."nextSyncAt") AS server_place,
               row_number() OVER (
                 PARTITION BY due."userId" ORDER BY due."syncRequested" DESC, due."nextSyncAt") AS user_place,
               COALESCE(busy_servers.sessions, 0) AS server_sessions,
               COALESCE(busy_users.sessions, 0) AS user_sessions
          FROM due
          LEFT JOIN busy_servers ON busy_servers.server = due.server
          LEFT JOIN busy_users ON busy_users."userId" = due."userId"
      ), chosen AS (
        SELECT id, "syncRequested" FROM ranked
         WHERE server_place + server_sessions <= ${limits.perHost}
           AND user_place + user_sessions <= ${perUser}
         ORDER BY "syncRequested" DESC, "nextSyncAt"
         LIMIT ${limits.limit}
      )
      UPDATE pop3_accounts AS a
         SET "leaseOwner" = ${owner},
             "leaseExpiresAt" = now() + make_interval(secs => ${limits.leaseSeconds}),
             "syncRequested" = false
        FROM chosen
       WHERE a.id = chosen.id
      RETURNING a.id, a."userId", a.host, chosen."syncRequested" AS requested`;
  });
}

/**
 * Asked just before a session dials `address`: may it? Yes while fewer than `perAddress` other
 * leased sessions, in any process, are at that address. Either way the account now counts at that
 * address, so the next claims see it there. When the answer is no, the lease is let go at once,
 * and a "check now" it was claimed for is asked for again.
 */
export async function admitAddress(
  prisma: Db,
  account: { id: string; owner: string; requested: boolean },
  address: string,
  perAddress: number,
): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK})`;
    const [busy] = await tx.$queryRaw<Array<{ sessions: number }>>`
      SELECT count(*)::int AS sessions FROM pop3_accounts
       WHERE "serverAddress" = ${address} AND "leaseExpiresAt" > now() AND id <> ${account.id}::uuid`;
    const admitted = (busy?.sessions ?? 0) < perAddress;
    if (admitted) {
      await tx.$executeRaw`
        UPDATE pop3_accounts SET "serverAddress" = ${address} WHERE id = ${account.id}::uuid`;
    } else {
      await tx.$executeRaw`
        UPDATE pop3_accounts
           SET "serverAddress" = ${address},
               "syncRequested" = "syncRequested" OR ${account.requested},
               "leaseOwner" = NULL, "leaseExpiresAt" = NULL
         WHERE id = ${account.id}::uuid AND "leaseOwner" = ${account.owner}`;
    }
    return admitted;
  });
}

/**
 * Of these accounts (sessions running here), the ones that should not be checked any more: switched
 * off, or their user is, or removed.
 */
export async function accountsToStop(
  prisma: Db,
  accountIds: readonly string[],
): Promise<Map<string, 'disabled' | 'removed'>> {
  const stop = new Map<string, 'disabled' | 'removed'>();
  if (accountIds.length === 0) return stop;
  const rows = await prisma.$queryRaw<Array<{ id: string; off: boolean }>>`
    SELECT a.id::text AS id, (a.disabled OR u.disabled) AS off
      FROM pop3_accounts AS a JOIN users AS u ON u.id = a."userId"
     WHERE a.id = ANY(${accountIds}::uuid[])`;
  const found = new Map(rows.map((row) => [row.id, row.off]));
  for (const id of accountIds) {
    const off = found.get(id);
    if (off === undefined) stop.set(id, 'removed');
    else if (off) stop.set(id, 'disabled');
  }
  return stop;
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
