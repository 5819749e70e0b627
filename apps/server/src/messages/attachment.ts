import { storedBytes } from '../db/bytes';
import type { Db } from '../db/prisma';
import { notFound } from '../domain-errors';

export interface StoredAttachment {
  filename: string | null;
  contentType: string;
  content: Buffer;
}

/** An attachment of one of the caller's messages, with its bytes; not found otherwise. */
export async function ownedAttachment(
  prisma: Db,
  userId: string,
  messageId: string,
  attachmentId: string,
): Promise<StoredAttachment> {
  const attachment = await prisma.attachment.findFirst({
    where: { id: attachmentId, messageId, message: { userId } },
    select: { filename: true, contentType: true, content: true },
  });
  if (!attachment) throw notFound('No such attachment');
  return { ...attachment, content: storedBytes(attachment.content) };
}
