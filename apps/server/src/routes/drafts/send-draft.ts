import { DraftIdParams, ErrorReply, OutboxItemOut } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { uuidV7 } from '../../db/uuid-v7';
import { composeDraft } from '../../drafts/compose-draft';
import { queueMessage } from '../../outbox/queue-message';

/** POST /api/drafts/:id/send */
export const sendDraftRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/drafts/:id/send',
    {
      schema: {
        tags: ['drafts'],
        summary: 'Send a draft: its final bytes go to the outbox, then to the SMTP server',
        description:
          'Answers 202 with the outbox item, queued: it can be undone (POST /api/outbox/:id/cancel) until undoUntil; outbox.status events follow it, message.sent once its copy is in Sent. 422 DRAFT_NOT_SENDABLE with error.problems (nothing queued); 409 when the draft is already being sent.',
        params: DraftIdParams,
        response: {
          202: OutboxItemOut,
          400: ErrorReply,
          401: ErrorReply,
          403: ErrorReply,
          404: ErrorReply,
          409: ErrorReply,
          422: ErrorReply,
        },
      },
    },
    async (request, reply) => {
      // The Message-ID is derived from the item's id: one Message-ID, whatever happens next.
      const id = uuidV7();
      const composed = await composeDraft(
        { prisma: app.db.prisma },
        request.user!.id,
        request.params.id,
        {
          outboxId: id,
        },
      );
      const item = await queueMessage(
        app.db.prisma,
        app.events,
        { ...composed, id },
        { undoSeconds: app.config.undoSendSeconds },
      );
      return reply.code(202).send(item);
    },
  );
};
