import { describe, expect, it } from "vitest";
import { bucketOf, emptyHistogram, MAX_BUCKET, merge, MIN_MS, observe, quantile, upperBound } from "../../../worker/observe/histogram.ts";

describe("latency histogram", () => {
  it("puts a value in the first bucket whose upper bound holds it", () => {
    for (const v of [0.05, 0.1, 0.3, 1, 7.5, 42, 999, 12_345, 300_000]) {
      const b = bucketOf(v);
      expect(upperBound(b)).toBeGreaterThanOrEqual(v * (1 - 1e-9));
      if (b > 0) expect(upperBound(b - 1)).toBeLessThan(v);
    }
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(MIN_MS)).toBe(0);
    expect(bucketOf(1e12)).toBe(MAX_BUCKET);
  });

  it("answers quantiles within one bucket (≤ 19 % high) of the exact value", () => {
    const h = emptyHistogram();
    const values = Array.from({ length: 1000 }, (_, i) => 1 + i * 0.37); // 1 … 370.6 ms
    for (const v of values) observe(h, v);
    const exact = (q: number) => values[Math.ceil(q * values.length) - 1]!;
    for (const q of [0.5, 0.95, 0.99]) {
      const got = quantile(h, q)!;
      expect(got).toBeGreaterThanOrEqual(exact(q));
      expect(got).toBeLessThanOrEqual(exact(q) * 2 ** 0.25 + 1e-9);
    }
    expect(h.count).toBe(1000);
    expect(h.min).toBe(1);
    expect(h.max).toBeCloseTo(370.63, 2);
  });

  it("clamps quantiles to the observed range: one observation is exact", () => {
    const h = emptyHistogram();
    observe(h, 12.5);
    expect(quantile(h, 0.5)).toBe(12.5);
    expect(quantile(h, 0.99)).toBe(12.5);
    expect(quantile(emptyHistogram(), 0.5)).toBeNull();
  });

  it("merges by adding counts, like one histogram of both inputs", () => {
    const a = emptyHistogram();
    const b = emptyHistogram();
    const both = emptyHistogram();
    [1, 2, 3, 50].forEach((v) => (observe(a, v), observe(both, v)));
    [5, 500, 0].forEach((v) => (observe(b, v), observe(both, v)));
    const m = merge(a, b);
    expect(m).toEqual(both);
    expect(a.count).toBe(4); // inputs unchanged
    expect(merge(emptyHistogram(), b)).toEqual(b);
  });

  it("counts negative and non-finite values as 0 ms", () => {
    const h = emptyHistogram();
    observe(h, -5);
    observe(h, Number.NaN);
    expect(h).toMatchObject({ count: 2, sum: 0, min: 0, max: 0, buckets: { "0": 2 } });
  });

  it("stays small: a day of widely spread latencies uses at most one key per bucket", () => {
    const h = emptyHistogram();
    for (let i = 0; i < 10_000; i++) observe(h, Math.exp((i % 100) / 8));
    expect(Object.keys(h.buckets).length).toBeLessThanOrEqual(MAX_BUCKET + 1);
    expect(JSON.stringify(h).length).toBeLessThan(1200);
  });
});
