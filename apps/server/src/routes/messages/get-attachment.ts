import { AttachmentParams, AttachmentQuery } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { canShowInline, servedAttachmentType } from '../../mail/attachment-type';
import { contentDisposition, safeFilename } from '../../mail/content-disposition';
import { messageErrors } from './errors';
import { ownedAttachment, type StoredAttachment } from '../../messages/attachment';

/**
 * Answers with an attachment's bytes: a download in a type that cannot run in the browser, or
 * (asked for, and only images and PDF) inline under a sandboxing policy.
 */
export function sendAttachment(
  reply: FastifyReply,
  attachment: StoredAttachment,
  wantsInline: boolean,
): FastifyReply {
  const inline = wantsInline && canShowInline(attachment.contentType);
  const filename = safeFilename(attachment.filename, 'attachment');
  return reply
    .header('content-type', servedAttachmentType(attachment.contentType))
    .header('content-disposition', contentDisposition(inline ? 'inline' : 'attachment', filename))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "sandbox; default-src 'none'")
    .header('cache-control', 'private, max-age=86400')
    .send(attachment.content);
}

/**
 * GET /api/messages/:id/attachments/:attachmentId: the bytes, always as a download in a type that
 * cannot run in the browser, except images and PDF asked for inline (then sandboxed).
 */
export const getAttachmentRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/messages/:id/attachments/:attachmentId',
    {
      schema: {
        tags: ['messages'],
        summary: 'Download an attachment',
        description:
          'Served as application/octet-stream unless it is a png, jpeg, gif, webp image or a PDF; inline=1 shows those in the browser under a sandboxing Content-Security-Policy.',
        params: AttachmentParams,
        querystring: AttachmentQuery,
        response: {
          200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }),
          ...messageErrors,
        },
      },
    },
    async (request, reply) => {
      const { id, attachmentId } = request.params;
      const attachment = await ownedAttachment(app.db.prisma, request.user!.id, id, attachmentId);
      const wantsInline = request.query.inline === '1' || request.query.inline === 'true';
      return sendAttachment(reply, attachment, wantsInline);
    },
  );
};
