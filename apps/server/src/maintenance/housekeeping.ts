import type { Db } from '../db/prisma';
import { removeOrphanSources } from '../messages/sources';

/** How long what only serves a while is kept. */
export const RETENTION = {
  /** Websocket resume reaches back this far; a client away longer reloads its list. */
  eventsDays: 7,
  signInAttemptsDays: 1,
  endedSessionsDays: 30,
  syncRunsDays: 90,
} as const;

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

export interface HousekeepingResult {
  events: number;
  signInAttempts: number;
  sessions: number;
  syncRuns: number;
  orphanSources: number;
  oauthAuthorizations: number;
}

/**
 * Removes what has served its time: old events, sign-in attempts, ended sessions, old sync-run
 * records, raw message bytes no message points to any more (their account was removed), and
 * OAuth2 sign-ins abandoned at the provider (past their 10 minutes, they can no longer finish).
 * Safe to run from several processes at once.
 */
export async function runHousekeeping(prisma: Db): Promise<HousekeepingResult> {
  const events = await prisma.event.deleteMany({
    where: { createdAt: { lt: daysAgo(RETENTION.eventsDays) } },
  });
  const signInAttempts = await prisma.loginAttempt.deleteMany({
    where: { at: { lt: daysAgo(RETENTION.signInAttemptsDays) } },
  });
  const sessions = await prisma.session.deleteMany({
    where: {
      OR: [
        { expiresAt: { lt: new Date() } },
        { revokedAt: { lt: daysAgo(RETENTION.endedSessionsDays) } },
      ],
    },
  });
  const syncRuns = await prisma.syncRun.deleteMany({
    where: { startedAt: { lt: daysAgo(RETENTION.syncRunsDays) } },
  });
  const orphanSources = await removeOrphanSources(prisma);
  const oauthAuthorizations = await prisma.oAuthAuthorization.deleteMany({
    where: { expiresAt: { lt: new Date() } },
  });
  return {
    events: events.count,
    signInAttempts: signInAttempts.count,
    sessions: sessions.count,
    syncRuns: syncRuns.count,
    orphanSources,
    oauthAuthorizations: oauthAuthorizations.count,
  };
}
