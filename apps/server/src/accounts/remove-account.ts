import type { Db } from '../db/prisma';

/**
 * Deletes an account with everything stored for it: its messages and attachments (by cascade),
 * then the raw message bytes no other message shares. The bytes are content-addressed and may
 * be shared with another account, so they go only once nothing refers to them.
 */
export async function removeAccount(
  prisma: Db,
  accountId: string,
  log: { warn(obj: object, msg?: string): void },
): Promise<void> {
  const sources = await prisma.message.findMany({
    where: { accountId, sourceSha256: { not: null } },
    select: { sourceSha256: true },
    distinct: ['sourceSha256'],
  });
  await prisma.pop3Account.delete({ where: { id: accountId } });
  const shas = sources.map((s) => s.sourceSha256!);
  try {
    for (let i = 0; i < shas.length; i += 1000) {
      await prisma.messageSource.deleteMany({
        where: { sha256: { in: shas.slice(i, i + 1000) }, messages: { none: {} } },
      });
    }
  } catch (error) {
    // A sync storing the same bytes for another account at this moment wins; the account and its
    // messages are gone either way, and bytes still referenced must stay.
    log.warn({ err: error, accountId }, 'could not remove the raw messages of a deleted account');
  }
}
