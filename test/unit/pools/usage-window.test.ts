import { describe, expect, it } from "vitest";
import { UsageWindow } from "../../../worker/pools/usage-window.ts";
import { intIn, mulberry32 } from "./prng.ts";

const clone = (w: UsageWindow): UsageWindow => UsageWindow.restore(JSON.parse(JSON.stringify(w.snapshot())));

describe("UsageWindow", () => {
  it("sums usage inside (now − windowMs, now]", () => {
    const w = new UsageWindow(60_000);
    w.record(0, 900);
    w.record(30_500, 50);
    expect(w.used(30_500)).toBe(950);
    expect(w.used(59_999)).toBe(950);
    expect(w.used(60_000)).toBe(50);
    expect(w.used(90_500)).toBe(0);
  });

  it("denies while used ≥ limit, with the exact time until usage gets under it", () => {
    const w = new UsageWindow(60_000);
    w.record(0, 600);
    w.record(10_000, 300);
    w.record(20_000, 100);
    expect(w.wouldAllow(25_000, 1_001)).toEqual({ ok: true });
    expect(w.wouldAllow(25_000, 1_000)).toEqual({ ok: false, retryAfterMs: 35_000 }); // 1000 → 400 at 60_000
    expect(w.wouldAllow(25_000, 300)).toEqual({ ok: false, retryAfterMs: 45_000 }); // → 100 at 70_000
    expect(w.wouldAllow(69_999, 300).ok).toBe(false);
    expect(w.wouldAllow(70_000, 300)).toEqual({ ok: true });
    expect(w.wouldAllow(0, 0)).toEqual({ ok: false, retryAfterMs: Number.POSITIVE_INFINITY });
  });

  it("coalesces into buckets: memory stays bounded and usage is never under-counted", () => {
    const w = new UsageWindow(60_000, 1_000);
    const rng = mulberry32(3);
    const stamps: number[] = [];
    const total = [0]; // total[k]: units of the first k records (stamps are sorted)
    const since = (from: number) => {
      const first = stamps.findIndex((t) => t > from);
      return total.at(-1)! - total[first < 0 ? stamps.length : first]!;
    };
    let now = 0;
    let most = 0; // the most entries ever kept
    const wrong: string[] = []; // collected, compared once: 20,000 expect() calls cost seconds
    for (let i = 0; i < 20_000; i++) {
      now += intIn(rng, 0, 40);
      const units = intIn(rng, 0, 500);
      w.record(now, units);
      stamps.push(now);
      total.push(total.at(-1)! + units);
      most = Math.max(most, w.snapshot().entries.length);
      if (i % 97 === 0) {
        const [truth, shifted, used] = [since(now - 60_000), since(now - 61_000), w.used(now)];
        if (used < truth || used > shifted) wrong.push(`at ${now}: used ${used}, exact ${truth}, one bucket more ${shifted}`); // over-counts by < one bucket
      }
    }
    expect(most).toBeGreaterThan(50);
    expect(most).toBeLessThanOrEqual(61);
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it("retryAfterMs is exact after random usage", () => {
    const rng = mulberry32(9);
    const w = new UsageWindow(10_000, 500);
    let now = 0;
    for (let i = 0; i < 2_000; i++) {
      now += intIn(rng, 0, 300);
      w.record(now, intIn(rng, 0, 100));
      const limit = intIn(rng, 1, 3_000);
      const r = w.wouldAllow(now, limit);
      expect(r.ok).toBe(w.used(now) < limit);
      if (!r.ok) {
        expect(r.retryAfterMs).toBeGreaterThan(0);
        expect(w.wouldAllow(now + r.retryAfterMs - 1, limit).ok).toBe(false);
        expect(w.wouldAllow(now + r.retryAfterMs, limit).ok).toBe(true);
      }
    }
  });

  it("round-trips through JSON and then behaves identically", () => {
    const rng = mulberry32(5);
    const a = new UsageWindow(5_000, 250);
    let now = 0;
    for (let i = 0; i < 100; i++) a.record((now += intIn(rng, 0, 200)), intIn(rng, 0, 50));
    const b = clone(a);
    for (let i = 0; i < 300; i++) {
      now += intIn(rng, 0, 200);
      const units = intIn(rng, 0, 50);
      a.record(now, units);
      b.record(now, units);
      expect(b.used(now)).toBe(a.used(now));
      expect(b.wouldAllow(now, 1_000)).toEqual(a.wouldAllow(now, 1_000));
    }
    expect(b.snapshot()).toEqual(a.snapshot());
  });

  it("rejects bad arguments", () => {
    expect(() => new UsageWindow(0)).toThrow(RangeError);
    expect(() => new UsageWindow(1_000).record(0, -1)).toThrow(RangeError);
    expect(() => UsageWindow.restore({ v: 1, windowMs: 1_000, bucketMs: 100, entries: [[0, -5]] })).toThrow(TypeError);
  });
});

describe("UsageWindow: edges", () => {
  it("records nothing for zero units", () => {
    const w = new UsageWindow(10_000, 1_000);
    w.record(0, 5);
    w.record(2_500, 0);
    expect(w.snapshot().entries).toEqual([[0, 5]]);
  });

  it("a clock that steps back adds to the newest entry, keeping entries in order", () => {
    const w = new UsageWindow(10_000, 1_000);
    w.record(5_000, 1);
    w.record(3_000, 2);
    expect(w.snapshot().entries).toEqual([[5_000, 3]]);
  });

  it("restore takes entries in time order (ties allowed, zero units allowed) and nothing else", () => {
    const base = { v: 1 as const, windowMs: 10_000, bucketMs: 1_000 };
    expect(UsageWindow.restore({ ...base, entries: [[10, 1], [10, 0]] }).used(10)).toBe(1);
    for (const entries of [[[10, 1], [5, 1]], [[Number.NaN, 1]], [[1, Number.POSITIVE_INFINITY]], [[1, -1]]])
      expect(() => UsageWindow.restore({ ...base, entries } as never), JSON.stringify(entries)).toThrow(new TypeError("usage snapshot: bad entry"));
    expect(() => UsageWindow.restore({ ...base, entries: "[]" } as never)).toThrow(new TypeError("usage snapshot: entries must be an array"));
    expect(() => UsageWindow.restore({ ...base, v: 2 } as never)).toThrow(new TypeError("not a version-1 usage snapshot"));
  });

  it("names bad arguments", () => {
    expect(() => new UsageWindow(0)).toThrow(new RangeError("windowMs must be a finite number > 0, got 0"));
    expect(() => new UsageWindow(1_000, 0)).toThrow(new RangeError("bucketMs must be a finite number > 0, got 0"));
    expect(() => new UsageWindow(1_000).record(0, -1)).toThrow(new RangeError("units must be a finite number ≥ 0, got -1"));
  });
});
