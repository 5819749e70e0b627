import { OutboxItemOut } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { retryOutboxItem } from '../../outbox/user-actions';
import { OutboxItemParams, outboxErrors } from './responses';

/** POST /api/outbox/:id/retry */
export const retryOutboxItemRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/outbox/:id/retry',
    {
      schema: {
        tags: ['outbox'],
        summary: 'Send a failed or unknown message again, now',
        description:
          'The same bytes and Message-ID. For an unknown outcome the recipients may get it twice. 409 NOT_RETRYABLE for any other status, IDENTITY_REMOVED when its identity is gone.',
        params: OutboxItemParams,
        response: { 200: OutboxItemOut, ...outboxErrors },
      },
    },
    async (request) => {
      const item = await retryOutboxItem(
        app.db.prisma,
        app.events,
        request.user!.id,
        request.params.id,
      );
      app.outboxSender?.wake();
      return item;
    },
  );
};
