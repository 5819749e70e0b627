import {
  MessageBulkPatch,
  MessageIdParams,
  MessageListItem,
  MessagePatch,
  MessagesUpdated,
} from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HttpError } from '../../plugins/errors';
import { messageErrors } from './errors';
import { listColumns, toListItem } from '../../mail/list-item';
import { publishMessageUpdated } from './message-updated';
import { ownedIds, ownedMessage } from './owned-message';

const flagsOf = (body: { seen?: boolean | undefined; flagged?: boolean | undefined }) => ({
  ...(body.seen !== undefined && { seen: body.seen }),
  ...(body.flagged !== undefined && { flagged: body.flagged }),
});

/** PATCH /api/messages/:id and PATCH /api/messages: read/unread and flagged, one or many. */
export const updateFlagsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;

  app.patch(
    '/api/messages/:id',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['messages'],
        summary: 'Mark a message read or unread, flagged or not',
        params: MessageIdParams,
        body: MessagePatch,
        response: { 200: MessageListItem, ...messageErrors },
      },
    },
    async (request) => {
      const userId = request.user!.id;
      const { id } = request.params;
      await ownedMessage(prisma, userId, id, { id: true });
      const flags = flagsOf(request.body);
      if (Object.keys(flags).length > 0) {
        await prisma.message.updateMany({ where: { id, userId }, data: flags });
        await publishMessageUpdated(app, userId, { ids: [id], ...flags });
      }
      return toListItem(await ownedMessage(prisma, userId, id, listColumns));
    },
  );

  app.patch(
    '/api/messages',
    {
      preHandler: app.requireUser,
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
      const userId = request.user!.id;
      const flags = flagsOf(request.body);
      if (Object.keys(flags).length === 0) {
        throw new HttpError(400, 'VALIDATION', 'body must set seen, flagged or both');
      }
      const ids = await ownedIds(prisma, userId, [...new Set(request.body.ids)]);
      if (ids.length > 0) {
        await prisma.message.updateMany({ where: { id: { in: ids }, userId }, data: flags });
        await publishMessageUpdated(app, userId, { ids, ...flags });
      }
      return { ids, ...flags };
    },
  );
};
