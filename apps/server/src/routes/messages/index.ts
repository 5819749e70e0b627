import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** The /api/messages routes. */
export const messageRoutes: FastifyPluginAsyncTypebox = async () => {};
