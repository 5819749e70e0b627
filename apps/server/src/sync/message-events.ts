import type { Message } from '../generated/prisma/client';

/** A message as the list shows it (DESIGN.md "message list"), as sent with message.new. */
export function toListItem(message: Message) {
  return {
    id: message.id,
    accountId: message.accountId,
    subject: message.subject,
    from: { name: message.fromName, address: message.fromAddress },
    date: message.date.toISOString(),
    snippet: message.snippet,
    size: message.size,
    seen: message.seen,
    flagged: message.flagged,
    hasAttachments: message.hasAttachments,
  };
}
