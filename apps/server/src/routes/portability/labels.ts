import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorReply, LabelList } from '@popgate/contracts';
import { userLabels } from '../../messages/labels';

/** GET /api/labels: the labels the caller's imported mail came with. */
export const labelRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/labels',
    {
      schema: {
        tags: ['portability'],
        summary:
          'My labels (Gmail’s, kept from a Takeout import), each with how many messages carry it: what label: searches',
        response: { 200: LabelList, 401: ErrorReply },
      },
    },
    async (request) => ({ items: await userLabels(app.db.prisma, request.user!.id) }),
  );
};
