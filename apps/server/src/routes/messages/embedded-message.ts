import {
  AttachmentParams,
  AttachmentQuery,
  EmbeddedMessage,
  EmbeddedPartParams,
} from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { HtmlRenderer } from '../../mail/html-renderer';
import { embeddedMessage, embeddedPart } from '../../messages/embedded-message';
import { messageErrors } from './errors';
import { sendAttachment } from './get-attachment';

/** A forwarded message (message/rfc822 attachment) read as a message, and its attachments. */
export const embeddedMessageRoutes: FastifyPluginAsyncTypebox<{ renderer: HtmlRenderer }> = async (
  app,
  { renderer },
) => {
  app.get(
    '/api/messages/:id/attachments/:attachmentId/message',
    {
      schema: {
        tags: ['messages'],
        summary: 'Read a forwarded message (a message/rfc822 attachment)',
        description:
          'Its headers, text and HTML (sanitized, remote images removed) and its attachments. 400 NOT_A_MESSAGE for an attachment of another type. The attachment itself downloads the .eml.',
        params: AttachmentParams,
        response: { 200: EmbeddedMessage, ...messageErrors },
      },
    },
    async (request) =>
      embeddedMessage(
        app.db.prisma,
        renderer,
        request.user!.id,
        request.params.id,
        request.params.attachmentId,
      ),
  );

  app.get(
    '/api/messages/:id/attachments/:attachmentId/parts/:index',
    {
      schema: {
        tags: ['messages'],
        summary: 'Download an attachment of a forwarded message',
        description: 'Served like any attachment (inline=1 for images and PDF).',
        params: EmbeddedPartParams,
        querystring: AttachmentQuery,
        response: {
          200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }),
          ...messageErrors,
        },
      },
    },
    async (request, reply) => {
      const { id, attachmentId, index } = request.params;
      const part = await embeddedPart(app.db.prisma, request.user!.id, id, attachmentId, index);
      const wantsInline = request.query.inline === '1' || request.query.inline === 'true';
      return sendAttachment(reply, part, wantsInline);
    },
  );
};
