import type { Db } from '../db/prisma';

/*
 * The raw bytes of messages (message_sources) are content-addressed and may be shared between
 * messages of several accounts, so they go only once nothing refers to them.
 */

/** The raw bytes an account's messages point to, to remove after the account. */
export async function sourcesOfAccount(prisma: Db, accountId: string): Promise<string[]> {
  const sources = await prisma.message.findMany({
    where: { accountId, sourceSha256: { not: null } },
    select: { sourceSha256: true },
    distinct: ['sourceSha256'],
  });
  return sources.map((s) => s.sourceSha256!);
}

/** Removes those of the given raw bytes that no message points to any more. */
export async function removeUnreferencedSources(prisma: Db, shas: string[]): Promise<void> {
  for (let i = 0; i < shas.length; i += 1000) {
    await prisma.messageSource.deleteMany({
      where: { sha256: { in: shas.slice(i, i + 1000) }, messages: { none: {} } },
    });
  }
}

/**
 * Removes raw bytes that no message has pointed to for an hour (left when removing an account's
 * failed); answers how many. Bytes stored by a sync that is still committing are referenced in
 * the same transaction, and the foreign key refuses to delete a referenced source, so this never
 * takes live mail.
 */
export async function removeOrphanSources(prisma: Db): Promise<number> {
  return prisma.$executeRaw`
    DELETE FROM message_sources s
     WHERE s."createdAt" < now() - interval '1 hour'
       AND NOT EXISTS (SELECT 1 FROM messages m WHERE m."sourceSha256" = s.sha256)`;
}
