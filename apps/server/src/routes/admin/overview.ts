import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AdminOverview, ErrorReply, type AccountStatus } from '@popgate/contracts';

const errors = { 401: ErrorReply, 403: ErrorReply };

/** Accounts by status, and syncs, errors, messages and bytes of the last 24 hours by hour. */
export const adminOverviewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;

  app.get(
    '/api/admin/overview',
    {
      schema: {
        tags: ['admin'],
        summary: 'Numbers for the admin overview',
        response: { 200: AdminOverview, ...errors },
      },
    },
    async () => {
      const [statuses, disabled, users, hourly] = await Promise.all([
        prisma.pop3Account.groupBy({
          by: ['status'],
          where: { disabled: false },
          _count: { _all: true },
        }),
        prisma.pop3Account.count({ where: { disabled: true } }),
        prisma.user.count(),
        prisma.$queryRaw<
          Array<{ hour: Date; syncs: number; errors: number; messages: number; bytes: number }>
        >`
          SELECT h.hour,
                 count(r.id)::int AS syncs,
                 count(r.id) FILTER (WHERE r.outcome IN ('failed', 'partial'))::int AS errors,
                 COALESCE(sum(r."newMessages"), 0)::int AS messages,
                 COALESCE(sum(r.bytes), 0)::float8 AS bytes
            FROM generate_series(date_trunc('hour', now()) - interval '23 hours', date_trunc('hour', now()), interval '1 hour') AS h(hour)
            LEFT JOIN sync_runs r ON date_trunc('hour', r."startedAt") = h.hour
           GROUP BY h.hour ORDER BY h.hour`,
      ]);
      const accountsByStatus: Partial<Record<AccountStatus, number>> = Object.fromEntries(
        statuses.map((s) => [s.status, s._count._all]),
      );
      if (disabled > 0) accountsByStatus.disabled = disabled;
      const total = (key: 'syncs' | 'errors' | 'messages' | 'bytes') =>
        hourly.reduce((sum, h) => sum + Number(h[key]), 0);
      return {
        accountsByStatus,
        users,
        last24h: {
          syncs: total('syncs'),
          failedSyncs: total('errors'),
          messages: total('messages'),
          bytes: total('bytes'),
          hourly: hourly.map((h) => ({
            hour: h.hour.toISOString(),
            syncs: h.syncs,
            errors: h.errors,
            messages: h.messages,
            bytes: Number(h.bytes),
          })),
        },
      };
    },
  );
};
