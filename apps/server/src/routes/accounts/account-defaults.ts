import { AccountPolicy } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { accountPolicyDefaults } from '../../accounts/account-defaults';
import { loadPolicy } from '../../accounts/account-policy-check';
import { accountErrors } from './responses';

export const accountDefaultsRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.get(
    '/api/accounts/defaults',
    {
      schema: {
        tags: ['accounts'],
        summary: "The policy a new account gets for what it leaves out (this Popgate's defaults)",
        response: { 200: AccountPolicy, ...accountErrors },
      },
    },
    async () => accountPolicyDefaults(await loadPolicy(prisma)),
  );
};
