import { DraftIdParams, DraftOut, DraftPatch } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { updateDraft } from '../../drafts/drafts';
import { draftErrors } from './responses';

export const updateDraftRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.patch(
    '/api/drafts/:id',
    {
      schema: {
        tags: ['drafts'],
        summary: 'Save a draft (autosave): the fields given change, the others keep their value',
        description: '409 DRAFT_BEING_SENT while the draft is in the outbox (undo the send first).',
        params: DraftIdParams,
        body: DraftPatch,
        response: { 200: DraftOut, ...draftErrors },
      },
    },
    async (request) =>
      updateDraft(app.db.prisma, request.user!.id, request.params.id, request.body),
  );
};
