import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AdminUser,
  AdminUserCreate,
  AdminUserCreated,
  AdminUserList,
  AdminUserPatch,
  AdminUserQuery,
  ErrorReply,
} from '@popgate/contracts';
import { Type } from 'typebox';
import { audit } from '../../audit/audit-log';
import { auditOrigin } from '../audit-origin';
import type { Db } from '../../db/prisma';
import { HttpError, notFound } from '../../plugins/errors';
import { hashPassword } from '../../users/password';
import { removeUser } from '../../users/remove-user';
import { PreparedExports } from '../../portability/prepared-exports';
import { exportsDir } from '../portability/exports';
import { hashToken, revokeUserSessions } from '../../users/sessions';

const Id = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = {
  400: ErrorReply,
  401: ErrorReply,
  403: ErrorReply,
  404: ErrorReply,
  409: ErrorReply,
};
const SIGN_IN_LINK_DAYS = 7;

async function toAdminUser(prisma: Db, id: string) {
  const user = await prisma.user.findUnique({
    where: { id },
    include: { _count: { select: { accounts: true } } },
  });
  if (!user) throw notFound('No such user');
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    disabled: user.disabled,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    accountCount: user._count.accounts,
  };
}

/** Users: list and search, create, disable and enable, sign out everywhere, promote and demote. */
export const adminUserRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;

  app.get(
    '/api/admin/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'List and search users',
        querystring: AdminUserQuery,
        response: { 200: AdminUserList, ...errors },
      },
    },
    async (request) => {
      const { q, role, disabled } = request.query;
      const users = await prisma.user.findMany({
        where: {
          ...(q && { email: { contains: q.trim().toLowerCase() } }),
          ...(role && { role }),
          ...(disabled !== undefined && { disabled }),
        },
        include: { _count: { select: { accounts: true } } },
        orderBy: { email: 'asc' },
        take: 1000,
      });
      return {
        items: users.map((user) => ({
          id: user.id,
          email: user.email,
          role: user.role,
          disabled: user.disabled,
          createdAt: user.createdAt.toISOString(),
          lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
          accountCount: user._count.accounts,
        })),
      };
    },
  );

  app.post(
    '/api/admin/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create a user with an initial password, or get a one-time sign-in link for them',
        body: AdminUserCreate,
        response: { 201: AdminUserCreated, ...errors },
      },
    },
    async (request, reply) => {
      const email = request.body.email.trim().toLowerCase();
      if (await prisma.user.findUnique({ where: { email } })) {
        throw new HttpError(409, 'EMAIL_TAKEN', 'There is already a user with this address');
      }
      const passwordHash = request.body.password ? await hashPassword(request.body.password) : null;
      const user = await prisma.user.create({
        data: { email, passwordHash, role: request.body.role ?? 'user' },
      });
      let signInLink: string | null = null;
      if (!passwordHash) {
        const token = randomBytes(32).toString('base64url');
        await prisma.signInLink.create({
          data: {
            tokenHash: hashToken(token),
            userId: user.id,
            expiresAt: new Date(Date.now() + SIGN_IN_LINK_DAYS * 86_400_000),
          },
        });
        signInLink = `/sign-in/link#${token}`;
      }
      await audit(prisma, auditOrigin(request), {
        action: 'admin.user_created',
        actor: request.user,
        targetType: 'user',
        targetId: user.id,
        details: { email, role: user.role, with: passwordHash ? 'password' : 'sign-in link' },
      });
      return reply.code(201).send({ user: await toAdminUser(prisma, user.id), signInLink });
    },
  );

  app.patch(
    '/api/admin/users/:id',
    {
      schema: {
        tags: ['admin'],
        summary:
          'Promote, demote, disable or enable a user (a disabled user is signed out at once)',
        params: Id,
        body: AdminUserPatch,
        response: { 200: AdminUser, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      // Only these two columns may change here; nothing else of the body reaches the database.
      const { role, disabled } = request.body;
      const change = {
        ...(role !== undefined && { role }),
        ...(disabled !== undefined && { disabled }),
      };
      const target = await prisma.user.findUnique({ where: { id } });
      if (!target) throw notFound('No such user');
      const losesAdmin =
        target.role === 'admin' && !target.disabled && (role === 'user' || disabled === true);
      await prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(7270701)`;
        if (losesAdmin) {
          const admins = await tx.user.count({ where: { role: 'admin', disabled: false } });
          if (admins <= 1) {
            throw new HttpError(
              409,
              'LAST_ADMIN',
              'This is the last admin: promote someone else first',
            );
          }
        }
        await tx.user.update({ where: { id }, data: change });
      });
      // A new role, or a disabled user, counts from this process's next request on.
      app.sessions.forgetUser(id);
      if (disabled === true) {
        await revokeUserSessions(prisma, id);
        await app.events.publish(id, 'session.ended', { reason: 'disabled' });
      }
      await audit(prisma, auditOrigin(request), {
        action: 'admin.user_changed',
        actor: request.user,
        targetType: 'user',
        targetId: id,
        details: change,
      });
      return toAdminUser(prisma, id);
    },
  );

  app.post(
    '/api/admin/users/:id/sign-out',
    {
      schema: {
        tags: ['admin'],
        summary: 'Sign a user out everywhere',
        params: Id,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await prisma.user.findUnique({ where: { id } }))) throw notFound('No such user');
      await revokeUserSessions(prisma, id);
      app.sessions.forgetUser(id);
      await app.events.publish(id, 'session.ended', { reason: 'signed out by an admin' });
      await audit(prisma, auditOrigin(request), {
        action: 'admin.user_signed_out',
        actor: request.user,
        targetType: 'user',
        targetId: id,
      });
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/admin/users/:id',
    {
      schema: {
        tags: ['admin'],
        summary:
          'Delete a user with everything of theirs (accounts, messages, drafts, sessions); the audit log keeps only that it happened',
        params: Id,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await prisma.user.findUnique({ where: { id } }))) throw notFound('No such user');
      await app.events.publish(id, 'session.ended', { reason: 'deleted by an admin' });
      const removed = await removeUser(prisma, id, request.log);
      app.sessions.forgetUser(id);
      PreparedExports.in(exportsDir(app.config.dataDir)).forgetUser(id);
      await audit(prisma, auditOrigin(request), {
        action: 'admin.user_deleted',
        actor: request.user,
        targetType: 'user',
        details: { ...removed },
      });
      return reply.code(204).send(null);
    },
  );
};
