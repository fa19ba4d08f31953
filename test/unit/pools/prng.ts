/**
 * Seeded PRNG for property-style tests (mulberry32): uniform floats in [0, 1).
 *
 * @example
 * const rng = mulberry32(7); rng() // same sequence for the same seed
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Integer in [lo, hi] from `rng`.
 *
 * @example
 * intIn(rng, 1, 6) // a die roll
 */
export function intIn(rng: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/**
 * For sorted `stamps` (each admission once), the largest count in any half-open
 * window `(t − windowMs, t]` ending at an admission t.
 *
 * @example
 * maxInWindow([0, 5, 10], 10) // 2
 */
export function maxInWindow(stamps: readonly number[], windowMs: number): number {
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < stamps.length; hi++) {
    while ((stamps[lo] as number) <= (stamps[hi] as number) - windowMs) lo++;
    let end = hi;
    while (end + 1 < stamps.length && stamps[end + 1] === stamps[hi]) end++;
    max = Math.max(max, end - lo + 1);
  }
  return max;
}
