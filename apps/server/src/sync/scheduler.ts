import { syncAccount, type SyncResult } from './account-sync';
import { SessionEndedError } from './failure';
import {
  accountsToStop,
  admitAddress,
  claimDueAccounts,
  lockAccount,
  releaseLease,
  renewLease,
  type ClaimedAccount,
} from './lease';
import type { SyncContext } from './sync-context';

export interface SchedulerOptions {
  /** Database for the per-account advisory locks (a connection each while a session runs). */
  databaseUrl: string;
  /** POP3 sessions this process runs at once. */
  maxSessions: number;
  /**
   * POP3 sessions per server, across all processes: per IP address dialled, so that two names for
   * one address share it.
   */
  perHost: number;
  /**
   * POP3 sessions per user, across all processes (default 2); never more than half of
   * `maxSessions`, so one user's slow servers always leave room for the others' mail.
   */
  perUser?: number;
  leaseSeconds: number;
  /** How often to look for due accounts (and "check now" requests from other processes). */
  tickMs: number;
  /**
   * How often running sessions are checked against their accounts (default 1000 ms): one switched
   * off or removed, in any process, has its session ended (without QUIT).
   */
  watchMs?: number;
}

export const DEFAULT_SCHEDULER_OPTIONS: Omit<SchedulerOptions, 'databaseUrl'> = {
  maxSessions: 8,
  perHost: 2,
  perUser: 2,
  leaseSeconds: 120,
  tickMs: 2000,
  watchMs: 1000,
};

/**
 * Polls due accounts: claims them through leases, runs one POP3 session each under the account's
 * advisory lock, renews the lease while it runs, and aborts the session if the lease or the lock
 * is lost, or its account is switched off or removed. Several processes can run one each on the
 * same database. No user, and no server address, holds more than its share of sessions, and every
 * session has a deadline: slow servers cannot keep others' mail waiting.
 */
export class SyncScheduler {
  private readonly running = new Map<
    string,
    { controller: AbortController; done: Promise<void> }
  >();
  private timer: NodeJS.Timeout | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private watching = false;
  private ticking: Promise<void> | undefined;
  private stopped = true;
  /** Called after every session, for tests and metrics. */
  onSyncDone: ((accountId: string, result: SyncResult | Error) => void) | undefined;

  constructor(
    private readonly ctx: SyncContext,
    private readonly options: SchedulerOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
    this.watchTimer = setInterval(() => void this.watch(), this.options.watchMs ?? 1000);
    this.watchTimer.unref();
  }

  /** Looks for due accounts now instead of at the next tick ("check now"). */
  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  get activeSessions(): number {
    return this.running.size;
  }

  /** Stops claiming; lets running sessions finish for `graceMs`, then aborts them (no QUIT). */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.watchTimer);
    await this.ticking;
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([all, timeout]);
    for (const { controller } of this.running.values())
      controller.abort(new Error('Popgate is stopping'));
    await all;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.ticking) return this.schedule(50);
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        if (!this.stopped) this.schedule(this.options.tickMs);
      });
    }, delayMs);
  }

  /** Sessions one user may run at once: as asked, and never more than half the slots. */
  private get perUser(): number {
    const half = Math.max(1, Math.floor(this.options.maxSessions / 2));
    return Math.max(1, Math.min(this.options.perUser ?? 2, half));
  }

  private async tick(): Promise<void> {
    const free = this.options.maxSessions - this.running.size;
    if (free <= 0 || this.stopped) return;
    let claimed;
    try {
      claimed = await claimDueAccounts(this.ctx.prisma, this.ctx.instanceId, {
        limit: free,
        perHost: this.options.perHost,
        perUser: this.perUser,
        leaseSeconds: this.options.leaseSeconds,
      });
    } catch (error) {
      this.ctx.log.warn({ err: error }, 'could not claim sync jobs');
      return;
    }
    for (const account of claimed) this.launch(account);
  }

  /** Ends the sessions of accounts switched off or removed since they started (see watchMs). */
  private async watch(): Promise<void> {
    if (this.watching || this.running.size === 0) return;
    this.watching = true;
    try {
      const stop = await accountsToStop(this.ctx.prisma, [...this.running.keys()]);
      for (const [accountId, why] of stop) {
        const session = this.running.get(accountId);
        if (!session || session.controller.signal.aborted) continue;
        this.ctx.log.info({ accountId, why }, 'ending the session of an account no longer checked');
        session.controller.abort(new SessionEndedError(why));
      }
    } catch (error) {
      this.ctx.log.warn({ err: error }, 'could not check running sessions');
    } finally {
      this.watching = false;
    }
  }

  private launch(account: ClaimedAccount): void {
    const controller = new AbortController();
    const done = this.runOne(account, controller).finally(() => {
      this.running.delete(account.id);
      if (!this.stopped) this.schedule(0);
    });
    this.running.set(account.id, { controller, done });
  }

  private async runOne(claimed: ClaimedAccount, controller: AbortController): Promise<void> {
    const accountId = claimed.id;
    const { prisma, instanceId } = this.ctx;
    const renewEveryMs = (this.options.leaseSeconds * 1000) / 3;
    const renewal = setInterval(() => {
      renewLease(prisma, accountId, instanceId, this.options.leaseSeconds)
        .then((held) => {
          if (!held) controller.abort(new Error('the sync lease was lost to another process'));
        })
        .catch(() => {});
    }, renewEveryMs);
    try {
      const lock = await lockAccount(this.options.databaseUrl, accountId);
      if (!lock) {
        // Another process still runs a session for it (its lease expired while it was busy).
        this.ctx.log.info({ accountId }, 'account is locked by another session; skipping');
        return;
      }
      const onLost = () => controller.abort(lock.lost.reason);
      lock.lost.addEventListener('abort', onLost);
      try {
        const result = await syncAccount(this.ctx, accountId, controller.signal, {
          admit: (address) =>
            admitAddress(
              prisma,
              { id: accountId, owner: instanceId, requested: claimed.requested },
              address,
              this.options.perHost,
            ),
        });
        this.onSyncDone?.(accountId, result);
      } finally {
        lock.lost.removeEventListener('abort', onLost);
        await lock.release();
      }
    } catch (error) {
      this.ctx.log.warn({ accountId, err: error }, 'sync session crashed');
      this.onSyncDone?.(accountId, error as Error);
    } finally {
      clearInterval(renewal);
      await releaseLease(prisma, accountId, instanceId).catch(() => {});
    }
  }
}
