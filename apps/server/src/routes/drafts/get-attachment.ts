import { DraftAttachmentParams } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { draftAttachment } from '../../drafts/draft-attachments';
import { servedAttachmentType } from '../../mail/attachment-type';
import { contentDisposition, safeFilename } from '../../mail/content-disposition';
import { draftErrors } from './responses';

/** A draft's attachment, always as a download in a type that cannot run in the browser. */
export const getAttachmentRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/drafts/:id/attachments/:attachmentId',
    {
      schema: {
        tags: ['drafts'],
        summary: "Download one of a draft's attachments",
        params: DraftAttachmentParams,
        response: {
          200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }),
          ...draftErrors,
        },
      },
    },
    async (request, reply) => {
      const { id, attachmentId } = request.params;
      const attachment = await draftAttachment(app.db.prisma, request.user!.id, id, attachmentId);
      return reply
        .header('content-type', servedAttachmentType(attachment.contentType))
        .header(
          'content-disposition',
          contentDisposition('attachment', safeFilename(attachment.filename, 'attachment')),
        )
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .header('cache-control', 'private, no-store')
        .send(attachment.content);
    },
  );
};
