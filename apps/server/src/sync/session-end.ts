import { poolOf, type Db } from '../db/prisma';
import type { AccountStatus } from '../generated/prisma/enums';

/** How a session leaves its account: the one write of a check that found nothing to do. */
export interface SessionEnd {
  accountId: string;
  /** The lease's fencing token; null when the session held none (tests, tools): not fenced. */
  token: bigint | null;
  /** When the session ended (real time). */
  at: Date;
  status: AccountStatus;
  lastError: string | null;
  lastErrorCode: string | null;
  failureCount: number;
  /** The next check, whether the owner has the app open at the end or not (see nextDue). */
  nextDue: { ownerActive: Date; ownerAway: Date };
  /** The account's interval the due times were worked out from. */
  pollSeconds: number;
  listingDigest: string | null;
  /** The session is recorded as a sync_runs row: the unchanged-check count starts again. */
  recorded: boolean;
}

/**
 * One statement: releases the lease, sets the next due time, the status and the counters, and only
 * while the row still carries the session's token. The owner's presence is read as it stands at
 * the end (they may have opened the app during the check); an interval the user changed meanwhile
 * keeps whatever due time their change set, when that is sooner. False when nothing was written:
 * another process took the account over, or it was removed.
 */
export async function endSession(prisma: Db, end: SessionEnd): Promise<boolean> {
  const at = end.at.toISOString();
  const { rowCount } = await poolOf(prisma).query(
    `UPDATE pop3_accounts AS a
        SET "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
            "lastSyncAt" = $2::timestamptz AT TIME ZONE 'UTC',
            "updatedAt" = $2::timestamptz AT TIME ZONE 'UTC',
            status = $3::"AccountStatus", "lastError" = $4, "lastErrorCode" = $5,
            "failureCount" = $6,
            "nextSyncAt" = (
              SELECT CASE WHEN a."pollSeconds" = $9 THEN due ELSE LEAST(a."nextSyncAt", due) END
                FROM (SELECT CASE WHEN EXISTS (
                               SELECT 1 FROM users AS u
                                WHERE u.id = a."userId"
                                  AND u."activeUntil" > $2::timestamptz AT TIME ZONE 'UTC')
                             THEN $7::timestamptz ELSE $8::timestamptz END AT TIME ZONE 'UTC' AS due
                     ) AS next),
            "listingDigest" = $10,
            "unchangedPolls" = CASE WHEN $11 THEN 0 ELSE a."unchangedPolls" + 1 END,
            "unchangedSince" = CASE WHEN $11 THEN NULL
                                    ELSE COALESCE(a."unchangedSince", $2::timestamptz AT TIME ZONE 'UTC') END
      WHERE a.id = $1::uuid AND ($12::bigint IS NULL OR a."leaseToken" = $12::bigint)`,
    [
      end.accountId,
      at,
      end.status,
      end.lastError,
      end.lastErrorCode,
      end.failureCount,
      end.nextDue.ownerActive.toISOString(),
      end.nextDue.ownerAway.toISOString(),
      end.pollSeconds,
      end.listingDigest,
      end.recorded,
      end.token?.toString() ?? null,
    ],
  );
  return rowCount === 1;
}
