import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { oauthCallbackRoute } from './callback';
import { listProvidersRoute } from './list-providers';
import { startOAuthRoute } from './start';

/** /api/oauth: signing an account in at an OAuth2 provider, for the signed-in user. */
export const oauthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Every route here is for the signed-in user only (401 for anyone else); the callback also
  // checks that it is the very session that started the sign-in.
  app.addHook('preHandler', app.requireUser);
  await app.register(listProvidersRoute);
  await app.register(startOAuthRoute);
  await app.register(oauthCallbackRoute);
};
