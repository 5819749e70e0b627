/** Wall time of one run, and what it returned. */
export async function timed<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const value = await run();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Runs both contenders once: `ours` first in odd rounds, `theirs` first in even ones, so neither
 * always meets the warmer caches (or the quieter machine).
 */
export async function inAlternatingOrder<A, B>(
  round: number,
  ours: () => Promise<A>,
  theirs: () => Promise<B>,
): Promise<[A, B]> {
  if (round % 2 === 1) {
    const first = await ours();
    return [first, await theirs()];
  }
  const first = await theirs();
  return [await ours(), first];
}

/**
 * Runs each contender once, starting with a different one each round (round 1: the first given),
 * so that none always meets the warmer caches. Answers in the order given.
 */
export async function inRotatingOrder<T>(
  round: number,
  contenders: ReadonlyArray<() => Promise<T>>,
): Promise<T[]> {
  const results = new Array<T>(contenders.length);
  for (let step = 0; step < contenders.length; step++) {
    const index = (round - 1 + step) % contenders.length;
    results[index] = await contenders[index]!();
  }
  return results;
}
