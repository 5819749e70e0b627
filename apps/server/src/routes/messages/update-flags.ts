import {
  MessageBulkPatch,
  MessageIdParams,
  MessageListItem,
  MessagePatch,
  MessagesUpdated,
} from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { setFlags, setFlagsOfMany, type FlagsDeps } from '../../messages/flags';
import { messageErrors } from './errors';

/** PATCH /api/messages/:id and PATCH /api/messages: read/unread and flagged, one or many. */
export const updateFlagsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps: FlagsDeps = { prisma: app.db.prisma, events: app.events };

  app.patch(
    '/api/messages/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'Mark a message read or unread, flagged or not',
        params: MessageIdParams,
        body: MessagePatch,
        response: { 200: MessageListItem, ...messageErrors },
      },
    },
    async (request) => setFlags(deps, request.user!.id, request.params.id, request.body),
  );

  app.patch(
    '/api/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'Mark many messages read or unread, flagged or not',
        description:
          'Ids that are not the caller’s messages are ignored; the reply lists those changed.',
        body: MessageBulkPatch,
        response: { 200: MessagesUpdated, ...messageErrors },
      },
    },
    async (request) => {
      const { ids, ...patch } = request.body;
      return setFlagsOfMany(deps, request.user!.id, ids, patch);
    },
  );
};
