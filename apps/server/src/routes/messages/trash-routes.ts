import { MessageIdParams, MessageIds, TrashOutcome } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../domain-errors';
import { moveToTrash, type TrashDeps } from '../../messages/trash';
import { requestSync } from '../../sync/presence';
import { messageErrors } from './errors';

const SERVER_NOTE =
  'Popgate keeps its copy either way. With the account policy "delete from the server when deleted here", the next check deletes the server copy (deleteFromServer lists those messages).';

/** Trash and restore: DELETE /api/messages/:id, POST /api/messages/:id/restore, and in bulk. */
export const trashRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  const deps: TrashDeps = {
    prisma,
    events: app.events,
    requestSync: async (accountIds) => {
      for (const accountId of accountIds) await requestSync(prisma, accountId);
      app.scheduler?.wake();
    },
  };
  const one =
    (trashed: boolean) =>
    async (request: { user: { id: string } | null; params: { id: string } }) => {
      const outcome = await moveToTrash(deps, request.user!.id, [request.params.id], trashed);
      if (outcome.ids.length === 0) throw notFound('No such message');
      return outcome;
    };
  const many =
    (trashed: boolean) =>
    async (request: { user: { id: string } | null; body: { ids: string[] } }) =>
      moveToTrash(deps, request.user!.id, request.body.ids, trashed);

  app.delete(
    '/api/messages/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'Move a message to the trash',
        description: SERVER_NOTE,
        params: MessageIdParams,
        response: { 200: TrashOutcome, ...messageErrors },
      },
    },
    one(true),
  );

  app.post(
    '/api/messages/:id/restore',
    {
      schema: {
        tags: ['messages'],
        summary: 'Take a message out of the trash',
        description:
          'Always possible: Popgate keeps its copy. serverCopyGone says when the copy on the POP3 server is already deleted.',
        params: MessageIdParams,
        response: { 200: TrashOutcome, ...messageErrors },
      },
    },
    one(false),
  );

  app.post(
    '/api/messages/trash',
    {
      schema: {
        tags: ['messages'],
        summary: 'Move many messages to the trash',
        description: `Ids that are not the caller’s messages are ignored. ${SERVER_NOTE}`,
        body: MessageIds,
        response: { 200: TrashOutcome, ...messageErrors },
      },
    },
    many(true),
  );

  app.post(
    '/api/messages/restore',
    {
      schema: {
        tags: ['messages'],
        summary: 'Take many messages out of the trash',
        description: 'Ids that are not the caller’s messages are ignored.',
        body: MessageIds,
        response: { 200: TrashOutcome, ...messageErrors },
      },
    },
    many(false),
  );
};
