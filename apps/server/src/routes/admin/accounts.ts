import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AccountDiagnostics,
  AdminAccount,
  AdminAccountPatch,
  AdminAccountQuery,
  AccountSyncRunQuery,
  ErrorReply,
  SyncRunOut,
  SyncRunQuery,
  type SyncOutcome,
} from '@popgate/contracts';
import { Type } from 'typebox';
import { audit } from '../../audit/audit-log';
import { auditOrigin } from '../audit-origin';
import type { Prisma } from '../../generated/prisma/client';
import { messageVolumes, type MessageVolume } from '../../messages/counts';
import { notFound } from '../../plugins/errors';
import { requestSync } from '../../sync/presence';
import { accountDiagnostics } from './account-diagnostics';
import { authMethodToApi } from '../../accounts/auth-method-names';
import { grantSummarySelect, toGrantSummary } from '../../oauth/grant-summary';

const Id = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply };

type AccountWithOwner = Prisma.Pop3AccountGetPayload<{
  include: {
    user: { select: { id: true; email: true } };
    oauthGrant: { select: typeof grantSummarySelect };
  };
}>;

function toAdminAccount(account: AccountWithOwner, volume: MessageVolume | undefined) {
  return {
    id: account.id,
    owner: { id: account.user.id, email: account.user.email },
    label: account.label,
    host: account.host,
    port: account.port,
    security: account.security,
    status: account.disabled ? 'disabled' : account.status,
    disabled: account.disabled,
    lastSyncAt: account.lastSyncAt?.toISOString() ?? null,
    nextSyncAt: account.disabled ? null : account.nextSyncAt.toISOString(),
    lastError: account.lastError,
    lastErrorCode: account.lastErrorCode,
    messageCount: volume?.messageCount ?? 0,
    bytes: volume?.bytes ?? 0,
    auth: authMethodToApi(account.authMethod),
    oauth: toGrantSummary(account.oauthGrant),
    unchangedPolls: account.unchangedPolls,
    unchangedSince: account.unchangedSince?.toISOString() ?? null,
  };
}

const SORTS = {
  host: (order: 'asc' | 'desc') => ({ host: order }),
  status: (order: 'asc' | 'desc') => ({ status: order }),
  lastSyncAt: (order: 'asc' | 'desc') => ({ lastSyncAt: order }),
  owner: (order: 'asc' | 'desc') => ({ user: { email: order } }),
} as const;

/** Linked accounts across all users: status, volume, history and diagnostics; no mail content. */
export const adminAccountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  const include = {
    user: { select: { id: true, email: true } },
    oauthGrant: { select: grantSummarySelect },
  } as const;
  const find = async (id: string) => {
    const account = await prisma.pop3Account.findUnique({ where: { id }, include });
    if (!account) throw notFound('No such account');
    return account;
  };

  app.get(
    '/api/admin/accounts',
    {
      schema: {
        tags: ['admin'],
        summary: 'Linked accounts of every user; filter by status, host, owner; sort',
        querystring: AdminAccountQuery,
        response: { 200: Type.Object({ items: Type.Array(AdminAccount) }), ...errors },
      },
    },
    async (request) => {
      const { q, status, host, ownerId, sort = 'host', order = 'asc' } = request.query;
      const accounts = await prisma.pop3Account.findMany({
        where: {
          ...(status === 'disabled'
            ? { disabled: true }
            : status
              ? { status, disabled: false }
              : {}),
          ...(host && { host: host.toLowerCase() }),
          ...(ownerId && { userId: ownerId }),
          ...(q && {
            OR: [
              { host: { contains: q.toLowerCase() } },
              { label: { contains: q, mode: 'insensitive' as const } },
              { user: { email: { contains: q.toLowerCase() } } },
            ],
          }),
        },
        include,
        orderBy: sort === 'messageCount' ? { createdAt: 'asc' } : SORTS[sort](order),
        take: 5000,
      });
      const volume = await messageVolumes(
        prisma,
        accounts.map((a) => a.id),
      );
      const items = accounts.map((a) => toAdminAccount(a, volume.get(a.id)));
      if (sort === 'messageCount')
        items.sort((a, b) => (order === 'asc' ? 1 : -1) * (a.messageCount - b.messageCount));
      return { items };
    },
  );

  app.patch(
    '/api/admin/accounts/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Disable or enable a linked account (a disabled one is not polled)',
        params: Id,
        body: AdminAccountPatch,
        response: { 200: AdminAccount, ...errors },
      },
    },
    async (request) => {
      const account = await find(request.params.id);
      const updated = await prisma.pop3Account.update({
        where: { id: account.id },
        data: {
          disabled: request.body.disabled,
          ...(!request.body.disabled && { nextSyncAt: new Date() }),
        },
        include,
      });
      await app.events.publish(account.userId, 'account.status', {
        accountId: account.id,
        status: updated.disabled ? 'disabled' : updated.status,
      });
      await audit(prisma, auditOrigin(request), {
        action: request.body.disabled ? 'admin.account_disabled' : 'admin.account_enabled',
        actor: request.user,
        targetType: 'account',
        targetId: account.id,
        details: { owner: account.user.email, host: account.host },
      });
      return toAdminAccount(updated, (await messageVolumes(prisma, [account.id])).get(account.id));
    },
  );

  app.post(
    '/api/admin/accounts/:id/sync',
    {
      schema: {
        tags: ['admin'],
        summary: 'Check an account now',
        params: Id,
        response: { 202: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const account = await find(request.params.id);
      await requestSync(prisma, account.id);
      app.scheduler?.wake();
      await audit(prisma, auditOrigin(request), {
        action: 'admin.account_sync',
        actor: request.user,
        targetType: 'account',
        targetId: account.id,
      });
      return reply.code(202).send(null);
    },
  );

  app.get(
    '/api/admin/accounts/:id/sync-runs',
    {
      schema: {
        tags: ['admin'],
        summary: "An account's sync history, newest first",
        params: Id,
        querystring: AccountSyncRunQuery,
        response: { 200: Type.Object({ items: Type.Array(SyncRunOut) }), ...errors },
      },
    },
    async (request) => {
      const account = await find(request.params.id);
      const runs = await prisma.syncRun.findMany({
        where: { accountId: account.id },
        orderBy: { startedAt: 'desc' },
        take: request.query.limit ?? 100,
      });
      return { items: runs.map(toSyncRunOut) };
    },
  );

  app.get(
    '/api/admin/sync-runs',
    {
      schema: {
        tags: ['admin'],
        summary: 'Recent sync runs of every account',
        querystring: SyncRunQuery,
        response: { 200: Type.Object({ items: Type.Array(SyncRunOut) }), ...errors },
      },
    },
    async (request) => {
      const runs = await prisma.syncRun.findMany({
        where: request.query.outcome ? { outcome: request.query.outcome } : {},
        orderBy: { startedAt: 'desc' },
        take: request.query.limit ?? 200,
      });
      return { items: runs.map(toSyncRunOut) };
    },
  );

  app.get(
    '/api/admin/accounts/:id/diagnostics',
    {
      schema: {
        tags: ['admin'],
        summary:
          'What the server told Popgate at the last check: capabilities, TLS, LOGIN-DELAY, EXPIRE, warnings',
        params: Id,
        response: { 200: AccountDiagnostics, ...errors },
      },
    },
    async (request) => accountDiagnostics(await find(request.params.id)),
  );
};

function toSyncRunOut(run: {
  id: string;
  accountId: string;
  instanceId: string;
  startedAt: Date;
  endedAt: Date | null;
  outcome: SyncOutcome;
  newMessages: number;
  bytes: bigint;
  deletedOnServer: number;
  errorCode: string | null;
  error: string | null;
  unchangedBefore: number;
}) {
  return {
    ...run,
    startedAt: run.startedAt.toISOString(),
    endedAt: run.endedAt?.toISOString() ?? null,
    bytes: Number(run.bytes),
  };
}
