import cookie from '@fastify/cookie';
import { CSRF_HEADER, CsrfReply } from '@popgate/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { deriveKey } from '../crypto/derive-key';
import { CsrfTokens } from '../users/csrf-tokens';
import { SessionCache } from '../users/session-cache';
import { SESSION_COOKIE, type SessionUser } from '../users/sessions';
import { HttpError } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, or null. */
    user: SessionUser | null;
  }
  interface FastifyInstance {
    /** Who each session token belongs to; forget a session here as soon as it is revoked. */
    sessions: SessionCache;
    /** preHandler: 401 unless signed in. */
    requireUser: (request: FastifyRequest) => Promise<void>;
    /** preHandler: 401 unless signed in, 403 unless an admin. */
    requireAdmin: (request: FastifyRequest) => Promise<void>;
    setSessionCookie: (
      request: FastifyRequest,
      reply: FastifyReply,
      token: string,
      expiresAt: Date,
    ) => void;
    clearSessionCookie: (request: FastifyRequest, reply: FastifyReply) => void;
  }
}

export const CSRF_COOKIE = 'popgate_csrf';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Cookie sessions and CSRF. Each API request learns its user from the session cookie. Every
 * state-changing request (sign-up and sign-in included, whatever its path) must carry the CSRF
 * token from GET /api/auth/csrf in the x-csrf-token header: a token made for this browser's
 * CSRF cookie and its current session, renewed when the session begins or ends.
 */
export const authPlugin = fp(async (app: FastifyInstance) => {
  await app.register(cookie);
  app.decorateRequest('user', null);
  const sessions = new SessionCache(app.db.prisma);
  app.decorate('sessions', sessions);
  // An admin's sign-out or disabling of a user is announced on the event bus, which reaches
  // every process: each forgets that user's sessions at once instead of trusting them a while.
  let stopForgetting = () => {};
  app.addHook('onReady', async () => {
    stopForgetting = app.events.subscribe((event) => {
      if (event.type === 'session.ended') sessions.forgetUser(event.userId);
    });
  });
  app.addHook('onClose', async () => stopForgetting());

  const csrf = new CsrfTokens(deriveKey(app.secretKey, 'csrf'));
  // With POPGATE_TRUST_PROXY, the protocol the browser used as the proxy reports it.
  const secure = (request: FastifyRequest) => request.protocol === 'https';
  const setCsrfCookie = (request: FastifyRequest, reply: FastifyReply, nonce: string) => {
    reply.setCookie(CSRF_COOKIE, nonce, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: secure(request),
    });
  };

  app.addHook('onRequest', async (request) => {
    // Every state-changing request, whatever its path: the router decodes paths
    // (/%61pi/… is /api/…), so a check on the raw URL could be walked around.
    if (UNSAFE.has(request.method)) {
      const header = request.headers[CSRF_HEADER];
      const valid = csrf.matches(
        typeof header === 'string' ? header : undefined,
        request.cookies[CSRF_COOKIE],
        request.cookies[SESSION_COOKIE],
      );
      if (!valid) {
        throw new HttpError(
          403,
          'CSRF',
          'Missing or wrong x-csrf-token header: get one from GET /api/auth/csrf',
        );
      }
    }
    const route = request.routeOptions.url ?? '';
    if (!route.startsWith('/api/')) return;
    request.user = await sessions.user(request.cookies[SESSION_COOKIE]);
  });

  app.get(
    '/api/auth/csrf',
    {
      schema: {
        tags: ['auth'],
        summary: 'A CSRF token for state-changing requests',
        response: { 200: CsrfReply },
      },
    },
    async (request, reply) => {
      const nonce = request.cookies[CSRF_COOKIE] ?? csrf.newNonce();
      setCsrfCookie(request, reply, nonce);
      return { token: csrf.token(nonce, request.cookies[SESSION_COOKIE]) };
    },
  );

  app.decorate('requireUser', async (request: FastifyRequest) => {
    if (!request.user) throw new HttpError(401, 'UNAUTHENTICATED', 'Sign in first');
  });
  app.decorate('requireAdmin', async (request: FastifyRequest) => {
    if (!request.user) throw new HttpError(401, 'UNAUTHENTICATED', 'Sign in first');
    if (request.user.role !== 'admin')
      throw new HttpError(403, 'FORBIDDEN', 'Only an admin may do this');
  });
  app.decorate(
    'setSessionCookie',
    (request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: Date) => {
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: secure(request),
        expires: expiresAt,
      });
      // A new session, a new CSRF token: one learned before signing in is worth nothing after.
      setCsrfCookie(request, reply, csrf.newNonce());
    },
  );
  app.decorate('clearSessionCookie', (request: FastifyRequest, reply: FastifyReply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    setCsrfCookie(request, reply, csrf.newNonce());
  });
});
