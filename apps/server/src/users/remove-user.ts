import type { Db } from '../db/prisma';
import { conflict, notFound } from '../domain-errors';
import { removeUnreferencedSources } from '../messages/sources';

/** Who removes the user: they themselves, or an admin. */
export type RemovedBy = 'self' | 'admin';

/** What went with a removed user, for the audit entry that says it happened. */
export interface RemovedUser {
  accounts: number;
  messages: number;
}

/** Locks the count of admins (the same lock sign-up and the admin's role changes take). */
const ADMIN_COUNT_LOCK = 7270701;

/**
 * Removes a user and everything of theirs: sessions, accounts (so a running POP3 session of theirs
 * is ended by the scheduler, which finds its account gone, without QUIT), messages, attachments,
 * conversations, drafts, outbox, events, identities, OAuth grants (all by cascade), then the raw
 * bytes no other message shares, their sign-in attempts, and their traces in the audit log: rows
 * they made or that name them keep the action and the time but lose who, from where and what.
 * The last admin cannot go (someone must be able to manage the others).
 */
export async function removeUser(
  prisma: Db,
  userId: string,
  log: { warn(obj: object, msg?: string): void },
): Promise<RemovedUser> {
  const user = await prisma.user.findUnique({
    where: { id: userId },
    select: { email: true, role: true },
  });
  if (!user) throw notFound('No such user');
  const [accounts, identities, messages, sources] = await Promise.all([
    prisma.pop3Account.findMany({ where: { userId }, select: { id: true } }),
    prisma.identity.findMany({ where: { userId }, select: { id: true } }),
    prisma.message.count({ where: { userId } }),
    prisma.$queryRaw<Array<{ sha: string }>>`
      SELECT DISTINCT "sourceSha256" AS sha FROM messages
       WHERE "userId" = ${userId}::uuid AND "sourceSha256" IS NOT NULL`,
  ]);
  await prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMIN_COUNT_LOCK})`;
      if (user.role === 'admin') {
        const others = await tx.user.count({
          where: { role: 'admin', disabled: false, id: { not: userId } },
        });
        if (others === 0)
          throw conflict('LAST_ADMIN', 'This is the last admin: make someone else admin first');
      }
      await tx.user.delete({ where: { id: userId } });
    },
    { timeout: 600_000 },
  );

  const email = user.email.toLowerCase();
  await prisma.loginAttempt.deleteMany({
    where: { OR: [{ key: { endsWith: `:${email}` } }, { key: { contains: userId } }] },
  });
  // Keep that something happened and when; drop who it was, where from and what it named.
  const theirs = [userId, ...accounts.map((a) => a.id), ...identities.map((i) => i.id)];
  await prisma.$executeRaw`
    UPDATE audit_log
       SET "actorUserId" = CASE WHEN "actorUserId" = ${userId}::uuid OR lower("actorEmail") = ${email}
                                THEN NULL ELSE "actorUserId" END,
           "actorEmail" = CASE WHEN "actorUserId" = ${userId}::uuid OR lower("actorEmail") = ${email}
                               THEN NULL ELSE "actorEmail" END,
           ip = CASE WHEN "actorUserId" = ${userId}::uuid THEN NULL ELSE ip END,
           "userAgent" = CASE WHEN "actorUserId" = ${userId}::uuid THEN NULL ELSE "userAgent" END,
           "targetId" = CASE WHEN "targetId" = ANY(${theirs}::text[]) THEN NULL ELSE "targetId" END,
           details = '{}'
     WHERE "actorUserId" = ${userId}::uuid
        OR lower("actorEmail") = ${email}
        OR "targetId" = ANY(${theirs}::text[])
        OR strpos(lower(details::text), ${email}) > 0`;
  try {
    await removeUnreferencedSources(
      prisma,
      sources.map((s) => s.sha),
    );
  } catch (error) {
    // Bytes another user's sync stores at this moment stay theirs; housekeeping takes the rest.
    log.warn({ err: error, userId }, 'could not remove the raw messages of a removed user');
  }
  return { accounts: accounts.length, messages };
}
