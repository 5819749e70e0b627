/** The most a next check is moved later: a tenth of the interval, never more than this. */
const MAX_JITTER_SECONDS = 30;

/**
 * A delay until the next check, spread a little later at random (up to a tenth, at most 30 s):
 * accounts linked or checked together drift apart instead of polling in bursts for ever. Never
 * sooner than asked: the user's interval, the admin's minimum and LOGIN-DELAY still hold.
 */
export function withJitter(seconds: number, random: () => number = Math.random): number {
  return seconds + Math.min(seconds / 10, MAX_JITTER_SECONDS) * random();
}
