/** The bounds of the session target, and the lag above which it backs off. */
export interface SessionTargetOptions {
  /** The most sessions this process runs (POPGATE_SYNC_MAX_SESSIONS). */
  max: number;
  /** Never fewer than this, however late the loop runs (mail must still come in). */
  floor: number;
  /** The p99 lag, in ms, above which the target is halved. */
  lagThresholdMs: number;
}

/**
 * How many sessions the scheduler may run now: additive increase, multiplicative decrease on the
 * event loop's lag. An interval whose p99 lag is over the threshold halves the target (sessions
 * parsing mail are what hold the loop up, and halving sheds load fast enough that web requests
 * keep being answered); each healthy interval adds one back, up to the maximum. Running sessions
 * are not stopped: the scheduler only claims fewer new ones until it is under the target.
 */
export class SessionTarget {
  private target: number;

  constructor(private readonly options: SessionTargetOptions) {
    this.target = options.max;
  }

  get current(): number {
    return this.target;
  }

  /** One interval's p99 lag, in ms: the new target. */
  observe(lagP99Ms: number): number {
    const floor = Math.min(this.options.floor, this.options.max);
    this.target =
      lagP99Ms > this.options.lagThresholdMs
        ? Math.max(floor, Math.floor(this.target / 2))
        : Math.min(this.options.max, this.target + 1);
    return this.target;
  }
}
