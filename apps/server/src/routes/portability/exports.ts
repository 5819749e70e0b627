import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorReply, ExportIn, ExportJobOut, ImportIdParams } from '@popgate/contracts';
import { Type } from 'typebox';
import { contentDisposition } from '../../mail/content-disposition';
import { failOwn } from '../../portability/portability-jobs';
import { PreparedExports } from '../../portability/prepared-exports';

/** Where prepared exports are written: inside the data folder, only Popgate's to read. */
export const exportsDir = (dataDir: string) => path.join(dataDir, 'exports');

const TYPES = { mbox: 'application/mbox', zip: 'application/zip' } as const;

/** One byte range of `size` bytes ("bytes=a-b", "bytes=a-", "bytes=-n"), or null when unusable. */
function byteRange(header: string, size: number): { start: number; end: number } | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const last = Math.min(Number(match[2]), size);
    return last === 0 ? null : { start: size - last, end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  return start > end || start >= size ? null : { start, end };
}

/**
 * POST /api/exports prepares an export as a file; GET /api/exports/:id tells its progress;
 * GET /api/exports/:id/file downloads it, resumable (HTTP Range, If-Range on its ETag).
 */
export const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const prepared = PreparedExports.in(exportsDir(app.config.dataDir));
  /** This process's exports being written: a process that closes marks them interrupted. */
  const running = new Set<string>();
  app.addHook('onClose', async () => {
    await failOwn(app.db.prisma, [...running]);
  });

  app.post(
    '/api/exports',
    {
      schema: {
        tags: ['portability'],
        summary:
          'Prepare an export as a file (for a large mailbox: its progress shows, and its download resumes)',
        body: ExportIn,
        response: { 202: ExportJobOut, 400: ErrorReply, 401: ErrorReply, 404: ErrorReply },
      },
    },
    async (request, reply) => {
      const { format, ...narrowing } = request.body;
      const userId = request.user!.id;
      const job = await prepared.start(app.db.prisma, { userId, ...narrowing }, format, {
        running,
        onError: (error) => request.log.warn({ err: error }, 'export progress not written'),
        onProgress: (state) =>
          void app.events
            .publish(userId, 'export.progress', state)
            .catch((error) => request.log.warn({ err: error }, 'export progress not announced')),
      });
      return reply.code(202).send(job);
    },
  );

  app.get(
    '/api/exports/:id',
    {
      schema: {
        tags: ['portability'],
        summary: 'A prepared export: messages and bytes written so far, then done',
        params: ImportIdParams,
        response: { 200: ExportJobOut, 401: ErrorReply, 404: ErrorReply },
      },
    },
    async (request) => prepared.get(app.db.prisma, request.user!.id, request.params.id),
  );

  app.get(
    '/api/exports/:id/file',
    {
      schema: {
        tags: ['portability'],
        summary: 'Download a prepared export; a Range request resumes it',
        params: ImportIdParams,
        response: {
          200: Type.Unsafe<Readable>({ type: 'string', format: 'binary' }),
          206: Type.Unsafe<Readable>({ type: 'string', format: 'binary' }),
          401: ErrorReply,
          404: ErrorReply,
          416: ErrorReply,
        },
      },
    },
    async (request, reply) => {
      const { path: file, job } = await prepared.fileOf(
        app.db.prisma,
        request.user!.id,
        request.params.id,
      );
      const { size } = await fs.promises.stat(file);
      const etag = `"${job.id}-${size}"`;
      reply
        .header('content-type', TYPES[job.format])
        .header(
          'content-disposition',
          contentDisposition('attachment', `popgate-export.${job.format}`),
        )
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-cache')
        .header('accept-ranges', 'bytes')
        .header('etag', etag);
      const asked = request.headers.range;
      const ifRange = request.headers['if-range'];
      if (asked && (!ifRange || ifRange === etag)) {
        const range = byteRange(asked, size);
        if (!range) {
          return reply
            .code(416)
            .removeHeader('content-disposition')
            .header('content-type', 'application/json; charset=utf-8')
            .header('content-range', `bytes */${size}`)
            .send({ error: { code: 'RANGE', message: 'That part of the file does not exist' } });
        }
        return reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
          .header('content-length', range.end - range.start + 1)
          .send(fs.createReadStream(file, range));
      }
      return reply.header('content-length', size).send(fs.createReadStream(file));
    },
  );
};
