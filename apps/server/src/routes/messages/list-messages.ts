import { ErrorReply, MessageList, MessageListQuery } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { messageList } from '../../messages/list';

/** GET /api/messages: the caller's messages across all accounts (or one), filtered and searched. */
export const listMessagesRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'List messages, newest first (best match first when searching)',
        description:
          'Keyset pagination: pass nextCursor back as cursor for the next page; null means the end. A cursor belongs to the same filters and search.',
        querystring: MessageListQuery,
        response: { 200: MessageList, 400: ErrorReply, 401: ErrorReply },
      },
    },
    async (request) => messageList(app.db.prisma, request.user!.id, request.query),
  );
};
