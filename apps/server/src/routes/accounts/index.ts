import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { accountDefaultsRoute } from './account-defaults';
import { checkAccountNowRoute } from './check-account-now';
import { createAccountRoute } from './create-account';
import { deleteAccountRoute } from './delete-account';
import { getAccountRoute } from './get-account';
import { listAccountsRoute } from './list-accounts';
import { testAccountConnectionRoute } from './test-account-connection';
import { updateAccountRoute } from './update-account';

/** The /api/accounts routes: the signed-in user's own POP3 accounts, and connection tests. */
export const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Every route here is for the signed-in user only (401 for anyone else).
  app.addHook('preHandler', app.requireUser);
  await app.register(listAccountsRoute);
  await app.register(accountDefaultsRoute);
  await app.register(createAccountRoute);
  await app.register(testAccountConnectionRoute);
  await app.register(getAccountRoute);
  await app.register(updateAccountRoute);
  await app.register(deleteAccountRoute);
  await app.register(checkAccountNowRoute);
};
