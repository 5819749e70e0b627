import { DraftAttachmentParams } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { removeDraftAttachment } from '../../drafts/draft-attachments';
import { draftErrors } from './responses';

export const deleteAttachmentRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.delete(
    '/api/drafts/:id/attachments/:attachmentId',
    {
      schema: {
        tags: ['drafts'],
        summary: 'Remove an attachment from a draft',
        params: DraftAttachmentParams,
        response: { 204: Type.Null(), ...draftErrors },
      },
    },
    async (request, reply) => {
      const { id, attachmentId } = request.params;
      await removeDraftAttachment(app.db.prisma, request.user!.id, id, attachmentId);
      return reply.code(204).send(null);
    },
  );
};
