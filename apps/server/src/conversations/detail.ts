import type {
  ConversationDetail,
  ConversationMessage,
  ConversationQuery,
} from '@popgate/contracts';
import type { Db } from '../db/prisma';
import { notFound } from '../domain-errors';
import { listSelect, toListItem } from '../messages/columns';
import { ancestorIds, headerValue, oneMessageId } from './message-ids';

/** A conversation shows at most its latest this many messages. */
export const MAX_CONVERSATION_MESSAGES = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const noSuchConversation = () => notFound('No such conversation');

/**
 * One of the caller's conversations: its messages in the folder asked for (outside the trash
 * unless it is the trash), oldest first by Date header, each with the message of this
 * conversation it answers (In-Reply-To, else the latest of its References found here) for an
 * indented view. Another user's conversation, or a malformed id, is not found: admins included.
 */
export async function conversationDetail(
  prisma: Db,
  userId: string,
  conversationId: string,
  query: ConversationQuery = {},
): Promise<ConversationDetail> {
  if (!UUID.test(conversationId)) throw noSuchConversation();
  const conversation = await prisma.conversation.findFirst({
    where: { id: conversationId, userId },
    select: { id: true, subject: true },
  });
  if (!conversation) throw noSuchConversation();
  const where = {
    conversationId,
    userId,
    trashedAt: query.folder === 'trash' ? { not: null } : null,
  };
  const [latest, total] = await Promise.all([
    prisma.message.findMany({
      where,
      select: { ...listSelect, messageId: true, inReplyTo: true, headers: true, receivedAt: true },
      orderBy: [{ date: 'desc' }, { id: 'desc' }],
      take: MAX_CONVERSATION_MESSAGES,
    }),
    prisma.message.count({ where }),
  ]);
  const messages = latest.reverse();
  const byMessageId = new Map<string, string>();
  for (const message of messages) {
    const own = oneMessageId(message.messageId);
    if (own && !byMessageId.has(own)) byMessageId.set(own, message.id);
  }
  return {
    id: conversation.id,
    subject: conversation.subject,
    messages: messages.map((message): ConversationMessage => {
      const ancestors = ancestorIds(headerValue(message.headers, 'references'), message.inReplyTo);
      let parentId: string | null = null;
      for (let i = ancestors.length - 1; i >= 0 && parentId === null; i--) {
        const found = byMessageId.get(ancestors[i]!);
        if (found && found !== message.id) parentId = found;
      }
      return { ...toListItem(message), parentId };
    }),
    omitted: Math.max(0, total - messages.length),
  };
}
