import {
  ConversationDetail,
  ConversationIdParams,
  ConversationQuery,
  ErrorReply,
} from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { conversationDetail } from '../../conversations/detail';

/** GET /api/conversations/:id */
export const getConversationRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/conversations/:id',
    {
      schema: {
        tags: ['conversations'],
        summary: "A conversation's messages, oldest first, each with the one it answers",
        description:
          'List items (read one with GET /api/messages/:id) with parentId for an indented view; at most the latest 500 (omitted counts the others). 404 for anything not the caller’s.',
        params: ConversationIdParams,
        querystring: ConversationQuery,
        response: { 200: ConversationDetail, 400: ErrorReply, 401: ErrorReply, 404: ErrorReply },
      },
    },
    async (request) =>
      conversationDetail(app.db.prisma, request.user!.id, request.params.id, request.query),
  );
};
