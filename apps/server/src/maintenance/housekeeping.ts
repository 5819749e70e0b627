import type { Db } from '../db/prisma';
import { removeOrphanSources } from '../messages/sources';
import { EVENTS, pruneBeyond, SYNC_RUNS } from './prune-beyond';
import { expirePortabilityJobs } from '../portability/expire-jobs';

/** How long what only serves a while is kept. */
export const RETENTION = {
  /** Websocket resume reaches back this far; a client away longer reloads its list. */
  eventsDays: 7,
  signInAttemptsDays: 1,
  endedSessionsDays: 30,
  syncRunsDays: 90,
} as const;

/**
 * Rows kept at most, whatever their age (config.ts: POPGATE_RETENTION_*_MAX_ROWS): the oldest go
 * first. Without them only age counts.
 */
export interface RetentionCaps {
  syncRunsMaxRows: number;
  eventsMaxRows: number;
}

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

export interface HousekeepingResult {
  events: number;
  signInAttempts: number;
  sessions: number;
  syncRuns: number;
  orphanSources: number;
  oauthAuthorizations: number;
  /** Finished imports and prepared exports past their day (and those files). */
  portabilityJobs: number;
}

/**
 * Removes what has served its time: events and sync-run records past their age (and the oldest
 * beyond the row caps, when given), sign-in attempts, ended sessions, raw message bytes no message points to any more (their account was removed), and
 * OAuth2 sign-ins abandoned at the provider (past their 10 minutes, they can no longer finish),
 * imports and prepared exports past their day (with their files), and marks those a stopped
 * process left running as interrupted. Safe to run from several processes at once.
 */
export async function runHousekeeping(
  prisma: Db,
  caps?: RetentionCaps,
): Promise<HousekeepingResult> {
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
  const syncRunsOverCap = caps ? await pruneBeyond(prisma, SYNC_RUNS, caps.syncRunsMaxRows) : 0;
  const eventsOverCap = caps ? await pruneBeyond(prisma, EVENTS, caps.eventsMaxRows) : 0;
  const orphanSources = await removeOrphanSources(prisma);
  const oauthAuthorizations = await prisma.oAuthAuthorization.deleteMany({
    where: { expiresAt: { lt: new Date() } },
  });
  const portabilityJobs = await expirePortabilityJobs(prisma);
  return {
    events: events.count + eventsOverCap,
    signInAttempts: signInAttempts.count,
    sessions: sessions.count,
    syncRuns: syncRuns.count + syncRunsOverCap,
    orphanSources,
    oauthAuthorizations: oauthAuthorizations.count,
    portabilityJobs,
  };
}
