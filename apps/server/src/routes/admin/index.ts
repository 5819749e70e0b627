import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminAccountRoutes } from './accounts';
import { adminAuditRoutes } from './audit';
import { adminOAuthProviderRoutes } from './oauth-providers';
import { adminOverviewRoutes } from './overview';
import { adminPolicyRoutes } from './policy';
import { adminSyncRoutes } from './sync';
import { adminUserRoutes } from './users';

/** /api/admin/*: admins manage users, linked accounts, policy and audit; never anyone's mail. */
export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireAdmin);
  await app.register(adminUserRoutes);
  await app.register(adminAccountRoutes);
  await app.register(adminPolicyRoutes);
  await app.register(adminOAuthProviderRoutes);
  await app.register(adminAuditRoutes);
  await app.register(adminOverviewRoutes);
  await app.register(adminSyncRoutes);
};
