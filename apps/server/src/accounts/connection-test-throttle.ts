import type { Db } from '../db/prisma';

/** Connection tests a user may run per minute: enough to fix a typo, too few to scan a network. */
export const CONNECTION_TESTS_PER_MINUTE = 10;
const WINDOW_MS = 60_000;

/**
 * Takes one connection test from the user's allowance, across every Popgate process (counted in
 * the login_attempts table under a key of its own). Returns 0 when the test may run, otherwise
 * the seconds to wait.
 */
export async function takeConnectionTest(prisma: Db, userId: string): Promise<number> {
  const key = `account-test:${userId}`;
  const now = Date.now();
  const windowStart = new Date(now - WINDOW_MS);
  const mine = await prisma.loginAttempt.create({
    data: { key, succeeded: true, at: new Date(now) },
    select: { id: true },
  });
  // Counting after inserting: two simultaneous requests can both be refused, never both let in.
  const inWindow = await prisma.loginAttempt.findMany({
    where: { key, at: { gt: windowStart }, id: { lte: mine.id } },
    orderBy: { at: 'asc' },
    select: { at: true },
  });
  if (inWindow.length <= CONNECTION_TESTS_PER_MINUTE) {
    await prisma.loginAttempt.deleteMany({ where: { key, at: { lte: windowStart } } });
    return 0;
  }
  await prisma.loginAttempt.delete({ where: { id: mine.id } });
  const oldest = inWindow[0]!.at.getTime();
  return Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000));
}
