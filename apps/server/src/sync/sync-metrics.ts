import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Db } from '../db/prisma';
import type { SyncResult } from './account-sync';
import type { SyncScheduler } from './scheduler';

/**
 * What an operator watches of polling on /metrics: checks done by outcome, failures by code, how
 * late checks start after they were due, sessions running in this process, and accounts due that
 * no session holds yet (across all processes: a backlog that grows means too few sessions).
 */
export function registerSyncMetrics(
  registry: Registry,
  prisma: Db,
  /** Null when this process does not poll: the counters stay at zero, the backlog is still shown. */
  scheduler: SyncScheduler | null,
) {
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
  new Gauge({
    name: 'popgate_sync_sessions_in_flight',
    help: 'POP3 sessions this process is running',
    registers: [registry],
    collect() {
      this.set(scheduler?.activeSessions ?? 0);
    },
  });
  new Gauge({
    name: 'popgate_sync_accounts_due',
    help: 'Accounts due for a check that no session holds yet, across all processes',
    registers: [registry],
    async collect() {
      const [row] = await prisma.$queryRaw<Array<{ due: number }>>`
        SELECT count(*)::int AS due FROM pop3_accounts
         WHERE "leaseExpiresAt" IS NULL AND NOT disabled
           AND status NOT IN ('auth_failed', 'perm_error', 'disabled') AND "nextSyncAt" <= now()`;
      this.set(row?.due ?? 0);
    },
  });
  if (!scheduler) return;
  scheduler.onSessionStart = (late) => {
    if (late !== null) lateness.observe(late);
  };
  scheduler.onSessionEnd = (result: SyncResult | Error) => {
    if (result instanceof Error) polls.inc({ outcome: 'failed' });
    else if (result.leaseLost) polls.inc({ outcome: 'lease_lost' });
    else if (result.deferred) polls.inc({ outcome: 'deferred' });
    else polls.inc({ outcome: result.ok ? 'ok' : 'failed' });
    const code = result instanceof Error ? 'INTERNAL' : result.failure?.code;
    if (code) failures.inc({ code });
  };
}
