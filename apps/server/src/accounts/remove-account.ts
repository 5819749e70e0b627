import type { Db } from '../db/prisma';
import { removeUnreferencedSources, sourcesOfAccount } from '../messages/sources';

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
  const shas = await sourcesOfAccount(prisma, accountId);
  await prisma.pop3Account.delete({ where: { id: accountId } });
  try {
    await removeUnreferencedSources(prisma, shas);
  } catch (error) {
    // A sync storing the same bytes for another account at this moment wins; the account and its
    // messages are gone either way, and bytes still referenced must stay.
    log.warn({ err: error, accountId }, 'could not remove the raw messages of a deleted account');
  }
}
