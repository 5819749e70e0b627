import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getConversationRoute } from './get-conversation';
import { listConversationsRoute } from './list-conversations';

/**
 * The /api/conversations routes: the caller's own threads only, never anyone else's (admins
 * included). Acting on a conversation goes through the message routes with its messages' ids.
 */
export const conversationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireUser);
  await app.register(listConversationsRoute);
  await app.register(getConversationRoute);
};
