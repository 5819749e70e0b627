import { DraftList } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listDrafts } from '../../drafts/drafts';
import { draftErrors } from './responses';

export const listDraftsRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/drafts',
    {
      schema: {
        tags: ['drafts'],
        summary: 'My drafts, last saved first (those being sent are in the outbox instead)',
        response: { 200: DraftList, ...draftErrors },
      },
    },
    async (request) => ({ items: await listDrafts(app.db.prisma, request.user!.id) }),
  );
};
