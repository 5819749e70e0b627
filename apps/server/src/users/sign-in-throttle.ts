import type { Db } from '../db/prisma';

/**
 * Limits on guessing passwords, counted in the database across every Popgate process:
 * - an address (IP) with too many failures is locked out for the rest of the window, whoever it
 *   tries to sign in as;
 * - a user with failures from anywhere makes each further try wait a little longer, but never
 *   long: an attacker who knows an address can slow its owner down, not lock them out. A browser
 *   the user has signed in from before (a known device) is not slowed down at all.
 */
export const SIGN_IN_LIMITS = {
  windowMs: 15 * 60 * 1000,
  failuresPerAddress: 20,
  freeFailuresPerUser: 5,
  firstDelaySeconds: 5,
  maxDelaySeconds: 60,
} as const;

export interface SignInAttempt {
  ip: string;
  email: string;
  knownDevice: boolean;
}

/** A reserved sign-in attempt: counted as a failure until it is settled as a success. */
export interface SignInTicket {
  ids: bigint[];
  emailKey: string;
}

const keys = (ip: string, email: string) => ({
  ip: `ip:${ip}`,
  email: `email:${email.toLowerCase()}`,
});

/** The delay a user's next sign-in waits after `failures` recent failures. */
export function userDelaySeconds(failures: number): number {
  const over = failures - SIGN_IN_LIMITS.freeFailuresPerUser;
  if (over < 0) return 0;
  return Math.min(SIGN_IN_LIMITS.firstDelaySeconds * 2 ** over, SIGN_IN_LIMITS.maxDelaySeconds);
}

/**
 * Reserves one sign-in attempt before the password is checked, so that simultaneous guesses
 * count against each other: each is recorded first and then compares itself with what was
 * recorded before it. Answers the ticket to settle, or the seconds to wait (nothing recorded).
 */
export async function reserveSignIn(
  prisma: Db,
  attempt: SignInAttempt,
): Promise<{ ticket: SignInTicket } | { waitSeconds: number }> {
  const now = Date.now();
  const key = keys(attempt.ip, attempt.email);
  const reserved = await prisma.loginAttempt.createManyAndReturn({
    data: [
      { key: key.ip, succeeded: false, at: new Date(now) },
      { key: key.email, succeeded: false, at: new Date(now) },
    ],
    select: { id: true, key: true },
  });
  const idOf = (k: string) => reserved.find((row) => row.key === k)!.id;
  const since = new Date(now - SIGN_IN_LIMITS.windowMs);
  const [ipFailures, userFailures] = await Promise.all([
    prisma.loginAttempt.findMany({
      where: { key: key.ip, succeeded: false, at: { gt: since }, id: { lt: idOf(key.ip) } },
      orderBy: { id: 'desc' },
      take: SIGN_IN_LIMITS.failuresPerAddress,
      select: { at: true },
    }),
    prisma.loginAttempt.aggregate({
      where: { key: key.email, succeeded: false, at: { gt: since }, id: { lt: idOf(key.email) } },
      _count: { _all: true },
      _max: { at: true },
    }),
  ]);
  let waitMs = 0;
  if (ipFailures.length >= SIGN_IN_LIMITS.failuresPerAddress) {
    const oldest = ipFailures[ipFailures.length - 1]!.at.getTime();
    waitMs = oldest + SIGN_IN_LIMITS.windowMs - now;
  }
  const latest = userFailures._max.at?.getTime();
  if (!attempt.knownDevice && latest !== undefined) {
    const delay = userDelaySeconds(userFailures._count._all) * 1000;
    waitMs = Math.max(waitMs, latest + delay - now);
  }
  const ids = reserved.map((row) => row.id);
  if (waitMs > 0) {
    // A refused try is no guess: it must not lengthen anyone's wait.
    await prisma.loginAttempt.deleteMany({ where: { id: { in: ids } } });
    return { waitSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
  return { ticket: { ids, emailKey: key.email } };
}

/** Settles a reserved attempt. A success clears that user's failures (not the address's). */
export async function settleSignIn(
  prisma: Db,
  ticket: SignInTicket,
  succeeded: boolean,
): Promise<void> {
  if (!succeeded) return;
  await prisma.loginAttempt.updateMany({
    where: { id: { in: ticket.ids } },
    data: { succeeded: true },
  });
  await prisma.loginAttempt.deleteMany({ where: { key: ticket.emailKey, succeeded: false } });
}
