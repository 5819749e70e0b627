import type { Db } from '../db/prisma';

/**
 * Takes one use of an allowance of `limit` uses per `windowMs` under `key`, counted in the
 * database so that every Popgate process shares it. Returns 0 when the use may go ahead,
 * otherwise the seconds to wait.
 *
 * The use is recorded before counting: of simultaneous requests some may be refused, but never
 * more than the limit let in.
 */
export async function takeAllowance(
  prisma: Db,
  key: string,
  limit: number,
  windowMs: number,
): Promise<number> {
  const now = Date.now();
  const windowStart = new Date(now - windowMs);
  const mine = await prisma.loginAttempt.create({
    data: { key, succeeded: true, at: new Date(now) },
    select: { id: true },
  });
  const inWindow = await prisma.loginAttempt.findMany({
    where: { key, at: { gt: windowStart }, id: { lte: mine.id } },
    orderBy: { at: 'asc' },
    select: { at: true },
  });
  if (inWindow.length <= limit) {
    await prisma.loginAttempt.deleteMany({ where: { key, at: { lte: windowStart } } });
    return 0;
  }
  await prisma.loginAttempt.delete({ where: { id: mine.id } });
  const oldest = inWindow[0]!.at.getTime();
  return Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
}
