import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ErrorReply, ExportQuery, type ExportJobOut } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { contentDisposition } from '../../mail/content-disposition';
import { exportedCount, exportedMessages } from '../../portability/export-selection';
import { exportStream } from '../../portability/export-stream';
import { PROGRESS_EVERY_MS } from '../../portability/portability-jobs';

const TYPES = { mbox: 'application/mbox', zip: 'application/zip' } as const;

/**
 * GET /api/export: the caller's stored mail as mbox or a zip of .eml files, streamed. Its length
 * is not known in advance (mboxrd quotes body lines that start with "From ", and only reading
 * every message finds them), so its progress comes as export.progress events (streamed: true,
 * the id in X-Export-Id): messages and bytes sent out of the total, at most one a second.
 */
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
      const userId = request.user!.id;
      const selection = { userId, ...narrowing };
      const messages = await exportedMessages(app.db.prisma, selection);
      const state: ExportJobOut = {
        id: randomUUID(),
        status: 'running',
        format,
        messages: 0,
        bytes: 0,
        total: await exportedCount(app.db.prisma, selection),
        streamed: true,
      };
      const announce = () =>
        void app.events
          .publish(userId, 'export.progress', { ...state })
          .catch((error) => request.log.warn({ err: error }, 'export progress not announced'));
      let last = 0;
      const day = new Date().toISOString().slice(0, 10);
      const body = exportStream(messages, format, (count, bytes) => {
        Object.assign(state, { messages: count, bytes });
        if (Date.now() - last < PROGRESS_EVERY_MS) return;
        last = Date.now();
        announce();
      });
      body.on('error', (error) => request.log.warn({ err: error }, 'an export stopped'));
      // Read to its end, or stopped before (the reader went away, reading failed): said last.
      body.once('end', () => {
        state.status = 'done';
        announce();
      });
      reply.raw.once('close', () => {
        if (state.status !== 'running') return;
        state.status = 'failed';
        state.error = 'the download stopped before its end';
        announce();
      });
      return reply
        .header('content-type', TYPES[format])
        .header('x-export-id', state.id)
        .header('content-disposition', contentDisposition('attachment', `popgate-${day}.${format}`))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(body);
    },
  );
};
