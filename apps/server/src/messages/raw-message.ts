import { storedBytes } from '../db/bytes';
import type { Db } from '../db/prisma';
import { notFound } from '../domain-errors';
import { ownedMessage } from './owned';

/** One of the caller's messages exactly as it was downloaded, with its subject to name it by. */
export async function rawMessage(
  prisma: Db,
  userId: string,
  id: string,
): Promise<{ subject: string; bytes: Buffer }> {
  const message = await ownedMessage(prisma, userId, id, {
    subject: true,
    source: { select: { bytes: true } },
  });
  if (!message.source) throw notFound('This message has no stored copy');
  return { subject: message.subject, bytes: storedBytes(message.source.bytes) };
}
