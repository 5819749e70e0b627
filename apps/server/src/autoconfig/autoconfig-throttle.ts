import type { Db } from '../db/prisma';
import { rateLimited } from '../domain-errors';
import { takeAllowance } from '../limits/allowance';

/** Lookups a user may make per minute: each can fetch documents and resolve names elsewhere. */
export const AUTOCONFIG_LOOKUPS_PER_MINUTE = 20;

/** Takes one lookup from the user's allowance (across every Popgate process), or throws rateLimited. */
export async function takeAutoconfigLookup(prisma: Db, userId: string): Promise<void> {
  const wait = await takeAllowance(
    prisma,
    `autoconfig:${userId}`,
    AUTOCONFIG_LOOKUPS_PER_MINUTE,
    60_000,
  );
  if (wait > 0) throw rateLimited('Too many settings lookups in a minute', wait);
}
