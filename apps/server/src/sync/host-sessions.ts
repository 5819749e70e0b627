import type pg from 'pg';

/** A claim's transaction, or the pool for a reading outside one. */
type Queryable = pg.ClientBase | pg.Pool;

/**
 * How many POP3 sessions, across every process, one server address may have at once. The admin
 * policy decides; the operator's environment (POPGATE_SYNC_SESSIONS_PER_HOST,
 * POPGATE_SYNC_ACCOUNTS_PER_HOST_SESSION) fills what the policy leaves unset. The claim and the
 * admission of a dialled address both ask `serverSessionCaps`: the one place the value is decided.
 */
export interface HostSessionRule {
  /** Sessions every server gets, however few its accounts. */
  min: number;
  /** One more session for each this many accounts at the address (undefined: `min` is the cap). */
  accountsPerSession?: number | undefined;
}

/** The admin's cap for one host name: it replaces the rule at every address the name resolves to. */
export interface HostSessionLimit {
  host: string;
  sessions: number;
}

/**
 * The limits a new policy starts with (the column default of policy.hostSessionLimits, migration
 * sync_host_session_policy; a test holds the two together). Neither provider documents a cap per
 * client address for POP3. Gmail documents a limit of simultaneous connections per account (Gmail
 * Help, "Too many simultaneous connections", answer 97150: IMAP, per account). Exchange documents
 * "Maximum connections from a single user" (16 by default) and from a single IP address (no limit
 * by default: 2,147,483,647), learn.microsoft.com/exchange/set-connection-limits-for-pop3-exchange-
 * 2013-help. Each Popgate session is a different user, so the per-account limits never bind; with
 * nothing documented per address, 50 is a conservative choice that still keeps about 12,000
 * accounts at one address fresh at a 5-minute interval from 100 ms away (about 1.2 s a session),
 * and the admin can raise it. Both names resolve to many addresses, each
 * of which gets this cap.
 */
export const PROVIDER_SESSION_LIMITS: readonly HostSessionLimit[] = [
  { host: 'pop.gmail.com', sessions: 50 },
  { host: 'outlook.office365.com', sessions: 50 },
];

/** The policy's columns for the rule; null fields fall back to the environment's. */
export interface HostSessionPolicy {
  syncSessionsPerHost: number | null;
  syncAccountsPerHostSession: number | null;
}

/** The rule in force: the policy's fields where set, the environment's otherwise. */
export function effectiveHostRule(
  policy: HostSessionPolicy | undefined,
  fallback: HostSessionRule,
): HostSessionRule {
  return {
    min: policy?.syncSessionsPerHost ?? fallback.min,
    accountsPerSession: policy?.syncAccountsPerHostSession ?? fallback.accountsPerSession,
  };
}

/**
 * Sessions allowed at one address: the admin's limit for a host name that resolves there, else the
 * rule: the minimum, or one for each `accountsPerSession` of its accounts when that is more (5,000
 * accounts at one provider, polled every 5 minutes from 100 ms away, need about 20 at once).
 */
export function sessionsAllowed(
  rule: HostSessionRule,
  accounts: number,
  hostLimit: number | null,
): number {
  if (hostLimit !== null) return hostLimit;
  return rule.accountsPerSession
    ? Math.max(rule.min, Math.ceil(accounts / rule.accountsPerSession))
    : rule.min;
}

/**
 * The session cap of each of these servers (an address dialled, or a host name before its first
 * session), read in one statement with the policy: its accounts are counted on the index
 * pop3_accounts_server_host_idx, and a host limit applies when one of the server's accounts has
 * that host name (one index probe per limit), or when `dialling` (the host name of an account
 * about to dial the server) has it.
 */
export async function serverSessionCaps(
  client: Queryable,
  servers: string[],
  fallback: HostSessionRule,
  dialling?: string,
): Promise<Map<string, number>> {
  const caps = new Map<string, number>();
  if (servers.length === 0) return caps;
  const { rows } = await client.query<
    HostSessionPolicy & { server: string; accounts: number; hostLimit: number | null }
  >(
    `WITH p AS (
       SELECT "syncSessionsPerHost", "syncAccountsPerHostSession", "hostSessionLimits"
         FROM policy WHERE id = 1
     ), limits AS (
       SELECT lower(l.host) AS host, l.sessions
         FROM p, jsonb_to_recordset(p."hostSessionLimits") AS l(host text, sessions int)
     )
     SELECT s.server,
            (SELECT "syncSessionsPerHost" FROM p) AS "syncSessionsPerHost",
            (SELECT "syncAccountsPerHostSession" FROM p) AS "syncAccountsPerHostSession",
            -- Counted only when a rule grows with accounts: it is most of this statement's cost.
            CASE WHEN COALESCE((SELECT "syncAccountsPerHostSession" FROM p), $3::int) IS NOT NULL
                 THEN (SELECT count(*)::int FROM pop3_accounts AS a
                        WHERE COALESCE(a."serverAddress", a.host) = s.server AND NOT a.disabled)
                 ELSE 0 END AS accounts,
            -- A probe of (address, host name) for each limit: a scalar subquery, since as EXISTS
            -- the planner reads every account of the server to join them.
            (SELECT min(l.sessions)::int FROM limits AS l
              WHERE l.host = $2 OR (
                SELECT true FROM pop3_accounts AS a
                 WHERE COALESCE(a."serverAddress", a.host) = s.server AND a.host = l.host
                   AND NOT a.disabled LIMIT 1)) AS "hostLimit"
       FROM unnest($1::text[]) AS s(server)`,
    [servers, dialling?.toLowerCase() ?? null, fallback.accountsPerSession ?? null],
  );
  for (const row of rows) {
    const rule = effectiveHostRule(row, fallback);
    caps.set(row.server, sessionsAllowed(rule, row.accounts, row.hostLimit));
  }
  return caps;
}

/**
 * Sessions running now at each server, across every process (leases held), with the cap in
 * force there: busiest first, at most `limit` servers.
 */
export async function serversInUse(
  client: Queryable,
  fallback: HostSessionRule,
  limit = 50,
): Promise<Array<{ server: string; sessions: number; cap: number }>> {
  const { rows } = await client.query<{ server: string; sessions: number }>(
    `SELECT COALESCE("serverAddress", host) AS server, count(*)::int AS sessions
       FROM pop3_accounts WHERE "leaseExpiresAt" > now()
      GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT $1`,
    [limit],
  );
  const caps = await serverSessionCaps(
    client,
    rows.map((row) => row.server),
    fallback,
  );
  return rows.map((row) => ({ ...row, cap: caps.get(row.server) ?? fallback.min }));
}
