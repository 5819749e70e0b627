import type { Db } from '../db/prisma';
import { loadPolicy } from '../accounts/account-policy-check';
import { nextSyncDelaySeconds } from './next-sync';

/**
 * Marks a user as having the app open for `seconds` (the websocket heartbeat calls this), and
 * brings their accounts' next check forward to the interval while the app is open, computed by
 * the same rule as after a sync (nextSyncDelaySeconds): never sooner than the account's own
 * interval when the user chose a slower one than the default, the admin's minimum or the
 * server's LOGIN-DELAY (kept in the capability snapshot).
 */
export async function markUserActive(prisma: Db, userId: string, seconds: number): Promise<void> {
  await prisma.user.update({
    where: { id: userId },
    data: { activeUntil: new Date(Date.now() + seconds * 1000) },
  });
  const [policy, accounts] = await Promise.all([
    loadPolicy(prisma),
    prisma.pop3Account.findMany({
      where: { userId },
      select: { id: true, lastSyncAt: true, pollSeconds: true, capabilities: true },
    }),
  ]);
  const now = Date.now();
  await Promise.all(
    accounts.map((account) => {
      const delay = nextSyncDelaySeconds(
        {
          pollSeconds: account.pollSeconds,
          minPollSeconds: policy.minPollSeconds,
          loginDelaySeconds: loginDelayOf(account.capabilities),
        },
        { ok: true },
        true,
      )!;
      const due = new Date(Math.max((account.lastSyncAt?.getTime() ?? now) + delay * 1000, now));
      // Only ever earlier: a check already planned sooner stays where it is.
      return prisma.pop3Account.updateMany({
        where: { id: account.id, nextSyncAt: { gt: due } },
        data: { nextSyncAt: due },
      });
    }),
  );
}

function loginDelayOf(capabilities: unknown): number | null {
  const value = (capabilities as { loginDelaySeconds?: unknown } | null)?.loginDelaySeconds;
  return typeof value === 'number' ? value : null;
}

/** Asks for an immediate check of one account ("check now"); any process may pick it up. */
export async function requestSync(prisma: Db, accountId: string): Promise<void> {
  await prisma.pop3Account.update({ where: { id: accountId }, data: { syncRequested: true } });
}
