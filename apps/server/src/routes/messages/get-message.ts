import { MessageDetail, MessageDetailQuery, MessageIdParams } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HtmlRenderer } from '../../mail/html-renderer';
import { messageErrors } from './errors';
import { messageDetail } from '../../messages/detail';
import { searchTerms } from '../../search/search-terms';

/** GET /api/messages/:id: one message, its HTML sanitized. */
export const getMessageRoute: FastifyPluginAsyncTypebox<{ renderer: HtmlRenderer }> = async (
  app,
  { renderer },
) => {
  app.get(
    '/api/messages/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'Read a message',
        description:
          "html is sanitized on the server. Remote images are removed (remoteImagesBlocked says so) unless images=1 or the sender is trusted; then they load through GET /api/messages/:id/images. cid: references point at the attachments. HTML too large or too complex to sanitize within the time budget is not shown: html is null and htmlWithheld says why (text is the message's text part).",
        params: MessageIdParams,
        querystring: MessageDetailQuery,
        response: { 200: MessageDetail, ...messageErrors },
      },
    },
    async (request) => {
      const images = request.query.images === '1' || request.query.images === 'true';
      const { q } = request.query;
      const terms = q === undefined ? [] : searchTerms(q);
      const detail = await messageDetail(
        app.db.prisma,
        renderer,
        request.user!.id,
        request.params.id,
        images,
      );
      return terms.length > 0 ? { ...detail, searchTerms: terms } : detail;
    },
  );
};
