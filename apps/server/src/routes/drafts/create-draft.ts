import { DraftIn, DraftOut } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createDraft } from '../../drafts/drafts';
import { draftErrors } from './responses';

export const createDraftRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/drafts',
    {
      schema: {
        tags: ['drafts'],
        summary:
          'Start a draft: a new message, a reply (inReplyTo, replyAll) or a forward (forwardOf)',
        description:
          'For a reply or a forward the server fills in what the body leaves out: recipients (never my own addresses), "Re:"/"Fwd:" once, the quoted original (text and HTML), the identity of the account the message came in on, In-Reply-To/References, and for a forward the original\'s attachments (inline) or the original itself as an .eml (forwardAs "attachment"). Fields given win.',
        body: DraftIn,
        response: { 201: DraftOut, ...draftErrors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createDraft(app.db.prisma, request.user!.id, request.body)),
  );
};
