import { AccountList } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { accountGrants } from '../../accounts/account-oauth';
import { toAccountOut } from '../../accounts/account-out';
import { messageCounts } from '../../messages/counts';
import { accountErrors } from './responses';

export const listAccountsRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.get(
    '/api/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'My linked POP3 accounts, oldest first, with message and unread counts',
        response: { 200: AccountList, ...accountErrors },
      },
    },
    async (request) => {
      const accounts = await prisma.pop3Account.findMany({
        where: { userId: request.user!.id },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      const counts = await messageCounts(
        prisma,
        accounts.map((a) => a.id),
      );
      const grants = await accountGrants(
        prisma,
        accounts.map((a) => a.id),
      );
      return accounts.map((account) =>
        toAccountOut(account, counts(account.id), grants(account.id)),
      );
    },
  );
};
