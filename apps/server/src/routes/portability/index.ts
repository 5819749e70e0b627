import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { exportRoute } from './export';
import { exportRoutes } from './exports';
import { importRoutes } from './imports';
import { labelRoutes } from './labels';

/** Export and import of the caller's own mail, and the labels imported mail came with. */
export const portabilityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireUser);
  await app.register(exportRoute);
  await app.register(exportRoutes);
  await app.register(importRoutes);
  await app.register(labelRoutes);
};
