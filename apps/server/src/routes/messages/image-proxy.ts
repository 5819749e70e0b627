import { ErrorReply, ImageProxyQuery, MessageIdParams } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { fetchRemoteImage, RemoteImageError } from '../../mail/fetch-remote-image';
import type { ImageProxySigner } from '../../mail/remote-images';
import { HttpError, notFound } from '../../plugins/errors';
import { messageErrors } from './errors';
import { ownedMessage } from '../../messages/owned';

/** How each failure reaches the reader. */
const STATUS: Record<RemoteImageError['code'], number> = {
  BLOCKED_HOST: 403,
  BAD_URL: 400,
  DNS: 502,
  NOT_AN_IMAGE: 502,
  IMAGE_TOO_LARGE: 502,
  TIMEOUT: 504,
  UNREACHABLE: 502,
};

/**
 * GET /api/messages/:id/images?url&sig: a remote image of the message, fetched by Popgate so the
 * sender never learns the reader's address. Only URLs Popgate wrote into the message's sanitized
 * HTML (signed) are fetched.
 */
export const imageProxyRoute: FastifyPluginAsyncTypebox<{ signer: ImageProxySigner }> = async (
  app,
  { signer },
) => {
  app.get(
    '/api/messages/:id/images',
    {
      schema: {
        tags: ['messages'],
        summary: 'A remote image of the message, through Popgate',
        description:
          'The URLs come ready-made in the html of GET /api/messages/:id when images are shown. Only raster image types, at most 5 MiB, within 10 s; private addresses are refused unless POPGATE_ALLOW_PRIVATE_NETWORKS.',
        params: MessageIdParams,
        querystring: ImageProxyQuery,
        response: {
          200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }),
          ...messageErrors,
          502: ErrorReply,
          504: ErrorReply,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await ownedMessage(app.db.prisma, request.user!.id, id, { id: true });
      if (!signer.verify(id, request.query.url, request.query.sig)) {
        throw notFound('This image is not part of the message');
      }
      try {
        const image = await fetchRemoteImage(request.query.url, {
          allowPrivateNetworks: app.config.allowPrivateNetworks,
        });
        return reply
          .header('content-type', image.contentType)
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "sandbox; default-src 'none'")
          .header('cache-control', 'private, max-age=86400')
          .send(image.body);
      } catch (error) {
        if (error instanceof RemoteImageError) {
          throw new HttpError(STATUS[error.code], error.code, error.message);
        }
        throw error;
      }
    },
  );
};
