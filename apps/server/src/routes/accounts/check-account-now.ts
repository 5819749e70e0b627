import { SyncRequested } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ownedAccount } from '../../accounts/owned-account';
import { HttpError } from '../../plugins/errors';
import { requestSync } from '../../sync/presence';
import { AccountParams, accountErrors } from './responses';

export const checkAccountNowRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.post(
    '/api/accounts/:id/sync',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Check one of my accounts for new mail now (progress arrives as events)',
        params: AccountParams,
        response: { 202: SyncRequested, ...accountErrors },
      },
    },
    async (request, reply) => {
      const account = await ownedAccount(prisma, request.user!.id, request.params.id);
      if (account.disabled) {
        throw new HttpError(
          409,
          'ACCOUNT_DISABLED',
          'This account is switched off; switch it on to check it',
        );
      }
      await requestSync(prisma, account.id);
      app.scheduler?.wake();
      return reply.code(202).send({ accountId: account.id, requested: true });
    },
  );
};
