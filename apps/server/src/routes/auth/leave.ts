import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorReply, LeaveIn } from '@popgate/contracts';
import { Type } from 'typebox';
import { audit } from '../../audit/audit-log';
import { HttpError } from '../../plugins/errors';
import { verifyPassword } from '../../users/password';
import { removeUser } from '../../users/remove-user';
import { PreparedExports } from '../../portability/prepared-exports';
import { exportsDir } from '../portability/exports';

/** DELETE /api/auth/me: the signed-in user leaves, with everything of theirs. */
export const leaveRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.addHook('preHandler', app.requireUser);
  app.delete(
    '/api/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Delete my user: every account, message, draft and session of mine is removed here (nothing is deleted on the POP3 servers)',
        body: LeaveIn,
        response: {
          204: Type.Null(),
          400: ErrorReply,
          401: ErrorReply,
          403: ErrorReply,
          409: ErrorReply,
        },
      },
    },
    async (request, reply) => {
      const me = request.user!;
      const user = await prisma.user.findUniqueOrThrow({ where: { id: me.id } });
      if (!user.passwordHash) {
        throw new HttpError(
          403,
          'PASSWORD_REQUIRED',
          'Set a password first (you signed in with a link); then delete your user with it',
        );
      }
      if (!(await verifyPassword(user.passwordHash, request.body.password))) {
        throw new HttpError(403, 'BAD_CREDENTIALS', 'The password is wrong; nothing was deleted');
      }
      // Every process forgets the sessions and ends the event streams before the rows go.
      await app.events.publish(me.id, 'session.ended', { reason: 'user deleted' });
      const removed = await removeUser(prisma, me.id, request.log);
      app.sessions.forgetUser(me.id);
      PreparedExports.in(exportsDir(app.config.dataDir)).forgetUser(me.id);
      // Only that it happened: not who, nor from where.
      await audit(
        prisma,
        { ip: null, userAgent: null },
        {
          action: 'user.deleted',
          targetType: 'user',
          details: { by: 'self', ...removed },
        },
      );
      app.clearSessionCookie(request, reply);
      return reply.code(204).send(null);
    },
  );
};
