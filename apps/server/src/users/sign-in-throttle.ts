import type { Db } from '../db/prisma';

/**
 * Failed sign-ins are counted per address and per account (across every Popgate process, in
 * the database). Past the limit, sign-in is refused with how long to wait.
 */
const WINDOW_MS = 15 * 60 * 1000;
const LIMITS = { ip: 20, email: 5 } as const;

const keys = (ip: string, email: string) => ({
  ip: `ip:${ip}`,
  email: `email:${email.toLowerCase()}`,
});

/** Seconds to wait before trying again, or 0 when a sign-in may be attempted now. */
export async function signInWaitSeconds(prisma: Db, ip: string, email: string): Promise<number> {
  const since = new Date(Date.now() - WINDOW_MS);
  let wait = 0;
  for (const [kind, key] of Object.entries(keys(ip, email)) as Array<
    [keyof typeof LIMITS, string]
  >) {
    const failures = await prisma.loginAttempt.findMany({
      where: { key, succeeded: false, at: { gt: since } },
      orderBy: { at: 'desc' },
      take: LIMITS[kind],
      select: { at: true },
    });
    if (failures.length >= LIMITS[kind]) {
      // Allowed again once the oldest of the last LIMIT failures leaves the window.
      const oldest = failures[failures.length - 1]!.at.getTime();
      wait = Math.max(wait, Math.ceil((oldest + WINDOW_MS - Date.now()) / 1000));
    }
  }
  return wait;
}

export async function recordSignIn(
  prisma: Db,
  ip: string,
  email: string,
  succeeded: boolean,
): Promise<void> {
  const { ip: ipKey, email: emailKey } = keys(ip, email);
  await prisma.loginAttempt.createMany({
    data: [
      { key: ipKey, succeeded },
      { key: emailKey, succeeded },
    ],
  });
  if (succeeded) {
    // A successful sign-in clears that account's failures (not the address's).
    await prisma.loginAttempt.deleteMany({ where: { key: emailKey, succeeded: false } });
  }
}
