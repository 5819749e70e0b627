import type { Db } from '../db/prisma';
import { takeAllowance } from '../limits/allowance';

/** Connection tests a user may run per minute: enough to fix a typo, too few to scan a network. */
export const CONNECTION_TESTS_PER_MINUTE = 10;

/**
 * Takes one connection test from the user's allowance, across every Popgate process. Returns 0
 * when the test may run, otherwise the seconds to wait.
 */
export function takeConnectionTest(prisma: Db, userId: string): Promise<number> {
  return takeAllowance(prisma, `account-test:${userId}`, CONNECTION_TESTS_PER_MINUTE, 60_000);
}
