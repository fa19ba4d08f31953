/**
 * A compact latency histogram: log-scale buckets, four per doubling (each bucket's
 * upper bound is 2^¼ ≈ 1.19× the one before), from 0.1 ms to 10 minutes, stored
 * sparsely. A quantile is the upper bound of the bucket it falls in, clamped to
 * the observed min and max, so it is at most ~19 % above the true value. Two
 * histograms merge by adding counts (across isolates, or days).
 */
export interface Histogram {
  /** Bucket index → count (sparse; JSON object keys). */
  buckets: Record<string, number>;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** Upper bound of bucket 0, in ms. */
export const MIN_MS = 0.1;
/** Buckets per doubling. */
export const PER_DOUBLING = 4;
/** Values above 10 minutes share the last bucket. */
export const MAX_BUCKET = Math.ceil(Math.log2(600_000 / MIN_MS) * PER_DOUBLING);

export function emptyHistogram(): Histogram {
  return { buckets: {}, count: 0, sum: 0, min: 0, max: 0 };
}

/** The bucket a value (ms) falls in: the first whose upper bound is ≥ it. */
export function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  return Math.min(MAX_BUCKET, Math.ceil(Math.log2(ms / MIN_MS) * PER_DOUBLING - 1e-9));
}

/** Upper bound of a bucket, in ms. */
export function upperBound(bucket: number): number {
  return MIN_MS * 2 ** (bucket / PER_DOUBLING);
}

/** Adds one observation (negative and non-finite values count as 0). */
export function observe(h: Histogram, ms: number): void {
  const v = Number.isFinite(ms) && ms > 0 ? ms : 0;
  const b = String(bucketOf(v));
  h.buckets[b] = (h.buckets[b] ?? 0) + 1;
  h.min = h.count === 0 ? v : Math.min(h.min, v);
  h.max = h.count === 0 ? v : Math.max(h.max, v);
  h.count += 1;
  h.sum += v;
}

/** `a + b` (neither is changed). */
export function merge(a: Histogram, b: Histogram): Histogram {
  if (b.count === 0) return structuredClone(a);
  if (a.count === 0) return structuredClone(b);
  const buckets = { ...a.buckets };
  for (const [k, n] of Object.entries(b.buckets)) buckets[k] = (buckets[k] ?? 0) + n;
  return { buckets, count: a.count + b.count, sum: a.sum + b.sum, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
}

/**
 * The `q`-quantile (0 < q ≤ 1) in ms, or null for an empty histogram.
 *
 * @example
 * const h = emptyHistogram(); [1, 2, 3, 100].forEach((v) => observe(h, v));
 * quantile(h, 0.5) // ≈ 2 (the upper bound of 2's bucket)
 */
export function quantile(h: Histogram, q: number): number | null {
  if (h.count === 0) return null;
  const rank = Math.max(1, Math.ceil(q * h.count));
  const order = Object.entries(h.buckets)
    .map(([b, n]) => [Number(b), n] as const)
    .sort(([x], [y]) => x - y);
  let seen = 0;
  for (const [b, n] of order) {
    seen += n;
    if (seen >= rank) return round(Math.min(h.max, Math.max(h.min, upperBound(b))));
  }
  return round(h.max);
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
