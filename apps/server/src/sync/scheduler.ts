import { syncAccount, type SyncResult } from './account-sync';
import { SessionEndedError } from './failure';
import { accountsToStop, admitAddress, releaseLease, renewLease } from './lease';
import { claimDueAccounts, type ClaimedAccount } from './claim';
import { eventLoopLagSampler, type LagSampler } from './event-loop-lag';
import { SessionTarget } from './session-target';
import { LeaseLostError, SessionLease } from './session-lease';
import type { SyncContext } from './sync-context';

export interface SchedulerOptions {
  /** POP3 sessions this process runs at once. */
  maxSessions: number;
  /**
   * POP3 sessions per server, across all processes: per IP address dialled, so that two names for
   * one address share it.
   */
  perHost: number;
  /**
   * With it, a server's cap grows with its accounts: `perHost`, or one session for each this many
   * accounts at that address when that is more. Without it, `perHost` is the cap.
   */
  accountsPerHostSession?: number;
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
  /**
   * Event-loop lag (p99 over each `lagIntervalMs`, in ms) above which fewer new sessions are
   * claimed (session-target.ts). Without it the target stays at `maxSessions`.
   */
  lagThresholdMs?: number;
  /** The fewest sessions the lag may bring the target down to (default 4). */
  minSessions?: number;
  /** How often the lag is read and the target adjusted (default 1000 ms). */
  lagIntervalMs?: number;
}

export const DEFAULT_SCHEDULER_OPTIONS: SchedulerOptions = {
  // Sized for I/O: a session spends nearly all of its time waiting on the server.
  maxSessions: 64,
  perHost: 2,
  accountsPerHostSession: 100,
  perUser: 2,
  leaseSeconds: 120,
  tickMs: 2000,
  watchMs: 1000,
  lagThresholdMs: 100,
  minSessions: 4,
  lagIntervalMs: 1000,
};

/**
 * Polls due accounts: claims them through leases, runs one POP3 session each while it holds the
 * lease, renews the lease while it runs, and aborts the session if the lease is lost (a renewal
 * refused, or this process held up past it: see SessionLease), or its account is switched off or
 * removed. Several processes can run one each on the
 * same database. No user, and no server address, holds more than its share of sessions, and every
 * session has a deadline: slow servers cannot keep others' mail waiting.
 */
export class SyncScheduler {
  private readonly running = new Map<
    string,
    { controller: AbortController; done: Promise<void>; server: string }
  >();
  private timer: NodeJS.Timeout | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private sampler: LagSampler | undefined;
  private readonly target: SessionTarget;
  /** The p99 event-loop lag of the latest interval, in ms. */
  lagP99Ms = 0;
  private watching = false;
  private ticking: Promise<void> | undefined;
  private stopped = true;
  /** Called after every session, for tests and metrics. */
  onSyncDone: ((accountId: string, result: SyncResult | Error) => void) | undefined;
  /** Told when a session starts, with how late after its due time (null: a "check now"). */
  onSessionStart: ((lateSeconds: number | null) => void) | undefined;
  /** Told when a session ends, as onSyncDone (kept for metrics when onSyncDone is replaced). */
  onSessionEnd: ((result: SyncResult | Error) => void) | undefined;

  constructor(
    private readonly ctx: SyncContext,
    private readonly options: SchedulerOptions,
    /** Where the lag is read (default: this process's event loop). */
    private readonly lagSampler?: LagSampler,
  ) {
    this.target = new SessionTarget({
      max: options.maxSessions,
      floor: options.minSessions ?? 4,
      lagThresholdMs: options.lagThresholdMs ?? Infinity,
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
    this.watchTimer = setInterval(() => void this.watch(), this.options.watchMs ?? 1000);
    this.watchTimer.unref();
    if (this.options.lagThresholdMs !== undefined) {
      this.sampler = this.lagSampler ?? eventLoopLagSampler();
      this.lagTimer = setInterval(() => this.adjustToLag(), this.options.lagIntervalMs ?? 1000);
      this.lagTimer.unref();
    }
  }

  /** Reads the latest interval's lag and moves the session target (called every lagIntervalMs). */
  adjustToLag(): void {
    if (!this.sampler) return;
    this.lagP99Ms = this.sampler.takeP99Ms();
    this.target.observe(this.lagP99Ms);
  }

  get maxSessions(): number {
    return this.options.maxSessions;
  }

  /** Sessions this process may run now: `maxSessions`, less while the event loop lags. */
  get sessionTarget(): number {
    return this.target.current;
  }

  /** Sessions running here, by the server (address dialled, or host name) each is counted at. */
  sessionsByServer(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { server } of this.running.values())
      counts.set(server, (counts.get(server) ?? 0) + 1);
    return counts;
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
    clearInterval(this.lagTimer);
    if (this.sampler !== this.lagSampler) this.sampler?.close();
    this.sampler = undefined;
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
    const free = this.target.current - this.running.size;
    if (free <= 0 || this.stopped) return;
    let claimed;
    const claimedAt = SessionLease.now();
    try {
      claimed = await claimDueAccounts(this.ctx.prisma, this.ctx.instanceId, {
        limit: free,
        perHost: this.options.perHost,
        ...(this.options.accountsPerHostSession && {
          accountsPerHostSession: this.options.accountsPerHostSession,
        }),
        perUser: this.perUser,
        leaseSeconds: this.options.leaseSeconds,
      });
    } catch (error) {
      this.ctx.log.warn({ err: error }, 'could not claim sync jobs');
      return;
    }
    for (const account of claimed) this.launch(account, claimedAt);
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

  private launch(account: ClaimedAccount, claimedAt: number): void {
    const controller = new AbortController();
    const lease = new SessionLease(account.id, account.token, this.options.leaseSeconds, claimedAt);
    this.onSessionStart?.(
      account.requested ? null : Math.max(0, (Date.now() - account.dueAt.getTime()) / 1000),
    );
    const done = this.runOne(account, lease, controller).finally(() => {
      this.running.delete(account.id);
      if (!this.stopped) this.schedule(0);
    });
    this.running.set(account.id, { controller, done, server: account.server });
  }

  private async runOne(
    claimed: ClaimedAccount,
    lease: SessionLease,
    controller: AbortController,
  ): Promise<void> {
    const accountId = claimed.id;
    const { prisma } = this.ctx;
    const lost = () => {
      if (!controller.signal.aborted) controller.abort(new LeaseLostError());
    };
    // Ends the session when the lease runs out by this process's clock (a renewal moves it on).
    let expiry: NodeJS.Timeout | undefined;
    const armExpiry = () => {
      clearTimeout(expiry);
      expiry = setTimeout(() => (lease.held ? armExpiry() : lost()), Math.max(0, lease.msLeft));
    };
    armExpiry();
    const renewal = setInterval(
      () => {
        const sentAt = SessionLease.now();
        renewLease(prisma, lease, this.options.leaseSeconds)
          .then((held) => {
            if (!held) return lost();
            lease.renewed(sentAt);
            armExpiry();
          })
          .catch(() => {});
      },
      (this.options.leaseSeconds * 1000) / 3,
    );
    let released = false;
    try {
      const result = await syncAccount(this.ctx, accountId, controller.signal, {
        lease,
        requested: claimed.requested,
        admit: (address) => {
          const session = this.running.get(accountId);
          if (session) session.server = address;
          return admitAddress(
            prisma,
            { id: accountId, host: claimed.host, token: lease.token, requested: claimed.requested },
            address,
            { min: this.options.perHost, accountsPerSession: this.options.accountsPerHostSession },
          );
        },
      });
      released = result.released === true;
      this.onSyncDone?.(accountId, result);
      this.onSessionEnd?.(result);
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.ctx.log.info({ accountId }, 'another process took over this account; stopped');
      } else this.ctx.log.warn({ accountId, err: error }, 'sync session crashed');
      this.onSyncDone?.(accountId, error as Error);
      this.onSessionEnd?.(error as Error);
    } finally {
      clearInterval(renewal);
      clearTimeout(expiry);
      // The session's end let it go already, in the statement that scheduled the next check.
      if (!released) await releaseLease(prisma, lease).catch(() => {});
    }
  }
}
