import { ErrorReply, MessageIdParams, TrustedSenderOut } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { trustSenderOf } from '../../messages/trusted-senders';
import { messageErrors } from './errors';

/**
 * "Always show images from this sender": POST /api/messages/:id/trust-sender trusts the
 * message's From address (for all of the caller's messages from it); DELETE undoes it.
 */
export const trustSenderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;

  const schema = (summary: string) => ({
    tags: ['messages'],
    summary,
    params: MessageIdParams,
    response: { 200: TrustedSenderOut, ...messageErrors, 409: ErrorReply },
  });

  app.post(
    '/api/messages/:id/trust-sender',
    {
      schema: schema('Always show remote images from this message’s sender'),
    },
    async (request) => trustSenderOf(prisma, request.user!.id, request.params.id, true),
  );

  app.delete(
    '/api/messages/:id/trust-sender',
    {
      schema: schema('Stop showing remote images from this message’s sender without asking'),
    },
    async (request) => trustSenderOf(prisma, request.user!.id, request.params.id, false),
  );
};
