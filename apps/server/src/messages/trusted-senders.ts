import type { TrustedSenderOut } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import { conflict } from '../domain-errors';
import { ownedMessage } from './owned';

/** The address a trusted-sender entry is kept under. */
export const senderKey = (address: string) => address.trim().toLowerCase();

/** Whether the user always wants remote images from this From address shown. */
export async function isSenderTrusted(prisma: Db, userId: string, fromAddress: string) {
  const address = senderKey(fromAddress);
  return (
    address !== '' &&
    (await prisma.trustedSender.findUnique({
      where: { userId_address: { userId, address } },
      select: { address: true },
    })) !== null
  );
}

/**
 * "Always show images from this sender": trusts the From address of one of the caller's messages
 * (for all of their messages from it), or stops trusting it.
 */
export async function trustSenderOf(
  prisma: Db,
  userId: string,
  messageId: string,
  trusted: boolean,
): Promise<TrustedSenderOut> {
  const message = await ownedMessage(prisma, userId, messageId, { fromAddress: true });
  const address = senderKey(message.fromAddress);
  if (!address) throw conflict('NO_SENDER', 'This message has no sender address');
  if (trusted) {
    await prisma.trustedSender.upsert({
      where: { userId_address: { userId, address } },
      create: { userId, address },
      update: {},
    });
  } else {
    await prisma.trustedSender.deleteMany({ where: { userId, address } });
  }
  return { address, trusted };
}
