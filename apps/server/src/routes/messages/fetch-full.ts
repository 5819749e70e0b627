import { ErrorReply, MessageDetail, MessageIdParams } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HtmlRenderer } from '../../mail/html-renderer';
import { HttpError } from '../../plugins/errors';
import { fetchFullMessage } from '../../sync/fetch-full-message';
import { messageErrors } from './errors';
import { messageDetail } from '../../messages/detail';
import { ownedMessage } from '../../messages/owned';

/**
 * POST /api/messages/:id/fetch-full: downloads the whole of a message that was above the
 * account's size limit (only its headers were fetched), and answers with the complete message.
 */
export const fetchFullRoute: FastifyPluginAsyncTypebox<{ renderer: HtmlRenderer }> = async (
  app,
  { renderer },
) => {
  app.post(
    '/api/messages/:id/fetch-full',
    {
      schema: {
        tags: ['messages'],
        summary: 'Download the whole of a headers-only message',
        description:
          "409 BUSY when the account is being checked right now (try again shortly), 410 GONE_FROM_SERVER when the server no longer has it, 422 MESSAGE_TOO_LARGE or LINE_TOO_LONG when Popgate cannot take it (above the admin's size limit, or a line longer than it reads), 502 FETCH_FAILED with the reason otherwise. A message that is already complete is simply returned.",
        params: MessageIdParams,
        response: {
          200: MessageDetail,
          ...messageErrors,
          409: ErrorReply,
          410: ErrorReply,
          422: ErrorReply,
          502: ErrorReply,
        },
      },
    },
    async (request) => {
      const userId = request.user!.id;
      const { id } = request.params;
      await ownedMessage(app.db.prisma, userId, id, { id: true });
      const result = await fetchFullMessage(app.syncContext, id);
      if (!result.ok) {
        switch (result.reason) {
          case 'NOT_HEADERS_ONLY':
            break;
          case 'BUSY':
            throw new HttpError(
              409,
              'BUSY',
              'The account is being checked right now; try again in a moment',
            );
          case 'GONE_FROM_SERVER':
            throw new HttpError(
              410,
              'GONE_FROM_SERVER',
              'The POP3 server no longer has this message; only its headers were kept',
            );
          case 'REFUSED':
            throw new HttpError(422, result.code, result.message);
          case 'FAILED':
            throw new HttpError(502, 'FETCH_FAILED', result.failure.message);
        }
      }
      return messageDetail(app.db.prisma, renderer, userId, id, false);
    },
  );
};
