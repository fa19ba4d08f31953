import { describe, expect, it } from "vitest";
import { HedgeBudget } from "../../../worker/routing/hedge-budget.ts";

describe("HedgeBudget", () => {
  it("allows maxExtraCalls per sliding window, then says how long to wait", () => {
    const b = new HedgeBudget({ maxExtraCalls: 2, windowMs: 1_000 });
    expect(b.tryTake(0)).toEqual({ ok: true, at: 0 });
    expect(b.tryTake(10)).toEqual({ ok: true, at: 10 });
    expect(b.check(500)).toEqual({ ok: false, reason: "window", retryAfterMs: 500 });
    expect(b.tryTake(500)).toEqual({ ok: false, reason: "window", retryAfterMs: 500 });
    expect(b.available(1_000)).toBe(1);
    expect(b.tryTake(1_000)).toEqual({ ok: true, at: 1_000 });
  });

  it("maxExtraCalls 0 never hedges; bad settings throw", () => {
    expect(new HedgeBudget({ maxExtraCalls: 0, windowMs: 1_000 }).tryTake(0)).toMatchObject({ ok: false, reason: "exceeds_limit" });
    expect(() => new HedgeBudget({ maxExtraCalls: 1.5, windowMs: 1_000 })).toThrow(RangeError);
    expect(() => new HedgeBudget({ maxExtraCalls: 1, windowMs: 0 })).toThrow(RangeError);
  });

  it("refunds a take once; a refund of what was never taken is false", () => {
    const b = new HedgeBudget({ maxExtraCalls: 1, windowMs: 60_000 });
    expect(b.refund(0)).toBe(false);
    const t = b.tryTake(0);
    expect(b.tryTake(10).ok).toBe(false);
    expect(t.ok && b.refund(t.at)).toBe(true);
    expect(b.refund(0)).toBe(false);
    expect(b.tryTake(10)).toEqual({ ok: true, at: 10 });
  });

  it("a refund after the clock stepped back removes the raised stamp; snapshots round-trip", () => {
    const b = new HedgeBudget({ maxExtraCalls: 3, windowMs: 1_000 });
    b.tryTake(500);
    expect(b.tryTake(400)).toEqual({ ok: true, at: 500 }); // recorded at the newest stamp
    expect(b.refund(400)).toBe(true);
    expect(b.snapshot().stamps).toEqual([500]);
    const again = HedgeBudget.restore(JSON.parse(JSON.stringify(b.snapshot())));
    expect([again.maxExtraCalls, again.windowMs, again.available(600)]).toEqual([3, 1_000, 2]);
  });
});
