import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { exportRoute } from './export';
import { exportRoutes } from './exports';
import { importRoutes } from './imports';

/** Export and import of the caller's own mail. */
export const portabilityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireUser);
  await app.register(exportRoute);
  await app.register(exportRoutes);
  await app.register(importRoutes);
};
