import type pg from 'pg';
import { poolOf, type Db } from '../db/prisma';
import { inTransaction } from '../db/transaction';
import { lockClaimKeys, serverKey } from './claim';
import { serverSessionCaps, type HostSessionRule } from './host-sessions';
import type { Prisma } from '../generated/prisma/client';
import { LeaseLostError, type SessionLease } from './session-lease';

/**
 * Sync jobs are leased through PostgreSQL: a process claims due accounts (claim.ts), renews the
 * lease while it works, and a dead process's lease expires. Each claim increments the account's
 * fencing token; the session's writes carry it (updateLeasedAccount, fenceTransaction), so a
 * process held up past its lease writes nothing once another took over.
 */
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
  account: { id: string; host: string; token: bigint; requested: boolean },
  address: string,
  /** The environment's rule (host-sessions.ts: the admin policy's wins). */
  fallback: HostSessionRule,
): Promise<boolean> {
  return inTransaction(poolOf(prisma), async (client) => {
    // The lock claims take for this server: the count is not raced by a claim or an admission.
    await lockClaimKeys(client, [serverKey(address)]);
    const { rows } = await client.query<{ sessions: number }>(
      `SELECT count(*)::int AS sessions FROM pop3_accounts
        WHERE COALESCE("serverAddress", host) = $1 AND "serverAddress" = $1
          AND "leaseExpiresAt" > now() AND id <> $2::uuid`,
      [address, account.id],
    );
    const caps = await serverSessionCaps(client, [address], fallback, account.host);
    const perAddress = caps.get(address) ?? fallback.min;
    const admitted = (rows[0]?.sessions ?? 0) < perAddress;
    if (admitted) {
      await client.query('UPDATE pop3_accounts SET "serverAddress" = $1 WHERE id = $2::uuid', [
        address,
        account.id,
      ]);
    } else {
      await client.query(
        `UPDATE pop3_accounts
            SET "serverAddress" = $1,
                "syncRequested" = "syncRequested" OR $3,
                "leaseOwner" = NULL, "leaseExpiresAt" = NULL
          WHERE id = $2::uuid AND "leaseToken" = $4`,
        [address, account.id, account.requested, account.token.toString()],
      );
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

/**
 * Extends a lease this process holds; false when it was lost (expired and taken by another) or
 * let go already (a renewal that arrives after the session's end does not take the account again).
 */
export async function renewLease(
  prisma: Db,
  lease: { accountId: string; token: bigint },
  leaseSeconds: number,
): Promise<boolean> {
  const renewed = await prisma.$executeRaw`
    UPDATE pop3_accounts SET "leaseExpiresAt" = now() + make_interval(secs => ${leaseSeconds})
     WHERE id = ${lease.accountId}::uuid AND "leaseToken" = ${lease.token}
       AND "leaseExpiresAt" IS NOT NULL`;
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
