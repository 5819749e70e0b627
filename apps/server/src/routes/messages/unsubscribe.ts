import { ErrorReply, MessageIdParams, UnsubscribeDone } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { unsubscribeOneClick } from '../../messages/unsubscribe';
import { messageErrors } from './errors';

/** POST /api/messages/:id/unsubscribe: the RFC 8058 one-click unsubscribe, sent by the server. */
export const unsubscribeRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/messages/:id/unsubscribe',
    {
      schema: {
        tags: ['messages'],
        summary: 'Unsubscribe from a mailing list in one click (RFC 8058)',
        description:
          'When the message offers it (List-Unsubscribe-Post: List-Unsubscribe=One-Click and an https address in List-Unsubscribe), Popgate POSTs List-Unsubscribe=One-Click there on the reader’s behalf, through the same network guard as every connection it makes for a user. 400 NO_ONE_CLICK when the message does not offer it; 422 UNSUBSCRIBE_FAILED when the sender’s server refuses or cannot be reached.',
        params: MessageIdParams,
        response: { 200: UnsubscribeDone, ...messageErrors, 422: ErrorReply },
      },
    },
    async (request) =>
      unsubscribeOneClick(app.db.prisma, request.user!.id, request.params.id, {
        allowPrivateNetworks: app.config.allowPrivateNetworks,
      }),
  );
};
