import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Where the scheduler reads how late the event loop runs; tests give their own figures. */
export interface LagSampler {
  /** The 99th percentile of the loop's lag since the previous call, in ms; starts a new window. */
  takeP99Ms(): number;
  close(): void;
}

/**
 * The event loop's lag as Node measures it (perf_hooks.monitorEventLoopDelay): a timer every
 * `resolutionMs` records how long it really took, so a record minus the resolution is how long
 * the loop was held up (parsing a large message, for one) before it could run anything else.
 */
export function eventLoopLagSampler(resolutionMs = 10): LagSampler {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  return {
    takeP99Ms() {
      const p99 = histogram.count === 0 ? 0 : histogram.percentile(99) / 1e6 - resolutionMs;
      histogram.reset();
      return Math.max(0, p99);
    },
    close: () => histogram.disable(),
  };
}
