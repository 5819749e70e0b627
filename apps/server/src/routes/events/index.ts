import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** The /api/events routes. */
export const eventRoutes: FastifyPluginAsyncTypebox = async () => {};
