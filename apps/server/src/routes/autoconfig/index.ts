import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getAutoconfigRoute } from './get-autoconfig';

/** /api/autoconfig: proposed settings for an address, for the signed-in user. */
export const autoconfigRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Every route here is for the signed-in user only (401 for anyone else).
  app.addHook('preHandler', app.requireUser);
  await app.register(getAutoconfigRoute);
};
