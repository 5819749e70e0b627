import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/prisma';

/** Server-side sessions: the cookie carries a random token, the database only its sha256. */
export const SESSION_COOKIE = 'popgate_session';
export const SESSION_DAYS = 30;
const TOUCH_EVERY_MS = 5 * 60 * 1000;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface SessionUser {
  id: string;
  email: string;
  role: 'admin' | 'user';
  sessionId: string;
}

export async function createSession(
  prisma: Db,
  userId: string,
  meta: { ip: string; userAgent?: string | undefined },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  await prisma.session.create({
    data: {
      tokenHash: hashToken(token),
      userId,
      expiresAt,
      ip: meta.ip,
      userAgent: meta.userAgent?.slice(0, 500) ?? null,
    },
  });
  return { token, expiresAt };
}

/** A valid session: whose it is and until when. */
export interface ValidSession {
  user: SessionUser;
  expiresAt: Date;
}

/**
 * The session of a token, or null (unknown, expired, revoked, or user disabled), asking the
 * database. Requests go through SessionCache, which calls this at most every few seconds.
 */
export async function lookupSession(
  prisma: Db,
  token: string | undefined,
): Promise<ValidSession | null> {
  if (!token || token.length > 200) return null;
  const session = await prisma.session.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { user: true },
  });
  const now = Date.now();
  if (!session || session.revokedAt || session.expiresAt.getTime() <= now || session.user.disabled)
    return null;
  if (now - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await prisma.session.update({ where: { id: session.id }, data: { lastSeenAt: new Date(now) } });
  }
  return {
    user: {
      id: session.user.id,
      email: session.user.email,
      role: session.user.role,
      sessionId: session.id,
    },
    expiresAt: session.expiresAt,
  };
}

export async function revokeSession(prisma: Db, sessionId: string): Promise<void> {
  await prisma.session.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
}

/** Ends every session of a user (all, or all but one). */
export async function revokeUserSessions(
  prisma: Db,
  userId: string,
  exceptSessionId?: string,
): Promise<void> {
  await prisma.session.updateMany({
    where: { userId, revokedAt: null, ...(exceptSessionId && { id: { not: exceptSessionId } }) },
    data: { revokedAt: new Date() },
  });
}
