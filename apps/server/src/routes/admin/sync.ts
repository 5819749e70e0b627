import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AdminSyncStatus, ErrorReply } from '@popgate/contracts';
import { poolOf } from '../../db/prisma';
import { effectiveHostRule, serversInUse } from '../../sync/host-sessions';
import { countAccountsDue } from '../../sync/sync-metrics';

const errors = { 401: ErrorReply, 403: ErrorReply };

/** Polling now: the session rule in force, the backlog, sessions per server, this process's figures. */
export const adminSyncRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  const environment = {
    sessionsPerHost: app.config.syncPerHost.min,
    accountsPerHostSession: app.config.syncPerHost.accountsPerSession,
  };
  const fallback = {
    min: environment.sessionsPerHost,
    accountsPerSession: environment.accountsPerHostSession,
  };

  app.get(
    '/api/admin/sync',
    {
      schema: {
        tags: ['admin'],
        summary: 'Polling now: sessions per server, backlog, lateness, session target',
        response: { 200: AdminSyncStatus, ...errors },
      },
    },
    async () => {
      const [policy, accountsDue, servers, process] = await Promise.all([
        prisma.policy.findUniqueOrThrow({
          where: { id: 1 },
          select: { syncSessionsPerHost: true, syncAccountsPerHostSession: true },
        }),
        countAccountsDue(prisma),
        serversInUse(poolOf(prisma), fallback),
        app.syncMetrics.processStats(),
      ]);
      const rule = effectiveHostRule(policy, fallback);
      return {
        sessionRule: {
          sessionsPerHost: rule.min,
          accountsPerHostSession: rule.accountsPerSession ?? null,
          environment,
        },
        accountsDue,
        servers,
        process,
      };
    },
  );
};
