import { performance } from 'node:perf_hooks';

/**
 * Another process took over the account's check: this session was held up (a stalled or stopped
 * process) past its lease. It ends without another command to the server or write to the database.
 */
export class LeaseLostError extends Error {
  constructor() {
    super(
      "Another Popgate process took over this account's check; this one stopped without changing anything.",
    );
    this.name = 'LeaseLostError';
  }
}

/**
 * A session's hold on its account: the fencing token its claim got, and until when (by this
 * process's monotonic clock, counted from before the claim or renewal was sent, less a margin for
 * the database's clock) no other process can have claimed it. Checked before each step that
 * changes something; the token makes the database refuse what slips past the check.
 */
export class SessionLease {
  private validUntil: number;
  private readonly marginMs: number;

  constructor(
    readonly accountId: string,
    readonly token: bigint,
    private readonly leaseSeconds: number,
    /** SessionLease.now() just before the claim was sent. */
    claimedAt: number,
  ) {
    this.marginMs = Math.min(2000, (leaseSeconds * 1000) / 4);
    this.validUntil = claimedAt + leaseSeconds * 1000 - this.marginMs;
  }

  static now(): number {
    return performance.now();
  }

  get held(): boolean {
    return performance.now() < this.validUntil;
  }

  /** Milliseconds until the lease may be someone else's. */
  get msLeft(): number {
    return this.validUntil - performance.now();
  }

  assertHeld(): void {
    if (!this.held) throw new LeaseLostError();
  }

  /** A renewal sent at `sentAt` (SessionLease.now()) succeeded. */
  renewed(sentAt: number): void {
    this.validUntil = Math.max(this.validUntil, sentAt + this.leaseSeconds * 1000 - this.marginMs);
  }
}
