import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { threadUnthreaded } from '../conversations/backfill';
import { runHousekeeping } from '../maintenance/housekeeping';
import { EventBus } from '../events/event-bus';
import { systemClock } from '../sync/clock';
import { DEFAULT_SCHEDULER_OPTIONS, SyncScheduler } from '../sync/scheduler';
import { registerSyncMetrics, type SyncMetrics } from '../sync/sync-metrics';
import type { SyncContext } from '../sync/sync-context';

declare module 'fastify' {
  interface FastifyInstance {
    events: EventBus;
    syncContext: SyncContext;
    /** Absent when this instance does not poll (tests of the HTTP side). */
    scheduler: SyncScheduler | null;
    syncMetrics: SyncMetrics;
  }
}

/**
 * The sync engine inside the server process: the event bus and (unless disabled) the scheduler
 * that polls accounts, which opens passwords with the keyring plugin's keyring. Stops before the
 * database closes.
 */
async function syncEngine(app: FastifyInstance, options: { poll: boolean }) {
  // NOTIFY on the embedded database reaches only its sender: fan out in-process there.
  const events = await EventBus.start(app.db.prisma, app.db.embedded ? undefined : app.db.url);
  const syncContext: SyncContext = {
    prisma: app.db.prisma,
    keyring: app.keyring,
    events,
    clock: systemClock,
    instanceId: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    allowPrivateNetworks: app.config.allowPrivateNetworks,
    log: app.log.child({ component: 'sync' }),
    oauth: app.oauthTokens,
  };
  const scheduler = options.poll
    ? new SyncScheduler(syncContext, {
        ...DEFAULT_SCHEDULER_OPTIONS,
        leaseSeconds: app.config.syncLeaseSeconds,
        maxSessions: app.config.syncMaxSessions,
        perHost: app.config.syncPerHost.min,
        accountsPerHostSession: app.config.syncPerHost.accountsPerSession,
        perUser: app.config.syncPerUser,
        lagThresholdMs: app.config.syncLag.thresholdMs,
        minSessions: app.config.syncLag.minSessions,
        lagIntervalMs: app.config.syncLag.intervalMs,
      })
    : null;
  const syncMetrics = registerSyncMetrics(app.metrics, app.db.prisma, scheduler);
  app.decorate('events', events);
  app.decorate('syncContext', syncContext);
  app.decorate('scheduler', scheduler);
  app.decorate('syncMetrics', syncMetrics);
  // Housekeeping runs beside polling, hourly, starting a minute after start-up.
  let housekeeping: NodeJS.Timeout | undefined;
  const tidy = () =>
    runHousekeeping(app.db.prisma, app.config.retention)
      .then((removed) => app.log.info({ removed }, 'housekeeping done'))
      .catch((error: unknown) => app.log.warn({ err: error }, 'housekeeping failed'));
  // Mail stored before conversations existed is threaded once, in the background, in batches.
  let closing = false;
  let backfill: Promise<unknown> = Promise.resolve();
  app.addHook('onReady', async () => {
    scheduler?.start();
    if (options.poll) {
      backfill = threadUnthreaded(app.db.prisma, { shouldStop: () => closing })
        .then((threaded) => {
          if (threaded > 0) app.log.info({ threaded }, 'earlier messages threaded');
        })
        .catch((error: unknown) => app.log.warn({ err: error }, 'threading earlier mail failed'));
      housekeeping = setTimeout(function again() {
        void tidy();
        housekeeping = setTimeout(again, 3_600_000).unref();
      }, 60_000).unref();
    }
  });
  app.addHook('onClose', async () => {
    closing = true;
    clearTimeout(housekeeping);
    await backfill;
    await scheduler?.stop();
    await events.close();
  });
}

export const syncEnginePlugin = fp(syncEngine, {
  name: 'sync-engine',
  dependencies: ['keyring', 'oauth'],
});
