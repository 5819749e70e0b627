import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorReply, ImportIdParams, ImportJobOut } from '@popgate/contracts';
import { loadPolicy } from '../../accounts/account-policy-check';
import { HttpError } from '../../plugins/errors';
import { importMailbox } from '../../portability/import-mailbox';
import { importJob, startImportJob } from '../../portability/import-jobs';
import { failOwn } from '../../portability/portability-jobs';
import { importTarget } from '../../portability/imported-source';

/** The largest file taken: a Takeout of many years is tens of gigabytes. */
const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * POST /api/imports (multipart: accountId?, then file) and GET /api/imports/:id. The file goes
 * to disk as it arrives, then is imported in the background; progress and the summary come as
 * import.progress events and from GET /api/imports/:id.
 */
export const importRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** This process's imports under way: a process that closes marks them interrupted. */
  const running = new Set<string>();
  app.addHook('onClose', async () => {
    await failOwn(app.db.prisma, [...running]);
  });
  await app.register(multipart, {
    limits: { files: 1, fields: 2, fieldSize: 100, fileSize: MAX_UPLOAD_BYTES, parts: 3 },
  });

  app.post(
    '/api/imports',
    {
      schema: {
        tags: ['portability'],
        summary:
          'Import an mbox (mboxo/mboxrd, Google Takeout, Thunderbird), a zip of .eml files or of a Maildir, or one .eml, into an account (accountId) or the "Imported" source',
        description:
          'multipart/form-data: an optional accountId field, then the file. Answers 202 with the import; it goes on in the background.',
        consumes: ['multipart/form-data'],
        response: { 202: ImportJobOut, 400: ErrorReply, 401: ErrorReply, 404: ErrorReply },
      },
    },
    async (request, reply) => {
      const userId = request.user!.id;
      if (!request.isMultipart())
        throw new HttpError(400, 'VALIDATION', 'Send the file as multipart/form-data');
      let accountId: string | undefined;
      let saved: { path: string; fileName: string } | null = null;
      const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'popgate-import-'));
      try {
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            if (
              part.fieldname !== 'accountId' ||
              typeof part.value !== 'string' ||
              !UUID.test(part.value)
            )
              throw new HttpError(
                400,
                'VALIDATION',
                `body/${part.fieldname} is not a known field or not an account id`,
              );
            accountId = part.value;
            continue;
          }
          if (part.fieldname !== 'file')
            throw new HttpError(400, 'VALIDATION', `body/${part.fieldname} is not a known field`);
          // Before the bytes: an account that is not the caller's stops here.
          accountId = await importTarget(app.db.prisma, userId, accountId);
          const file = path.join(dir, 'upload');
          await pipeline(part.file, fs.createWriteStream(file));
          if (part.file.truncated)
            throw new HttpError(
              413,
              'TOO_LARGE',
              'The file is larger than an import may be (64 GB)',
            );
          saved = { path: file, fileName: part.filename || 'upload' };
        }
        if (!saved || !accountId) throw new HttpError(400, 'VALIDATION', 'body/file is missing');
      } catch (error) {
        await fs.promises.rm(dir, { recursive: true, force: true });
        throw error;
      }
      const job = await startImportJob(app.db.prisma, userId, saved.fileName, accountId, {
        running,
        onError: (error) => request.log.warn({ err: error }, 'import progress not written'),
      });
      const { maxMessageBytes } = await loadPolicy(app.db.prisma);
      const announce = (state: ImportJobOut) =>
        app.events
          .publish(userId, 'import.progress', state)
          .catch((error) => request.log.warn({ err: error }, 'import progress not announced'));
      const started = job.state;
      void importMailbox(app.db.prisma, {
        userId,
        accountId,
        path: saved.path,
        maxMessageBytes,
        onProgress: (summary) => {
          // Written and announced at most once a second: a big import must not flood either.
          if (job.update({ ...summary, problems: summary.problems.slice(0, 50) }))
            void announce(job.state);
        },
      })
        .then((summary) => job.finish({ ...summary, status: 'done' }))
        .catch((error: Error) => {
          request.log.error({ err: error }, 'an import failed');
          return job.finish({ status: 'failed', error: error.message });
        })
        .then(announce)
        .finally(() => fs.promises.rm(dir, { recursive: true, force: true }));
      return reply.code(202).send(started);
    },
  );

  app.get(
    '/api/imports/:id',
    {
      schema: {
        tags: ['portability'],
        summary: 'An import: its progress, then its summary (imported, duplicates, failed and why)',
        params: ImportIdParams,
        response: { 200: ImportJobOut, 401: ErrorReply, 404: ErrorReply },
      },
    },
    async (request) => importJob(app.db.prisma, request.user!.id, request.params.id),
  );
};
