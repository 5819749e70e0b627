import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { cancelOutboxItemRoute } from './cancel-outbox-item';
import { listOutboxRoute } from './list-outbox';
import { retryOutboxItemRoute } from './retry-outbox-item';

/** The /api/outbox routes: the signed-in user's own outgoing messages. */
export const outboxRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireUser);
  await app.register(listOutboxRoute);
  await app.register(cancelOutboxItemRoute);
  await app.register(retryOutboxItemRoute);
};
