import {
  EmptyTrashQuery,
  PermanentDeleteBody,
  PermanentDeletion,
  PermanentDeletionPreview,
} from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  deletePermanently,
  permanentDeletionPreview,
  type PermanentDeleteDeps,
} from '../../messages/permanent-delete';
import { requestSync } from '../../sync/presence';
import { messageErrors } from './errors';

const SERVER_NOTE =
  'Only messages in the Trash. The copy on the POP3 server follows the account’s policy: where it deletes what is deleted here (or after some days, or does not leave mail on the server), the next check deletes it; otherwise it stays there and is not downloaded again.';

/** Delete permanently and empty the Trash: POST /api/messages/delete-permanently, /empty-trash. */
export const permanentDeleteRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  const deps: PermanentDeleteDeps = {
    prisma,
    events: app.events,
    requestSync: async (accountIds) => {
      for (const accountId of accountIds) await requestSync(prisma, accountId);
      app.scheduler?.wake();
    },
  };

  app.post(
    '/api/messages/delete-permanently',
    {
      schema: {
        tags: ['messages'],
        summary: 'Delete trashed messages permanently',
        description: `Ids that are not the caller’s trashed messages are ignored. ${SERVER_NOTE}`,
        body: PermanentDeleteBody,
        response: { 200: PermanentDeletion, ...messageErrors },
      },
    },
    async (request) => deletePermanently(deps, request.user!.id, { ids: request.body.ids }),
  );

  app.get(
    '/api/messages/empty-trash',
    {
      schema: {
        tags: ['messages'],
        summary: 'What emptying the Trash would delete, here and on the servers',
        querystring: EmptyTrashQuery,
        response: { 200: PermanentDeletionPreview, ...messageErrors },
      },
    },
    async (request) =>
      permanentDeletionPreview(prisma, request.user!.id, {
        wholeTrash: true,
        accountId: request.query.accountId,
      }),
  );

  app.post(
    '/api/messages/empty-trash',
    {
      schema: {
        tags: ['messages'],
        summary: 'Empty the Trash: delete every trashed message permanently',
        description: SERVER_NOTE,
        querystring: EmptyTrashQuery,
        response: { 200: PermanentDeletion, ...messageErrors },
      },
    },
    async (request) =>
      deletePermanently(deps, request.user!.id, {
        wholeTrash: true,
        accountId: request.query.accountId,
      }),
  );
};
