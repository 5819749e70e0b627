import { AccountOut } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { accountGrants } from '../../accounts/account-oauth';
import { toAccountOut } from '../../accounts/account-out';
import { messageCounts } from '../../messages/counts';
import { ownedAccount } from '../../accounts/owned-account';
import { AccountParams, accountErrors } from './responses';

export const getAccountRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.get(
    '/api/accounts/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: 'One of my accounts',
        params: AccountParams,
        response: { 200: AccountOut, ...accountErrors },
      },
    },
    async (request) => {
      const account = await ownedAccount(prisma, request.user!.id, request.params.id);
      const counts = await messageCounts(prisma, [account.id]);
      const grants = await accountGrants(prisma, [account.id]);
      return toAccountOut(account, counts(account.id), grants(account.id));
    },
  );
};
