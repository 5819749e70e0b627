import { DraftIdParams, DraftOut } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getDraft } from '../../drafts/drafts';
import { draftErrors } from './responses';

export const getDraftRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/drafts/:id',
    {
      schema: {
        tags: ['drafts'],
        summary: 'One of my drafts',
        params: DraftIdParams,
        response: { 200: DraftOut, ...draftErrors },
      },
    },
    async (request) => getDraft(app.db.prisma, request.user!.id, request.params.id),
  );
};
