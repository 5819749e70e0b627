import type pg from 'pg';
import type { Db } from '../db/prisma';
import type { Prisma } from '../generated/prisma/client';
import { LeaseLostError, type SessionLease } from './session-lease';

/**
 * Sync jobs are leased through PostgreSQL: a process claims due accounts (claims take turns
 * under a transaction-scoped advisory lock, so two processes never claim the same account and
 * the caps hold), renews the lease while it works, and a dead process's lease expires. Each claim
 * increments the account's fencing token; the session's writes carry it (updateLeasedAccount,
 * fenceTransaction), so a process held up past its lease writes nothing once another took over.
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
  /** The fencing token of this claim. */
  token: bigint;
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
             "syncRequested" = false,
             "leaseToken" = a."leaseToken" + 1
        FROM chosen
       WHERE a.id = chosen.id
      RETURNING a.id, a."userId", a.host, chosen."syncRequested" AS requested,
                a."leaseToken" AS token`;
  });
}

/**
 * Takes one account's lease now if no session holds it (a full download the reader asked for):
 * its fencing token, or null while another session has the account.
 */
export async function claimAccount(
  prisma: Db,
  owner: string,
  accountId: string,
  leaseSeconds: number,
): Promise<bigint | null> {
  const [claimed] = await prisma.$queryRaw<Array<{ token: bigint }>>`
    UPDATE pop3_accounts
       SET "leaseOwner" = ${owner},
           "leaseExpiresAt" = now() + make_interval(secs => ${leaseSeconds}),
           "leaseToken" = "leaseToken" + 1
     WHERE id = ${accountId}::uuid AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < now())
    RETURNING "leaseToken" AS token`;
  return claimed?.token ?? null;
}

/**
 * Asked just before a session dials `address`: may it? Yes while fewer than `perAddress` other
 * leased sessions, in any process, are at that address. Either way the account now counts at that
 * address, so the next claims see it there. When the answer is no, the lease is let go at once,
 * and a "check now" it was claimed for is asked for again.
 */
export async function admitAddress(
  prisma: Db,
  account: { id: string; token: bigint; requested: boolean },
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
         WHERE id = ${account.id}::uuid AND "leaseToken" = ${account.token}`;
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
  lease: { accountId: string; token: bigint },
  leaseSeconds: number,
): Promise<boolean> {
  const renewed = await prisma.$executeRaw`
    UPDATE pop3_accounts SET "leaseExpiresAt" = now() + make_interval(secs => ${leaseSeconds})
     WHERE id = ${lease.accountId}::uuid AND "leaseToken" = ${lease.token}`;
  return renewed === 1;
}

export async function releaseLease(
  prisma: Db,
  lease: { accountId: string; token: bigint },
): Promise<void> {
  await prisma.$executeRaw`
    UPDATE pop3_accounts SET "leaseOwner" = NULL, "leaseExpiresAt" = NULL
     WHERE id = ${lease.accountId}::uuid AND "leaseToken" = ${lease.token}`;
}

/**
 * Writes the leased account's row only while the lease is this session's: the local clock says it
 * has not run out, and the row still carries the session's token. LeaseLostError otherwise (also
 * when the account is gone: there is nothing left to write either way).
 */
export async function updateLeasedAccount(
  prisma: Db,
  lease: SessionLease,
  data: Prisma.Pop3AccountUpdateManyMutationInput,
): Promise<void> {
  lease.assertHeld();
  const { count } = await prisma.pop3Account.updateMany({
    where: { id: lease.accountId, leaseToken: lease.token },
    data,
  });
  if (count === 0) throw new LeaseLostError();
}

/**
 * First statement of a session's transaction: holds the account's row (FOR SHARE: a claim that
 * would take it over waits for, or skips, this transaction) while it still carries the session's
 * token; LeaseLostError, and nothing written, when another process took over.
 */
export async function fenceTransaction(client: pg.ClientBase, lease: SessionLease): Promise<void> {
  lease.assertHeld();
  const { rowCount } = await client.query(
    'SELECT 1 FROM pop3_accounts WHERE id = $1::uuid AND "leaseToken" = $2 FOR SHARE',
    [lease.accountId, lease.token.toString()],
  );
  if (rowCount !== 1) throw new LeaseLostError();
}
