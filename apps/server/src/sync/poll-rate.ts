/**
 * Checks finished per second over the last `windowSeconds`, counted in one-second slots (a ring):
 * what the admin overview shows beside the backlog. Prometheus computes its own rate from
 * popgate_sync_polls_total; this is for readers without one.
 */
export class PollRate {
  private readonly slots: number[];
  private readonly stamps: number[];

  constructor(
    private readonly windowSeconds = 60,
    private readonly now: () => number = Date.now,
  ) {
    this.slots = new Array<number>(windowSeconds).fill(0);
    this.stamps = new Array<number>(windowSeconds).fill(-1);
  }

  record(): void {
    const second = Math.floor(this.now() / 1000);
    const slot = second % this.windowSeconds;
    if (this.stamps[slot] !== second) {
      this.stamps[slot] = second;
      this.slots[slot] = 0;
    }
    this.slots[slot]! += 1;
  }

  /** Checks per second over the window that ends now (seconds without a check count as zero). */
  perSecond(): number {
    const second = Math.floor(this.now() / 1000);
    let total = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      if (this.stamps[i]! > second - this.windowSeconds) total += this.slots[i]!;
    }
    return total / this.windowSeconds;
  }
}
