import type { Db } from '../db/prisma';
import { addressKey, isMailboxAddress } from '../mail/compose-address';

/**
 * The user's own addresses, lower-cased: every identity's address and every linked account's
 * username that is an address. Reply all leaves them out.
 */
export async function ownAddresses(
  prisma: Pick<Db, 'identity' | 'pop3Account'>,
  userId: string,
): Promise<Set<string>> {
  const [identities, accounts] = await Promise.all([
    prisma.identity.findMany({ where: { userId }, select: { address: true } }),
    prisma.pop3Account.findMany({ where: { userId }, select: { username: true } }),
  ]);
  return new Set(
    [...identities.map((i) => i.address), ...accounts.map((a) => a.username)]
      .filter((address) => isMailboxAddress(address.trim()))
      .map(addressKey),
  );
}
