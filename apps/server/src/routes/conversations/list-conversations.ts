import { ConversationList, ConversationListQuery, ErrorReply } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { conversationList } from '../../conversations/list';

/** GET /api/conversations: one row per conversation, newest arrival first or in `sort`'s order. */
export const listConversationsRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/conversations',
    {
      schema: {
        tags: ['conversations'],
        summary:
          'List conversations (threads of received and sent mail), newest arrival first or by date, sender or size',
        description:
          'Keyset pagination: pass nextCursor back as cursor for the next page; null means the end. A cursor belongs to the same filters and order.',
        querystring: ConversationListQuery,
        response: { 200: ConversationList, 400: ErrorReply, 401: ErrorReply },
      },
    },
    async (request) => conversationList(app.db.prisma, request.user!.id, request.query),
  );
};
