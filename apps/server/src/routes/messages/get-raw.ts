import { MessageIdParams } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { contentDisposition, safeFilename } from '../../mail/content-disposition';
import { messageErrors } from './errors';
import { rawMessage } from '../../messages/raw-message';

/** GET /api/messages/:id/raw: the message exactly as it was downloaded. */
export const getRawRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/messages/:id/raw',
    {
      schema: {
        tags: ['messages'],
        summary: 'Download the message as an .eml file (the bytes as the POP3 server sent them)',
        params: MessageIdParams,
        response: {
          200: Type.Unsafe<Buffer>({
            type: 'string',
            format: 'binary',
            description: 'message/rfc822',
          }),
          ...messageErrors,
        },
      },
    },
    async (request, reply) => {
      const message = await rawMessage(app.db.prisma, request.user!.id, request.params.id);
      const filename = `${safeFilename(message.subject, 'message').slice(0, 100)}.eml`;
      return reply
        .header('content-type', 'message/rfc822')
        .header('content-disposition', contentDisposition('attachment', filename))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-cache')
        .send(message.bytes);
    },
  );
};
