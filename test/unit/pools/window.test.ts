import { describe, expect, it } from "vitest";
import { SlidingWindowLimiter } from "../../../worker/pools/window.ts";
import { intIn, maxInWindow, mulberry32 } from "./prng.ts";

const clone = (rl: SlidingWindowLimiter): SlidingWindowLimiter => SlidingWindowLimiter.restore(JSON.parse(JSON.stringify(rl.snapshot())));

describe("SlidingWindowLimiter", () => {
  it("admits up to limit, then waits exactly until the oldest leaves the window", () => {
    const rl = new SlidingWindowLimiter(2, 1_000);
    expect(rl.tryTake(0)).toEqual({ ok: true });
    expect(rl.tryTake(10)).toEqual({ ok: true });
    expect(rl.tryTake(500)).toEqual({ ok: false, reason: "window", retryAfterMs: 500 });
    expect(rl.tryTake(999)).toEqual({ ok: false, reason: "window", retryAfterMs: 1 });
    expect(rl.tryTake(1_000)).toEqual({ ok: true });
    expect(rl.tryTake(1_000)).toEqual({ ok: false, reason: "window", retryAfterMs: 10 });
  });

  it("never admits 2 × limit across a window boundary (unlike a token bucket)", () => {
    const rl = new SlidingWindowLimiter(5, 1_000);
    expect(rl.tryTake(999, 5)).toEqual({ ok: true });
    expect(rl.tryTake(1_000)).toEqual({ ok: false, reason: "window", retryAfterMs: 999 });
    expect(rl.tryTake(1_998)).toEqual({ ok: false, reason: "window", retryAfterMs: 1 });
    expect(rl.tryTake(1_999, 5)).toEqual({ ok: true });
  });

  it("takes n at once, all or nothing", () => {
    const rl = new SlidingWindowLimiter(3, 1_000);
    expect(rl.tryTake(0, 2)).toEqual({ ok: true });
    expect(rl.tryTake(100, 1)).toEqual({ ok: true });
    expect(rl.tryTake(200, 2)).toEqual({ ok: false, reason: "window", retryAfterMs: 800 }); // both stamps at 0 must leave
    expect(rl.available(200)).toBe(0);
    expect(rl.tryTake(1_000, 2)).toEqual({ ok: true });
    expect(rl.available(1_000)).toBe(0);
    expect(rl.available(1_100)).toBe(1);
  });

  it("says n > limit can never succeed, and changes nothing", () => {
    const rl = new SlidingWindowLimiter(3, 1_000);
    const before = rl.snapshot();
    expect(rl.tryTake(0, 4)).toEqual({ ok: false, reason: "exceeds_limit", retryAfterMs: Number.POSITIVE_INFINITY });
    expect(rl.snapshot()).toEqual(before);
    const zero = new SlidingWindowLimiter(0, 1_000);
    expect(zero.tryTake(0)).toMatchObject({ ok: false, reason: "exceeds_limit" });
    expect(zero.tryTake(0, 0)).toEqual({ ok: true });
    expect(zero.available(0)).toBe(0);
  });

  it("rejects bad arguments as programming errors", () => {
    expect(() => new SlidingWindowLimiter(-1, 1_000)).toThrow(RangeError);
    expect(() => new SlidingWindowLimiter(1, 0)).toThrow(RangeError);
    expect(() => new SlidingWindowLimiter(1, 1_000).tryTake(0, 1.5)).toThrow(RangeError);
    expect(() => SlidingWindowLimiter.restore({ v: 2 } as never)).toThrow(TypeError);
  });

  it("stays conservative when the clock steps back", () => {
    const rl = new SlidingWindowLimiter(1, 1_000);
    rl.tryTake(5_000);
    expect(rl.tryTake(4_500)).toEqual({ ok: false, reason: "window", retryAfterMs: 1_500 });
    expect(rl.tryTake(6_000)).toEqual({ ok: true });
  });

  it("property: decisions match a brute-force oracle, the bound is strict and retryAfterMs is exact", () => {
    // disagreements are collected and compared once: 50,000 steps of expect() calls cost seconds
    const wrong: string[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const rng = mulberry32(seed);
      const limit = intIn(rng, 1, 25);
      const windowMs = intIn(rng, 50, 5_000);
      const rl = new SlidingWindowLimiter(limit, windowMs);
      const admitted: number[] = [];
      let now = 0;
      let denials = 0;
      let oldest = 0; // admitted is sorted and now never decreases: admitted[oldest..] are the ones in the window
      for (let i = 0; i < 5_000; i++) {
        // bursts (gap 0), short and long gaps, so both sides of the boundary are hit
        const roll = rng();
        now += roll < 0.3 ? 0 : roll < 0.8 ? intIn(rng, 1, Math.ceil(windowMs / limit)) : intIn(rng, 1, windowMs * 2);
        const n = rng() < 0.8 ? 1 : intIn(rng, 1, limit + 1);
        while (oldest < admitted.length && admitted[oldest]! <= now - windowMs) oldest++;
        const inWindow = admitted.length - oldest;
        const r = rl.tryTake(now, n);
        const at = `seed ${seed} step ${i} (take ${n} at ${now})`;
        if (r.ok !== (n <= limit && inWindow + n <= limit)) wrong.push(`${at}: ok ${r.ok} with ${inWindow} in the window`);
        if (r.ok) {
          for (let k = 0; k < n; k++) admitted.push(now);
          continue;
        }
        if (r.reason === "exceeds_limit") {
          if (n <= limit || r.retryAfterMs !== Number.POSITIVE_INFINITY) wrong.push(`${at}: exceeds_limit, retryAfterMs ${r.retryAfterMs}`);
          continue;
        }
        denials++;
        if (!(r.retryAfterMs > 0)) wrong.push(`${at}: retryAfterMs ${r.retryAfterMs}`);
        if (clone(rl).tryTake(now + r.retryAfterMs - 1, n).ok) wrong.push(`${at}: admitted 1 ms before retryAfterMs ${r.retryAfterMs}`);
        if (!clone(rl).tryTake(now + r.retryAfterMs, n).ok) wrong.push(`${at}: denied at retryAfterMs ${r.retryAfterMs}`);
      }
      expect(admitted.length).toBeGreaterThan(limit);
      expect(denials).toBeGreaterThan(0);
      expect(maxInWindow(admitted, windowMs)).toBeLessThanOrEqual(limit);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it("property: slots held for holdMs keep the bound for uses anywhere in [now, now + holdMs]", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const rng = mulberry32(100 + seed);
      const limit = intIn(rng, 1, 20);
      const windowMs = intIn(rng, 100, 3_000);
      const rl = new SlidingWindowLimiter(limit, windowMs);
      const uses: number[] = [];
      let now = 0;
      for (let i = 0; i < 2_000; i++) {
        now += intIn(rng, 0, Math.ceil(windowMs / 4));
        const hold = rng() < 0.5 ? 0 : intIn(rng, 1, windowMs);
        const n = intIn(rng, 1, limit);
        if (rl.tryTake(now, n, hold).ok) for (let k = 0; k < n; k++) uses.push(now + intIn(rng, 0, hold));
      }
      uses.sort((a, b) => a - b);
      expect(maxInWindow(uses, windowMs)).toBeLessThanOrEqual(limit);
    }
  });

  it("round-trips through JSON and then behaves identically", () => {
    const rng = mulberry32(42);
    const a = new SlidingWindowLimiter(7, 1_000);
    let now = 0;
    for (let i = 0; i < 50; i++) a.tryTake((now += intIn(rng, 0, 200)), intIn(rng, 1, 3));
    const b = clone(a);
    expect(b.snapshot()).toEqual(a.snapshot());
    for (let i = 0; i < 500; i++) {
      now += intIn(rng, 0, 200);
      const n = intIn(rng, 1, 3);
      expect(b.available(now)).toBe(a.available(now));
      expect(b.tryTake(now, n)).toEqual(a.tryTake(now, n));
    }
  });

  it("restores under a smaller limit keeping the newest stamps", () => {
    const a = new SlidingWindowLimiter(4, 1_000);
    [0, 100, 200, 300].forEach((t) => a.tryTake(t));
    const b = SlidingWindowLimiter.restore({ ...a.snapshot(), limit: 2 });
    expect(b.snapshot().stamps).toEqual([200, 300]);
    expect(b.tryTake(1_199)).toEqual({ ok: false, reason: "window", retryAfterMs: 1 });
    expect(b.tryTake(1_200)).toEqual({ ok: true });
  });
});

describe("SlidingWindowLimiter: edges", () => {
  it("restore keeps the newest limit stamps of the snapshot, then the clock-never-steps-back rule", () => {
    const rl = SlidingWindowLimiter.restore({ v: 1, limit: 2, windowMs: 1_000, stamps: [100, 5, 6] });
    expect(rl.snapshot().stamps).toEqual([5, 6]);
    expect(SlidingWindowLimiter.restore({ v: 1, limit: 3, windowMs: 1_000, stamps: [7, 5] }).snapshot().stamps).toEqual([7, 7]);
  });

  it("names bad arguments and refuses foreign snapshots", () => {
    expect(() => new SlidingWindowLimiter(-1, 1_000)).toThrow(new RangeError("limit must be an integer ≥ 0, got -1"));
    expect(() => new SlidingWindowLimiter(1, 0)).toThrow(new RangeError("windowMs must be a finite number > 0, got 0"));
    expect(() => new SlidingWindowLimiter(1, 1_000).check(0, -1)).toThrow(new RangeError("n must be an integer ≥ 0, got -1"));
    expect(() => new SlidingWindowLimiter(1, 1_000).tryTake(0, 1, -1)).toThrow(new RangeError("holdMs must be a finite number ≥ 0, got -1"));
    expect(() => SlidingWindowLimiter.restore({ v: 2 } as never)).toThrow(new TypeError("not a version-1 window snapshot"));
    expect(() => SlidingWindowLimiter.restore({ v: 1, limit: 1, windowMs: 1, stamps: {} } as never)).toThrow(new TypeError("window snapshot: stamps must be an array"));
    expect(() => SlidingWindowLimiter.restore({ v: 1, limit: 1, windowMs: 1, stamps: [Number.NaN] })).toThrow(new TypeError("window snapshot: stamps must be finite numbers"));
  });
});
