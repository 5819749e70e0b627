import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createIdentityRoute } from './create-identity';
import { deleteIdentityRoute } from './delete-identity';
import { getIdentityRoute } from './get-identity';
import { identityDefaultsRoute } from './identity-defaults';
import { listIdentitiesRoute } from './list-identities';
import { testIdentityConnectionRoute } from './test-identity-connection';
import { updateIdentityRoute } from './update-identity';

/** The /api/identities routes: the signed-in user's outgoing identities and SMTP tests. */
export const identityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Every route here is for the signed-in user only (401 for anyone else).
  app.addHook('preHandler', app.requireUser);
  await app.register(listIdentitiesRoute);
  await app.register(identityDefaultsRoute);
  await app.register(createIdentityRoute);
  await app.register(testIdentityConnectionRoute);
  await app.register(getIdentityRoute);
  await app.register(updateIdentityRoute);
  await app.register(deleteIdentityRoute);
};
