import { parseMessage } from '../../src/mail/parse-message';
import type { MessageToStore } from '../../src/messages/store';

/** Messages of one account as the sync hands them to the store, by UIDL, parsed, received now. */
export function storeBatch(
  accountId: string,
  userId: string,
  raws: Record<string, Buffer>,
): Promise<MessageToStore[]> {
  return Promise.all(
    Object.entries(raws).map(async ([uidl, raw]): Promise<MessageToStore> => ({
      message: {
        accountId,
        userId,
        uidl,
        listedSize: raw.length,
        raw,
        headersOnly: false,
        receivedAt: new Date(),
      },
      parsed: await parseMessage(raw),
    })),
  );
}
