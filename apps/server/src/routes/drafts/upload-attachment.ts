import {
  DraftAttachmentOut,
  DraftAttachmentQuery,
  DraftIdParams,
  ErrorReply,
} from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { addDraftAttachment } from '../../drafts/draft-attachments';
import { draftErrors } from './responses';

/**
 * POST /api/drafts/:id/attachments: the request body is the file itself, of any type. Only this
 * route (its own plugin scope) takes bodies of any type, and it leaves them unread: the handler
 * streams them into the draft once the caller is known, and stops at the size limit, which comes
 * from the admin policy at each request (so Fastify's fixed bodyLimit plays no part).
 */
export const uploadAttachmentRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  app.post(
    '/api/drafts/:id/attachments',
    {
      schema: {
        tags: ['drafts'],
        summary:
          "Attach a file to a draft: the body is the file's bytes, its Content-Type the file's type",
        description:
          "413 ATTACHMENT_TOO_LARGE when the message would pass the administrator's limit (maxOutgoingBytes, attachments and text together); 400 EMPTY_ATTACHMENT for an empty file; 409 while the draft is being sent.",
        params: DraftIdParams,
        querystring: DraftAttachmentQuery,
        // For the OpenAPI document: the body is the file, left unread until the handler (so
        // what is validated is null). `format` needs its `type` beside it, or ajv warns at start.
        consumes: ['application/octet-stream'],
        body: Type.Unsafe<unknown>({
          description: "The file's bytes",
          type: 'string',
          format: 'binary',
          nullable: true,
        }),
        response: { 201: DraftAttachmentOut, ...draftErrors, 413: ErrorReply },
      },
    },
    async (request, reply) => {
      const declared = Number(request.headers['content-length']);
      try {
        const attachment = await addDraftAttachment(
          app.db.prisma,
          request.user!.id,
          request.params.id,
          {
            filename: request.query.filename,
            contentType: request.headers['content-type'],
            declaredBytes: Number.isSafeInteger(declared) && declared >= 0 ? declared : null,
            body: request.raw,
          },
        );
        return await reply.code(201).send(attachment);
      } catch (error) {
        // The rest of a refused file is not read: the connection ends with the answer.
        if (!request.raw.readableEnded) reply.header('connection', 'close');
        throw error;
      }
    },
  );
};
