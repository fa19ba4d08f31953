import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../worker/intent/hash.ts";
import { betaDraw, choose, decayed, DEFAULT_SELECTION, gammaDraw, recorded, type ArmStats } from "../../../worker/routing/selection.ts";

const HOUR = 3_600_000;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("decayed", () => {
  it("halves the counts every half-life and keeps the rest", () => {
    const s: ArmStats = { successes: 8, failures: 4, latencyMs: 12, at: 1000 };
    expect(decayed(s, 1000 + HOUR, HOUR)).toEqual({ successes: 4, failures: 2, latencyMs: 12, at: 1000 + HOUR });
    const two = decayed(s, 1000 + 2 * HOUR, HOUR);
    expect([two.successes, two.failures]).toEqual([2, 1]);
  });

  it("changes nothing when no time passed or the clock went back", () => {
    const s: ArmStats = { successes: 3, failures: 1, at: 5000 };
    expect(decayed(s, 5000, HOUR)).toBe(s);
    expect(decayed(s, 4000, HOUR)).toBe(s);
  });
});

describe("recorded", () => {
  const o = { halfLifeMs: HOUR, latencyAlpha: 0.5 };
  it("starts from no evidence and counts a success or a failure", () => {
    expect(recorded(undefined, { ok: true }, 10, o)).toStrictEqual({ successes: 1, failures: 0, at: 10 }); // no latency member at all
    expect(recorded(undefined, { ok: false, latencyMs: 40 }, 10, o)).toEqual({ successes: 0, failures: 1, latencyMs: 40, at: 10 });
  });

  it("decays the old counts before adding, and moves the latency mean by latencyAlpha", () => {
    const s: ArmStats = { successes: 4, failures: 2, latencyMs: 100, at: 0 };
    expect(recorded(s, { ok: true, latencyMs: 200 }, HOUR, o)).toEqual({ successes: 3, failures: 1, latencyMs: 150, at: HOUR });
    expect(recorded(s, { ok: false }, 0, o)).toEqual({ successes: 4, failures: 3, latencyMs: 100, at: 0 });
  });
});

describe("gamma and beta draws", () => {
  it("refuse a shape that is not positive and finite", () => {
    for (const shape of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => gammaDraw(shape, Math.random), String(shape)).toThrow(RangeError);
    expect(() => gammaDraw(0, Math.random)).toThrow("gamma shape must be positive and finite, got 0");
  });

  it("have the right means (Gamma(k): k; Beta(a, b): a / (a + b)), below and above shape 1", () => {
    const rng = mulberry32(7);
    for (const k of [0.3, 0.5, 2, 9]) {
      const xs = Array.from({ length: 40_000 }, () => gammaDraw(k, rng));
      const m = mean(xs);
      expect(m, `mean of Gamma(${k})`).toBeCloseTo(k, 1);
      // and the spread: Var(Gamma(k)) = k, within 6 % (the shape < 1 boost and the normal draws shape it)
      expect(Math.abs(mean(xs.map((x) => (x - m) ** 2)) / k - 1), `variance of Gamma(${k})`).toBeLessThan(0.06);
      expect(xs.every((x) => x > 0 && Number.isFinite(x))).toBe(true);
    }
    const b = Array.from({ length: 20_000 }, () => betaDraw(2, 8, rng));
    expect(mean(b)).toBeCloseTo(0.2, 2);
    expect(b.every((x) => x > 0 && x < 1)).toBe(true);
  });
});

describe("choose (Thompson sampling)", () => {
  const strong: ArmStats = { successes: 95, failures: 5, at: 0 };
  const weak: ArmStats = { successes: 60, failures: 40, at: 0 };

  it("refuses an empty list", () => {
    expect(() => choose([], 0, Math.random)).toThrow(RangeError);
  });

  it("sends most traffic to the better specialist and explores one it knows nothing of", () => {
    const rng = mulberry32(1);
    const picks = Array.from({ length: 1000 }, () => choose([{ id: "weak", stats: weak, costUsd: 0 }, { id: "strong", stats: strong, costUsd: 0 }], 0, rng).id);
    expect(picks.filter((p) => p === "strong").length).toBeGreaterThan(990);
    const explored = Array.from({ length: 1000 }, () => choose([{ id: "strong", stats: strong, costUsd: 0 }, { id: "new", costUsd: 0 }], 0, rng).id);
    const tries = explored.filter((p) => p === "new").length;
    expect(tries).toBeGreaterThan(10); // the prior alone is uncertain: it gets tried
    expect(tries).toBeLessThan(200);
  });

  it("weighs cost: of two equally good specialists the cheaper wins most draws", () => {
    const rng = mulberry32(2);
    const o = { ...DEFAULT_SELECTION, costWeight: 10 };
    const picks = Array.from({ length: 500 }, () => choose([{ id: "dear", stats: strong, costUsd: 0.01 }, { id: "cheap", stats: strong, costUsd: 0 }], 0, rng, o).id);
    expect(picks.filter((p) => p === "cheap").length).toBeGreaterThan(400);
  });

  it("weighs latency: of two equally good specialists the faster wins most draws, and the reason gives each one's mean latency", () => {
    const rng = mulberry32(5);
    const o = { ...DEFAULT_SELECTION, latencyWeight: 0.5 };
    const slow = { ...strong, latencyMs: 2000 };
    const fast = { ...strong, latencyMs: 200 };
    const picks = Array.from({ length: 500 }, () => choose([{ id: "slow", stats: slow, costUsd: 0 }, { id: "fast", stats: fast, costUsd: 0 }], 0, rng, o).id);
    expect(picks.filter((p) => p === "fast").length).toBeGreaterThan(450);
    const c = choose([{ id: "slow", stats: slow, costUsd: 0 }, { id: "new", costUsd: 0 }], 0, mulberry32(6), o);
    expect(c.reason).toMatch(/^learned choice \(Thompson sampling\): 'slow' success 0\.941 over 100 outcomes, 2000 ms, drew [0-9.]+, scores -?[0-9.]+; 'new' success 0\.5 over 0 outcomes, drew [0-9.]+; '(slow|new)' scores highest$/);
    // the score is the draw less a second of latency at 0.5
    expect(c.arms[0]!.score).toBeCloseTo(c.arms[0]!.draw - 1, 2);
    // without a latency weight, latency neither counts nor shows
    const plain = choose([{ id: "slow", stats: slow, costUsd: 0 }], 0, mulberry32(6));
    expect(plain.reason).not.toMatch(/ ms/);
    expect(plain.arms[0]!.score).toBe(plain.arms[0]!.draw);
  });

  it("forgets: a specialist whose failures are old is tried again", () => {
    const rng = mulberry32(3);
    const failedLongAgo: ArmStats = { successes: 0, failures: 50, at: 0 };
    const now = 20 * HOUR; // 20 half-lives: the 50 failures weigh 0.00005
    const picks = Array.from({ length: 500 }, () => choose([{ id: "ok", stats: { ...weak, at: now }, costUsd: 0 }, { id: "back", stats: failedLongAgo, costUsd: 0 }], now, rng).id);
    expect(picks.filter((p) => p === "back").length).toBeGreaterThan(50);
  });

  it("explains itself with its numbers, and keeps the given order on equal draws", () => {
    const c = choose([{ id: "a", stats: strong, costUsd: 0 }, { id: "b", costUsd: 0 }], 0, mulberry32(4));
    expect(c.reason).toMatch(/^learned choice \(Thompson sampling\): 'a' success 0\.941 over 100 outcomes, drew [0-9.]+; 'b' success 0\.5 over 0 outcomes, drew [0-9.]+; '(a|b)' drew highest$/);
    expect(c.arms.map((x) => x.id)).toEqual(["a", "b"]);
    const same = () => 0.3;
    expect(choose([{ id: "x", costUsd: 0 }, { id: "y", costUsd: 0 }], 0, same).id).toBe("x");
  });

  it("moves traffic off a specialist that starts failing 30 % of calls (a drift), within a bounded number of requests", () => {
    const rng = mulberry32(5);
    const stats = new Map<string, ArmStats>();
    const o = { ...DEFAULT_SELECTION, halfLifeMs: 200 }; // one request a time unit: evidence fades over ~200 requests
    const T = 300;
    const window: string[] = [];
    let moved: number | undefined;
    for (let t = 0; t < 3000 && moved === undefined; t++) {
      const pick = choose([{ id: "a", stats: stats.get("a"), costUsd: 0 }, { id: "b", stats: stats.get("b"), costUsd: 0 }], t, rng, o).id;
      const failRate = pick === "b" && t >= T ? 0.3 : 0.02;
      stats.set(pick, recorded(stats.get(pick), { ok: rng() >= failRate }, t, o));
      if (t >= T) {
        window.push(pick);
        if (window.length > 100) window.shift();
        if (window.length === 100 && window.filter((p) => p === "a").length >= 90) moved = t - T;
      }
    }
    expect(moved).toBeDefined();
    expect(moved!).toBeLessThan(1500);
  });
});
