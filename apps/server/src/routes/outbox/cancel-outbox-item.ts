import { OutboxItemOut } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { cancelOutboxItem } from '../../outbox/user-actions';
import { OutboxItemParams, outboxErrors } from './responses';

/** POST /api/outbox/:id/cancel */
export const cancelOutboxItemRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/outbox/:id/cancel',
    {
      schema: {
        tags: ['outbox'],
        summary: 'Undo a send (while queued), or discard a failed or unknown one',
        description:
          'The item is cancelled and its draft is back in Drafts. 409 NOT_CANCELLABLE once a sender has taken it (sending) or it is sent.',
        params: OutboxItemParams,
        response: { 200: OutboxItemOut, ...outboxErrors },
      },
    },
    async (request) =>
      cancelOutboxItem(app.db.prisma, app.events, request.user!.id, request.params.id),
  );
};
