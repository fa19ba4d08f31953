import { describe, expect, it } from "vitest";
import { DailyBudget, toMicros } from "../../../worker/pools/budget.ts";

const day1 = Date.UTC(2026, 4, 10);
const day2 = Date.UTC(2026, 4, 11);

describe("DailyBudget", () => {
  it("reserves until the budget can't fit the cost, then waits until UTC midnight", () => {
    const b = new DailyBudget(1);
    expect(b.reserve(day1 + 1_000, 0.6)).toEqual({ ok: true });
    expect(b.reserve(day1 + 2_000, 0.5)).toEqual({ ok: false, reason: "exhausted", retryAfterMs: day2 - day1 - 2_000 });
    expect(b.reserve(day1 + 2_000, 0.4)).toEqual({ ok: true }); // exactly fills it
    expect(b.reserve(day1 + 3_000, 0)).toEqual({ ok: false, reason: "exhausted", retryAfterMs: day2 - day1 - 3_000 });
    expect(b.spent(day1 + 3_000)).toBe(1);
  });

  it("resets at UTC midnight", () => {
    const b = new DailyBudget(1);
    b.reserve(day2 - 1, 1);
    expect(b.spent(day2 - 1)).toBe(1);
    expect(b.reserve(day2 - 1, 0.01)).toMatchObject({ ok: false, retryAfterMs: 1 });
    expect(b.spent(day2)).toBe(0);
    expect(b.remaining(day2)).toBe(1);
    expect(b.reserve(day2, 1)).toEqual({ ok: true });
    expect(b.resetsAt(day2)).toBe(day2 + 86_400_000);
  });

  it("a cost over the whole budget can never fit", () => {
    expect(new DailyBudget(1).reserve(day1, 1.000001)).toEqual({ ok: false, reason: "exceeds_budget", retryAfterMs: Number.POSITIVE_INFINITY });
  });

  it("settles by the difference between real and reserved cost, never below zero", () => {
    const b = new DailyBudget(10);
    b.reserve(day1, 0.25);
    b.settle(day1 + 10, 0.25, 0.4);
    expect(b.spent(day1 + 10)).toBe(0.4);
    b.reserve(day1 + 20, 1);
    b.settle(day1 + 30, 1, 0.1);
    expect(b.spent(day1 + 30)).toBe(0.5);
    b.settle(day1 + 40, 5, 0);
    expect(b.spent(day1 + 40)).toBe(0);
  });

  it("a reservation from yesterday charges only its overrun to today", () => {
    const b = new DailyBudget(10);
    b.reserve(day2 - 10, 2);
    b.settle(day2 + 5, 2, 0.5, day2 - 10); // refund belongs to a closed day
    expect(b.spent(day2 + 5)).toBe(0);
    b.settle(day2 + 6, 2, 2.75, day2 - 10);
    expect(b.spent(day2 + 6)).toBe(0.75);
  });

  it("uses integer micro-dollars: no float drift", () => {
    const b = new DailyBudget(1);
    for (let i = 0; i < 10; i++) expect(b.reserve(day1, 0.1).ok).toBe(true);
    expect(b.spent(day1)).toBe(1);
    expect(toMicros(0.1) + toMicros(0.2)).toBe(toMicros(0.3));
    expect(b.snapshot().spentMicros).toBe(1_000_000);
  });

  it("check changes nothing; round-trips through JSON", () => {
    const a = new DailyBudget(3);
    a.reserve(day1, 1.5);
    const before = a.snapshot();
    expect(a.check(day1, 2).ok).toBe(false);
    expect(a.snapshot()).toEqual(before);
    const b = DailyBudget.restore(JSON.parse(JSON.stringify(a.snapshot())));
    for (const [now, usd] of [[day1 + 1, 1], [day1 + 2, 1], [day2, 2.5], [day2 + 1, 1]] as const) expect(b.reserve(now, usd)).toEqual(a.reserve(now, usd));
    expect(b.snapshot()).toEqual(a.snapshot());
  });

  it("rejects bad amounts", () => {
    expect(() => new DailyBudget(-1)).toThrow(RangeError);
    expect(() => new DailyBudget(1).reserve(day1, Number.NaN)).toThrow(RangeError);
  });
});

describe("DailyBudget: edges", () => {
  const DAY = 86_400_000;

  it("says its limit in USD", () => {
    expect(new DailyBudget(5).limitUsd).toBe(5);
    expect(new DailyBudget(0.25).limitUsd).toBe(0.25);
  });

  it("starts every day afresh from the first one on (an injected clock may start at 0)", () => {
    const b = new DailyBudget(1);
    expect(b.reserve(0, 1)).toEqual({ ok: true });
    expect(b.reserve(DAY, 1)).toEqual({ ok: true });
    expect(b.spent(DAY)).toBe(1);
  });

  it("a reservation from yesterday refunds nothing to today", () => {
    const b = new DailyBudget(1);
    b.reserve(day1 + 1_000, 0.5);
    b.reserve(day2 + 1_000, 0.3);
    b.settle(day2 + 2_000, 0.5, 0.1, day1 + 1_000);
    expect(b.spent(day2 + 2_000)).toBe(0.3);
  });

  it("names bad amounts and refuses foreign snapshots", () => {
    expect(() => new DailyBudget(-1)).toThrow(new RangeError("usd must be a finite number ≥ 0, got -1"));
    const good = new DailyBudget(1).snapshot();
    expect(() => DailyBudget.restore({ ...good, v: 2 } as never)).toThrow(new TypeError("not a version-1 budget snapshot"));
    expect(() => DailyBudget.restore({ ...good, limitMicros: 1.5 })).toThrow(new RangeError("limitMicros must be an integer ≥ 0, got 1.5"));
    expect(() => DailyBudget.restore({ ...good, day: -2 })).toThrow(new RangeError("day must be an integer ≥ -1, got -2"));
    expect(() => DailyBudget.restore({ ...good, spentMicros: -1 })).toThrow(new RangeError("spentMicros must be an integer ≥ 0, got -1"));
  });
});
