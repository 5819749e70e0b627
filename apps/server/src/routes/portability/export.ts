import type { Readable } from 'node:stream';
import { ErrorReply, ExportQuery } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { contentDisposition } from '../../mail/content-disposition';
import { exportedMessages } from '../../portability/export-selection';
import { mboxStream, zipStream } from '../../portability/export-stream';

const TYPES = { mbox: 'application/mbox', zip: 'application/zip' } as const;

/** GET /api/export: the caller's stored mail as mbox or a zip of .eml files, streamed. */
export const exportRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/export',
    {
      schema: {
        tags: ['portability'],
        summary:
          'Download my mail as mboxrd or a zip of .eml files: the bytes exactly as downloaded, oldest first; accountId, folder and q (a search, as in the list) narrow it',
        querystring: ExportQuery,
        response: {
          200: Type.Unsafe<Readable>({ type: 'string', format: 'binary' }),
          400: ErrorReply,
          401: ErrorReply,
          404: ErrorReply,
        },
      },
    },
    async (request, reply) => {
      const { format, ...narrowing } = request.query;
      const messages = await exportedMessages(app.db.prisma, {
        userId: request.user!.id,
        ...narrowing,
      });
      const day = new Date().toISOString().slice(0, 10);
      const body = format === 'mbox' ? mboxStream(messages) : zipStream(messages);
      body.on('error', (error) => request.log.warn({ err: error }, 'an export stopped'));
      return reply
        .header('content-type', TYPES[format])
        .header('content-disposition', contentDisposition('attachment', `popgate-${day}.${format}`))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(body);
    },
  );
};
