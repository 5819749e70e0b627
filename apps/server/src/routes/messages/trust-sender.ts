import { ErrorReply, MessageIdParams, TrustedSenderOut } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HttpError } from '../../plugins/errors';
import { messageErrors } from './errors';
import { senderKey } from './message-detail';
import { ownedMessage } from './owned-message';

/**
 * "Always show images from this sender": POST /api/messages/:id/trust-sender trusts the
 * message's From address (for all of the caller's messages from it); DELETE undoes it.
 */
export const trustSenderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;

  const senderOf = async (userId: string, id: string) => {
    const message = await ownedMessage(prisma, userId, id, { fromAddress: true });
    const address = senderKey(message.fromAddress);
    if (!address) throw new HttpError(409, 'NO_SENDER', 'This message has no sender address');
    return address;
  };
  const schema = (summary: string) => ({
    tags: ['messages'],
    summary,
    params: MessageIdParams,
    response: { 200: TrustedSenderOut, ...messageErrors, 409: ErrorReply },
  });

  app.post(
    '/api/messages/:id/trust-sender',
    {
      preHandler: app.requireUser,
      schema: schema('Always show remote images from this message’s sender'),
    },
    async (request) => {
      const userId = request.user!.id;
      const address = await senderOf(userId, request.params.id);
      await prisma.trustedSender.upsert({
        where: { userId_address: { userId, address } },
        create: { userId, address },
        update: {},
      });
      return { address, trusted: true };
    },
  );

  app.delete(
    '/api/messages/:id/trust-sender',
    {
      preHandler: app.requireUser,
      schema: schema('Stop showing remote images from this message’s sender without asking'),
    },
    async (request) => {
      const userId = request.user!.id;
      const address = await senderOf(userId, request.params.id);
      await prisma.trustedSender.deleteMany({ where: { userId, address } });
      return { address, trusted: false };
    },
  );
};
