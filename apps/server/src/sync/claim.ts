import type pg from 'pg';
import { poolOf, type Db } from '../db/prisma';
import { inTransaction } from '../db/transaction';
import { utcTimestamps } from '../db/utc-timestamps';
import { serverSessionCaps } from './host-sessions';

export interface ClaimLimits {
  /** How many accounts to claim at most. */
  limit: number;
  /**
   * Sessions per POP3 server, across every process, stay under this. A server is known by the
   * address its accounts' latest sessions dialled (names that resolve to one address share it),
   * by its host name until then; `admitAddress` holds the cap for the address actually dialled.
   * The environment's minimum: the admin policy's rule and host limits win (host-sessions.ts).
   */
  perHost: number;
  /** The environment's accounts per extra session at a server (the policy's wins when set). */
  accountsPerHostSession?: number | undefined;
  /** Sessions per user, across every process, stay under this (default: no cap). */
  perUser?: number;
  leaseSeconds: number;
}

export interface ClaimedAccount {
  id: string;
  userId: string;
  host: string;
  /** The server it is counted at: the address its latest session dialled, or its host name. */
  server: string;
  /** It was claimed for a "check now". */
  requested: boolean;
  /** The fencing token of this claim. */
  token: bigint;
  /** When it was due: how late its check starts is the scheduler's lateness. */
  dueAt: Date;
}

interface Candidate {
  id: string;
  userId: string;
  server: string;
  requested: boolean;
  nextSyncAt: Date;
}

/** Statuses that stop polling until the user changes the account (a "check now" still runs). */
const STOPPED = `('auth_failed', 'perm_error', 'disabled')`;
/** Neither the account nor its user is switched off. */
const SWITCHED_ON = `NOT a.disabled
  AND NOT EXISTS (SELECT 1 FROM users AS u WHERE u.id = a."userId" AND u.disabled)`;

/**
 * Up to `$1` accounts of each kind that may be claimed. Each part reads its own partial index (see
 * the migration sync_claim_indexes), in due order, so a claim reads about what it takes, however
 * many accounts there are: "check now" requests, accounts due that no session holds, and expired
 * leases (a process that died) of accounts that are due.
 */
export const CLAIM_CANDIDATES_SQL = `
  WITH requested AS (
    SELECT a.id, a."userId", COALESCE(a."serverAddress", a.host) AS server,
           true AS requested, a."nextSyncAt"
      FROM pop3_accounts AS a
     WHERE a."syncRequested" AND ${SWITCHED_ON}
       AND (a."leaseExpiresAt" IS NULL OR a."leaseExpiresAt" < now())
     ORDER BY a."nextSyncAt" LIMIT $1
  ), due AS (
    SELECT a.id, a."userId", COALESCE(a."serverAddress", a.host) AS server,
           a."syncRequested" AS requested, a."nextSyncAt"
      FROM pop3_accounts AS a
     WHERE a."leaseExpiresAt" IS NULL AND NOT a.disabled AND a.status NOT IN ${STOPPED}
       AND a."nextSyncAt" <= now() AND ${SWITCHED_ON}
     ORDER BY a."nextSyncAt" LIMIT $1
  ), expired AS (
    SELECT a.id, a."userId", COALESCE(a."serverAddress", a.host) AS server,
           a."syncRequested" AS requested, a."nextSyncAt"
      FROM pop3_accounts AS a
     WHERE a."leaseExpiresAt" < now() AND ${SWITCHED_ON}
       AND (a."syncRequested" OR (a."nextSyncAt" <= now() AND a.status NOT IN ${STOPPED}))
     ORDER BY a."leaseExpiresAt" LIMIT $1
  )
  SELECT * FROM requested UNION ALL SELECT * FROM due UNION ALL SELECT * FROM expired`;

/** The advisory lock key of a server's sessions (claims and admissions count them under it). */
export const serverKey = (server: string) => `popgate.server:${server}`;
const userKey = (userId: string) => `popgate.user:${userId}`;

/**
 * Takes these transaction-scoped advisory locks, in one order for everyone (so two claims never
 * wait on each other in a circle): two claims count the sessions of one server or one user in
 * turn, while claims for other servers and users go on at once.
 */
export async function lockClaimKeys(client: pg.ClientBase, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await client.query(
    `SELECT pg_advisory_xact_lock(hashtextextended(k, 0))
       FROM (SELECT DISTINCT unnest($1::text[]) COLLATE "C" AS k ORDER BY 1) AS sorted`,
    [keys],
  );
}

/**
 * Claims due accounts for `owner`: "check now" requests first, then by due time, within the caps
 * per server and per user across all processes. No global lock and no scan of every account:
 * candidates come from partial indexes, the sessions already running are counted only for the
 * candidates' servers and users under their advisory locks, and the rows taken are locked with
 * FOR UPDATE SKIP LOCKED (two processes never claim one account).
 */
export async function claimDueAccounts(
  prisma: Db,
  owner: string,
  limits: ClaimLimits,
): Promise<ClaimedAccount[]> {
  if (limits.limit <= 0) return [];
  const perUser = limits.perUser ?? Infinity;
  // Room to pass over candidates whose server or user is at its cap.
  const look = limits.limit * 2 + 8;
  return inTransaction(poolOf(prisma), async (client) => {
    const { rows } = await client.query<Candidate>({
      text: CLAIM_CANDIDATES_SQL,
      values: [look],
      types: utcTimestamps,
    });
    if (rows.length === 0) return [];
    const byId = new Map<string, Candidate>();
    for (const row of rows) {
      const seen = byId.get(row.id);
      if (seen) seen.requested ||= row.requested;
      else byId.set(row.id, row);
    }
    const candidates = [...byId.values()].sort(
      (a, b) =>
        Number(b.requested) - Number(a.requested) ||
        a.nextSyncAt.getTime() - b.nextSyncAt.getTime(),
    );
    const servers = [...new Set(candidates.map((c) => c.server))];
    const users = [...new Set(candidates.map((c) => c.userId))];
    // Claims that share a candidate share its server's key: they take turns from here on, so the
    // counts below are not raced, and rows a claim takes are committed before the next looks.
    await lockClaimKeys(client, [...servers.map(serverKey), ...users.map(userKey)]);
    // Still free (another claim may have taken some while this one waited), and locked until
    // commit; a row someone else is writing (a user's change) is passed over, not waited for.
    const free = await client.query<{ id: string }>(
      `SELECT id FROM pop3_accounts
        WHERE id = ANY($1::uuid[]) AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < now())
          AND ("syncRequested" OR "nextSyncAt" <= now())
          FOR UPDATE SKIP LOCKED`,
      [candidates.map((c) => c.id)],
    );
    const claimable = new Set(free.rows.map((row) => row.id));
    const busy = await client.query<{ kind: 's' | 'u'; key: string; sessions: number }>(
      `SELECT 's' AS kind, COALESCE("serverAddress", host) AS key, count(*)::int AS sessions
         FROM pop3_accounts
        WHERE "leaseExpiresAt" > now() AND COALESCE("serverAddress", host) = ANY($1::text[])
        GROUP BY 2
       UNION ALL
       SELECT 'u', "userId"::text, count(*)::int
         FROM pop3_accounts
        WHERE "leaseExpiresAt" > now() AND "userId" = ANY($2::uuid[])
        GROUP BY 2`,
      [servers, users],
    );
    const caps = await serverSessionCaps(client, servers, {
      min: limits.perHost,
      accountsPerSession: limits.accountsPerHostSession,
    });
    const serverSessions = new Map<string, number>();
    const userSessions = new Map<string, number>();
    for (const row of busy.rows)
      (row.kind === 's' ? serverSessions : userSessions).set(row.key, row.sessions);
    const chosen: Candidate[] = [];
    for (const candidate of candidates) {
      if (chosen.length >= limits.limit) break;
      if (!claimable.has(candidate.id)) continue;
      const onServer = serverSessions.get(candidate.server) ?? 0;
      const ofUser = userSessions.get(candidate.userId) ?? 0;
      if (onServer >= (caps.get(candidate.server) ?? limits.perHost) || ofUser >= perUser) continue;
      serverSessions.set(candidate.server, onServer + 1);
      userSessions.set(candidate.userId, ofUser + 1);
      chosen.push(candidate);
    }
    if (chosen.length === 0) return [];
    const claimed = await client.query<{ id: string; userId: string; host: string; token: string }>(
      `UPDATE pop3_accounts
          SET "leaseOwner" = $2,
              "leaseExpiresAt" = now() + make_interval(secs => $3),
              "syncRequested" = false,
              "leaseToken" = "leaseToken" + 1
        WHERE id = ANY($1::uuid[])
       RETURNING id, "userId", host, "leaseToken" AS token`,
      [chosen.map((c) => c.id), owner, limits.leaseSeconds],
    );
    const order = new Map(chosen.map((c, index) => [c.id, index]));
    return claimed.rows
      .sort((a, b) => order.get(a.id)! - order.get(b.id)!)
      .map((row) => ({
        id: row.id,
        userId: row.userId,
        host: row.host,
        server: byId.get(row.id)!.server,
        requested: byId.get(row.id)!.requested,
        token: BigInt(row.token),
        dueAt: byId.get(row.id)!.nextSyncAt,
      }));
  });
}
