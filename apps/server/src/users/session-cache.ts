import type { Db } from '../db/prisma';
import { lookupSession, type SessionUser, type ValidSession } from './sessions';

/**
 * How long a session read from the database is trusted without asking again. It bounds how late
 * this process learns of a revocation that another process made and did not announce.
 */
export const SESSION_TRUST_MS = 2000;
/** Beyond this many sessions the oldest entries make room. */
const MAX_TRUSTED = 10_000;

interface Trusted {
  user: SessionUser;
  until: number;
}

interface Lookup {
  generation: number;
  answer: Promise<ValidSession | null>;
}

/**
 * The signed-in user of a session token, without a database query on every request: a session
 * read from the database is trusted for SESSION_TRUST_MS, never past its expiry. What this
 * process revokes or changes it forgets at once, and an answer read before that is never kept
 * (the generation moves on), so the next request of a signed-out session is refused.
 */
export class SessionCache {
  private readonly trusted = new Map<string, Trusted>();
  private readonly lookups = new Map<string, Lookup>();
  /** Moves on at every forget: lookups begun before it are not kept nor shared. */
  private generation = 0;

  constructor(
    private readonly prisma: Db,
    private readonly trustMs = SESSION_TRUST_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The user of `token`, or null (unknown, expired, revoked, or user disabled). */
  async user(token: string | undefined): Promise<SessionUser | null> {
    if (!token) return null;
    const hit = this.trusted.get(token);
    if (hit && hit.until > this.now()) return hit.user;
    if (hit) this.trusted.delete(token);
    // Requests that arrive together share one query.
    let lookup = this.lookups.get(token);
    if (!lookup || lookup.generation !== this.generation) lookup = this.startLookup(token);
    return (await lookup.answer)?.user ?? null;
  }

  /** Forget one session (signed out here). */
  forgetSession(sessionId: string): void {
    this.forget((user) => user.sessionId === sessionId);
  }

  /** Forget every session of a user (signed out everywhere, disabled, role or password changed). */
  forgetUser(userId: string): void {
    this.forget((user) => user.id === userId);
  }

  private forget(matches: (user: SessionUser) => boolean): void {
    this.generation += 1;
    this.lookups.clear();
    for (const [token, { user }] of this.trusted) if (matches(user)) this.trusted.delete(token);
  }

  private startLookup(token: string): Lookup {
    const generation = this.generation;
    const lookup: Lookup = { generation, answer: lookupSession(this.prisma, token) };
    this.lookups.set(token, lookup);
    const done = () => {
      if (this.lookups.get(token) === lookup) this.lookups.delete(token);
    };
    lookup.answer.then((session) => {
      done();
      if (session && generation === this.generation) this.trust(token, session);
    }, done);
    return lookup;
  }

  private trust(token: string, session: ValidSession): void {
    if (this.trusted.size >= MAX_TRUSTED) {
      // A Map iterates in insertion order: the first one is the oldest.
      this.trusted.delete(this.trusted.keys().next().value!);
    }
    const until = Math.min(this.now() + this.trustMs, session.expiresAt.getTime());
    this.trusted.set(token, { user: session.user, until });
  }
}
