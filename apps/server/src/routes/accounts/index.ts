import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** The /api/accounts routes. */
export const accountRoutes: FastifyPluginAsyncTypebox = async () => {};
