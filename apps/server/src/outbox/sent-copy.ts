import type { MessageListItem } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import { parseMessage } from '../mail/parse-message';
import { toListItem } from '../messages/columns';
import { storeMessages } from '../messages/store';

/** The UIDL of a sent message's copy: a space never occurs in a real UIDL. */
export const sentUidl = (outboxId: string) => `sent ${outboxId}`;

/**
 * Stores what was sent as a message of the identity's account, origin sent (raw bytes, parsed,
 * searchable, like a download). Idempotent: (account, "sent <outbox id>") is stored once, so a
 * second call after a crash writes nothing and answers the same message. Its presence is the
 * proof the server accepted the message (it is stored only after the 250).
 */
export async function storeSentCopy(
  prisma: Db,
  item: { id: string; userId: string },
  accountId: string,
  raw: Buffer,
  sentAt: Date,
): Promise<{ id: string; listItem: MessageListItem | null }> {
  const parsed = await parseMessage(raw);
  const [stored] = await storeMessages(prisma, [
    {
      message: {
        accountId,
        userId: item.userId,
        uidl: sentUidl(item.id),
        listedSize: raw.length,
        raw,
        headersOnly: false,
        receivedAt: sentAt,
        origin: 'sent',
      },
      parsed,
    },
  ]);
  return {
    id: stored!.id,
    // What one sent oneself is read.
    listItem: stored!.row ? { ...toListItem(stored!.row), seen: true } : null,
  };
}
