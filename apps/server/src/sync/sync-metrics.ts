import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Db } from '../db/prisma';
import type { SyncResult } from './account-sync';
import { PollRate } from './poll-rate';
import type { SyncScheduler } from './scheduler';

/** What the admin overview shows of this process's polling (AdminSyncStatus.process). */
export interface ProcessSyncStats {
  maxSessions: number;
  sessionTarget: number;
  sessionsInFlight: number;
  lagP99Ms: number;
  pollsPerSecond: number;
  lateness: { count: number; sumSeconds: number; buckets: Array<{ le: number; count: number }> };
  failuresByCode: Record<string, number>;
}

export interface SyncMetrics {
  /** Null when this process does not poll. */
  processStats(): Promise<ProcessSyncStats | null>;
}

/** Accounts due for a check that no session holds yet, across all processes (the due index). */
export async function countAccountsDue(prisma: Db): Promise<number> {
  const [row] = await prisma.$queryRaw<Array<{ due: number }>>`
    SELECT count(*)::int AS due FROM pop3_accounts
     WHERE "leaseExpiresAt" IS NULL AND NOT disabled
       AND status NOT IN ('auth_failed', 'perm_error', 'disabled') AND "nextSyncAt" <= now()`;
  return row?.due ?? 0;
}

/**
 * What an operator watches of polling on /metrics: checks done by outcome and per second, failures
 * by code, how late checks start after they were due, sessions running in this process (in all
 * and per server), the session target the event loop's lag allows, and accounts due that no
 * session holds yet (across all processes: a backlog that grows means too few sessions).
 */
export function registerSyncMetrics(
  registry: Registry,
  prisma: Db,
  /** Null when this process does not poll: the counters stay at zero, the backlog is still shown. */
  scheduler: SyncScheduler | null,
): SyncMetrics {
  const polls = new Counter({
    name: 'popgate_sync_polls_total',
    help: 'POP3 checks this process finished, by outcome (ok, failed, deferred, lease_lost)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'popgate_sync_failures_total',
    help: 'POP3 checks that failed, by error code',
    labelNames: ['code'],
    registers: [registry],
  });
  const lateness = new Histogram({
    name: 'popgate_sync_lateness_seconds',
    help: 'How long after its due time a scheduled check started',
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
    registers: [registry],
  });
  const rate = new PollRate();
  new Gauge({
    name: 'popgate_sync_sessions_in_flight',
    help: 'POP3 sessions this process is running',
    registers: [registry],
    collect() {
      this.set(scheduler?.activeSessions ?? 0);
    },
  });
  new Gauge({
    name: 'popgate_sync_server_sessions_in_flight',
    help: 'POP3 sessions this process is running, by server (address dialled, or host name)',
    labelNames: ['server'],
    registers: [registry],
    collect() {
      // Servers no session is at any more leave the output instead of staying at zero.
      this.reset();
      for (const [server, sessions] of scheduler?.sessionsByServer() ?? [])
        this.set({ server }, sessions);
    },
  });
  new Gauge({
    name: 'popgate_sync_session_target',
    help: 'POP3 sessions this process may run now: the maximum, less while the event loop lags',
    registers: [registry],
    collect() {
      this.set(scheduler?.sessionTarget ?? 0);
    },
  });
  new Gauge({
    name: 'popgate_sync_event_loop_lag_p99_seconds',
    help: "The event loop's lag the session target adapts to (p99 of the latest interval)",
    registers: [registry],
    collect() {
      this.set((scheduler?.lagP99Ms ?? 0) / 1000);
    },
  });
  new Gauge({
    name: 'popgate_sync_polls_per_second',
    help: 'POP3 checks this process finished per second over the last minute',
    registers: [registry],
    collect() {
      this.set(rate.perSecond());
    },
  });
  new Gauge({
    name: 'popgate_sync_accounts_due',
    help: 'Accounts due for a check that no session holds yet, across all processes',
    registers: [registry],
    async collect() {
      this.set(await countAccountsDue(prisma));
    },
  });
  if (!scheduler) return { processStats: async () => null };
  scheduler.onSessionStart = (late) => {
    if (late !== null) lateness.observe(late);
  };
  scheduler.onSessionEnd = (result: SyncResult | Error) => {
    rate.record();
    if (result instanceof Error) polls.inc({ outcome: 'failed' });
    else if (result.leaseLost) polls.inc({ outcome: 'lease_lost' });
    else if (result.deferred) polls.inc({ outcome: 'deferred' });
    else polls.inc({ outcome: result.ok ? 'ok' : 'failed' });
    const code = result instanceof Error ? 'INTERNAL' : result.failure?.code;
    if (code) failures.inc({ code });
  };
  return {
    async processStats() {
      const [late, failed] = await Promise.all([lateness.get(), failures.get()]);
      const buckets = late.values
        .filter((v) => v.metricName === 'popgate_sync_lateness_seconds_bucket')
        .filter((v) => Number.isFinite(Number(v.labels.le)))
        .map((v) => ({ le: Number(v.labels.le), count: v.value }));
      const of = (name: string) => late.values.find((v) => v.metricName === name)?.value ?? 0;
      return {
        maxSessions: scheduler.maxSessions,
        sessionTarget: scheduler.sessionTarget,
        sessionsInFlight: scheduler.activeSessions,
        lagP99Ms: scheduler.lagP99Ms,
        pollsPerSecond: rate.perSecond(),
        lateness: {
          count: of('popgate_sync_lateness_seconds_count'),
          sumSeconds: of('popgate_sync_lateness_seconds_sum'),
          buckets,
        },
        failuresByCode: Object.fromEntries(
          failed.values.map((v) => [String(v.labels.code), v.value]),
        ),
      };
    },
  };
}
