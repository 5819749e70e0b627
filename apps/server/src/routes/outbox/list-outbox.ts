import { ErrorReply, OutboxList } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listOutbox } from '../../outbox/list-outbox';

/** GET /api/outbox */
export const listOutboxRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/outbox',
    {
      schema: {
        tags: ['outbox'],
        summary: 'Messages being sent, and those sent or failed recently, newest first',
        description:
          'status: queued (undo possible until undoUntil), sending, sent, failed (lastReply says why; retry or discard), unknown (Popgate stopped while handing it over: it may have gone; retry, which may send it twice, or discard), cancelled.',
        response: { 200: OutboxList, 401: ErrorReply },
      },
    },
    async (request) => listOutbox(app.db.prisma, request.user!.id),
  );
};
