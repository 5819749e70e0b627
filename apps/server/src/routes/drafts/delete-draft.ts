import { DraftIdParams } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { deleteDraft } from '../../drafts/drafts';
import { draftErrors } from './responses';

export const deleteDraftRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.delete(
    '/api/drafts/:id',
    {
      schema: {
        tags: ['drafts'],
        summary: 'Discard a draft and its attachments',
        params: DraftIdParams,
        response: { 204: Type.Null(), ...draftErrors },
      },
    },
    async (request, reply) => {
      await deleteDraft(app.db.prisma, request.user!.id, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
