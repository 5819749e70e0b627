import { ErrorReply, MessageList, MessageListQuery } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { decodeCursor, encodeCursor } from '../../mail/message-cursor';
import { searchText } from '../../mail/search-query';
import { HttpError } from '../../plugins/errors';
import { toListItem } from '../../mail/list-item';
import { listMessages } from './list-query';

const badCursor = (why: string) =>
  new HttpError(400, 'VALIDATION', `querystring/cursor ${why}: start again without it`);

/** GET /api/messages: the caller's messages across all accounts (or one), filtered and searched. */
export const listMessagesRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/messages',
    {
      preHandler: app.requireUser,
      schema: {
        tags: ['messages'],
        summary: 'List messages, newest first (best match first when searching)',
        description:
          'Keyset pagination: pass nextCursor back as cursor for the next page; null means the end. A cursor belongs to the same filters and search.',
        querystring: MessageListQuery,
        response: { 200: MessageList, 400: ErrorReply, 401: ErrorReply },
      },
    },
    async (request) => {
      const { cursor, limit = 50, ...query } = request.query;
      const search = searchText(query.q);
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (after === null) throw badCursor('is not a cursor from this list');
      if (after && (after.rank !== undefined) !== (search !== null)) {
        throw badCursor(
          search === null ? 'belongs to a search' : 'belongs to a list without a search',
        );
      }
      const rows = await listMessages(app.db.prisma, {
        userId: request.user!.id,
        ...(query.accountId && { accountId: query.accountId }),
        search,
        ...(query.unread !== undefined && { unread: query.unread }),
        ...(query.flagged !== undefined && { flagged: query.flagged }),
        trash: query.trash ?? false,
        ...(after && { after }),
        limit,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toListItem),
        nextCursor:
          rows.length > limit && last
            ? encodeCursor({
                date: last.date,
                id: last.id,
                ...(last.rank !== null && { rank: last.rank }),
              })
            : null,
      };
    },
  );
};
