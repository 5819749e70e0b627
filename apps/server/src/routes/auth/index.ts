import {
  ChangePassword,
  Credentials,
  ErrorReply,
  Me,
  NewPassword,
  SignInLinkIn,
} from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { audit } from '../../audit/audit-log';
import { auditOrigin } from '../audit-origin';
import { deriveKey } from '../../crypto/derive-key';
import { rateLimited } from '../../domain-errors';
import { takeAllowance } from '../../limits/allowance';
import { ConcurrencyGate } from '../../limits/concurrency-gate';
import { HttpError } from '../../plugins/errors';
import { KNOWN_DEVICE_COOKIE, KNOWN_DEVICE_DAYS, KnownDevices } from '../../users/known-device';
import {
  hashPassword,
  verifyPassword,
  verifyPasswordOrNothing,
  warmDummyHash,
} from '../../users/password';
import { createSession, hashToken, revokeSession, revokeUserSessions } from '../../users/sessions';
import { reserveSignIn, settleSignIn } from '../../users/sign-in-throttle';
import { leaveRoute } from './leave';
import { signUpStatusRoute } from './sign-up-status';

const SignUp = Type.Object(
  { email: Credentials.properties.email, password: NewPassword },
  { additionalProperties: false },
);
const errors = {
  400: ErrorReply,
  401: ErrorReply,
  403: ErrorReply,
  409: ErrorReply,
  429: ErrorReply,
};

/** Sign-ups one address may make per hour: enough for a family or a classroom, not for a flood. */
export const SIGN_UPS_PER_ADDRESS_PER_HOUR = 20;

/** Sign-up, sign-in, sign-out, who am I, and changing one's password. */
export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  const devices = new KnownDevices(deriveKey(app.secretKey, 'known-device'));
  // Hashing a new password is the costliest thing a request can ask for: a flood of sign-ups
  // waits its turn here instead of taking every hashing thread from people signing in.
  const signUpHashing = new ConcurrencyGate(1, 20);
  void warmDummyHash();

  const signUpClosed = () =>
    new HttpError(
      403,
      'SIGNUP_CLOSED',
      'Sign-up is closed on this Popgate; ask an admin for an account',
    );
  const emailTaken = () =>
    new HttpError(409, 'EMAIL_TAKEN', 'There is already a user with this address; sign in instead');

  /** Opens a session for the user, sets its cookie, and records when and how it began. */
  async function signIn(
    request: FastifyRequest,
    reply: FastifyReply,
    user: { id: string; email: string; role: string },
    action: 'user.signup' | 'user.login',
  ): Promise<void> {
    const session = await createSession(prisma, user.id, {
      ip: request.ip,
      userAgent: request.headers['user-agent'],
    });
    app.setSessionCookie(request, reply, session.token, session.expiresAt);
    reply.setCookie(KNOWN_DEVICE_COOKIE, devices.mark(user.email), {
      path: '/api/auth',
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
      maxAge: KNOWN_DEVICE_DAYS * 86_400,
    });
    await prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    await audit(prisma, auditOrigin(request), {
      action,
      actor: user,
      targetType: 'user',
      targetId: user.id,
      ...(action === 'user.signup' && { details: { role: user.role } }),
    });
  }

  app.post(
    '/api/auth/signup',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Create a user (the first one becomes admin; later ones while an admin has sign-up open)',
        body: SignUp,
        response: { 201: Me, ...errors },
      },
    },
    async (request, reply) => {
      const email = request.body.email.trim().toLowerCase();
      // Everything that can refuse the sign-up is asked before the costly hashing.
      const [count, policy, existing] = await Promise.all([
        prisma.user.count(),
        prisma.policy.findUniqueOrThrow({ where: { id: 1 } }),
        prisma.user.findUnique({ where: { email }, select: { id: true } }),
      ]);
      if (count > 0 && !policy.signupOpen) throw signUpClosed();
      if (existing) throw emailTaken();
      const wait = await takeAllowance(
        prisma,
        `signup:${request.ip}`,
        SIGN_UPS_PER_ADDRESS_PER_HOUR,
        3_600_000,
      );
      if (wait > 0) throw rateLimited('Too many sign-ups from this address', wait);
      const passwordHash = await signUpHashing.run(() => hashPassword(request.body.password));
      if (passwordHash === null) throw rateLimited('Many people are signing up right now', 5);
      // The first user becomes admin; later ones only while sign-up is open. Decided in one
      // transaction so two simultaneous first sign-ups cannot both become admin.
      const user = await prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(7270701)`;
        const [count, policy] = await Promise.all([
          tx.user.count(),
          tx.policy.findUniqueOrThrow({ where: { id: 1 } }),
        ]);
        if (count > 0 && !policy.signupOpen) throw signUpClosed();
        if (await tx.user.findUnique({ where: { email } })) throw emailTaken();
        return tx.user.create({
          data: { email, passwordHash, role: count === 0 ? 'admin' : 'user' },
        });
      });
      await signIn(request, reply, user, 'user.signup');
      return reply.code(201).send({ id: user.id, email: user.email, role: user.role });
    },
  );

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in',
        body: Credentials,
        response: { 200: Me, ...errors },
      },
    },
    async (request, reply) => {
      const email = request.body.email.trim().toLowerCase();
      const reserved = await reserveSignIn(prisma, {
        ip: request.ip,
        email,
        knownDevice: devices.recognises(request.cookies[KNOWN_DEVICE_COOKIE], email),
      });
      if ('waitSeconds' in reserved) {
        throw rateLimited('Too many failed sign-ins', reserved.waitSeconds);
      }
      const user = await prisma.user.findUnique({ where: { email } });
      const ok = await verifyPasswordOrNothing(user?.passwordHash, request.body.password);
      if (!user || !ok || user.disabled) {
        await settleSignIn(prisma, reserved.ticket, false);
        await audit(prisma, auditOrigin(request), {
          action: 'user.login_failed',
          targetType: 'user',
          targetId: user?.id,
          details: { email },
        });
        // The same answer whether the address exists or not.
        throw new HttpError(
          401,
          'BAD_CREDENTIALS',
          user?.disabled && ok ? 'This user is disabled; ask an admin' : 'Wrong email or password',
        );
      }
      await settleSignIn(prisma, reserved.ticket, true);
      await signIn(request, reply, user, 'user.login');
      return { id: user.id, email: user.email, role: user.role };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign out (ends this session)',
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      if (request.user) {
        await revokeSession(prisma, request.user.sessionId);
        app.sessions.forgetSession(request.user.sessionId);
        await audit(prisma, auditOrigin(request), {
          action: 'user.logout',
          actor: request.user,
          targetType: 'user',
          targetId: request.user.id,
        });
      }
      app.clearSessionCookie(request, reply);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/auth/link',
    {
      schema: {
        tags: ['auth'],
        summary: "Sign in once with an admin's sign-in link (then set a password)",
        body: SignInLinkIn,
        response: { 200: Me, ...errors },
      },
    },
    async (request, reply) => {
      const link = await prisma.signInLink.findUnique({
        where: { tokenHash: hashToken(request.body.token) },
        include: { user: true },
      });
      // One answer for unknown, used and expired links: nothing to learn by guessing.
      if (!link || link.usedAt || link.expiresAt.getTime() <= Date.now() || link.user.disabled) {
        throw new HttpError(
          401,
          'BAD_LINK',
          'This sign-in link is not valid any more; ask an admin for a new one',
        );
      }
      const used = await prisma.signInLink.updateMany({
        where: { id: link.id, usedAt: null },
        data: { usedAt: new Date() },
      });
      if (used.count !== 1)
        throw new HttpError(
          401,
          'BAD_LINK',
          'This sign-in link is not valid any more; ask an admin for a new one',
        );
      await signIn(request, reply, link.user, 'user.login');
      return { id: link.user.id, email: link.user.email, role: link.user.role };
    },
  );

  // The signed-in user's own: 401 for anyone else.
  const signedInRoutes: FastifyPluginAsyncTypebox = async (signedIn) => {
    signedIn.addHook('preHandler', app.requireUser);

    signedIn.get(
      '/api/auth/me',
      {
        schema: {
          tags: ['auth'],
          summary: 'The signed-in user',
          response: { 200: Me, 401: ErrorReply },
        },
      },
      async (request) => {
        const user = request.user!;
        return { id: user.id, email: user.email, role: user.role };
      },
    );

    signedIn.post(
      '/api/auth/password',
      {
        schema: {
          tags: ['auth'],
          summary: 'Change my password (ends my other sessions)',
          body: ChangePassword,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        const me = request.user!;
        const user = await prisma.user.findUniqueOrThrow({ where: { id: me.id } });
        const current = request.body.currentPassword;
        // A user who came in through a sign-in link has no password yet: they set their first.
        if (user.passwordHash && !(current && (await verifyPassword(user.passwordHash, current)))) {
          throw new HttpError(403, 'BAD_CREDENTIALS', 'The current password is wrong');
        }
        await prisma.user.update({
          where: { id: me.id },
          data: { passwordHash: await hashPassword(request.body.newPassword) },
        });
        await revokeUserSessions(prisma, me.id, me.sessionId);
        app.sessions.forgetUser(me.id);
        await audit(prisma, auditOrigin(request), {
          action: 'user.password_changed',
          actor: me,
          targetType: 'user',
          targetId: me.id,
        });
        return reply.code(204).send(null);
      },
    );
  };
  await app.register(signedInRoutes);
  await app.register(signUpStatusRoute);
  await app.register(leaveRoute);
};
