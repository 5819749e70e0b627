import type { Db } from '../db/prisma';
import { ACTIVE_POLL_SECONDS } from './account-sync';

/**
 * Marks a user as having the app open for `seconds` (the websocket heartbeat calls this), and
 * brings their accounts' next check forward to the active interval.
 */
export async function markUserActive(prisma: Db, userId: string, seconds: number): Promise<void> {
  await prisma.user.update({
    where: { id: userId },
    data: { activeUntil: new Date(Date.now() + seconds * 1000) },
  });
  // Never sooner than the server's LOGIN-DELAY (kept in the capability snapshot).
  await prisma.$executeRaw`
    WITH due AS (
      SELECT id, COALESCE("lastSyncAt", now()) + make_interval(secs => GREATEST(
               ${ACTIVE_POLL_SECONDS}::int,
               COALESCE((capabilities->>'loginDelaySeconds')::int, 0))) AS at
        FROM pop3_accounts WHERE "userId" = ${userId}::uuid)
    UPDATE pop3_accounts AS a
       SET "nextSyncAt" = GREATEST(due.at, now())
      FROM due
     WHERE a.id = due.id AND a."nextSyncAt" > due.at`;
}

/** Asks for an immediate check of one account ("check now"); any process may pick it up. */
export async function requestSync(prisma: Db, accountId: string): Promise<void> {
  await prisma.pop3Account.update({ where: { id: accountId }, data: { syncRequested: true } });
}
