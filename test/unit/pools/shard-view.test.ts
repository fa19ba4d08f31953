import { describe, expect, it } from "vitest";
import { Pool } from "../../../worker/pools/pool.ts";
import { mergeShardViews, worstBreaker } from "../../../worker/pools/shard-view.ts";

const breaker = { failureThreshold: 2, windowMs: 10_000, openMs: 30_000, halfOpenProbes: 1 };

/** A pool whose breaker has seen `failures` failed calls at time 0. */
function pool(failures: number, config = { rpm: 10, breaker }) {
  const p = new Pool(config);
  for (let i = 0; i < failures; i++) {
    p.admit(0, { leaseId: `f${i}`, costUsd: 0 });
    p.finish(0, `f${i}`, { ok: false, costUsd: 0 });
  }
  return p;
}

describe("worstBreaker", () => {
  it("is open if any shard is open, else half-open if any is, else closed; null without breakers", () => {
    expect(worstBreaker(["closed", "open", "half-open"])).toBe("open");
    expect(worstBreaker(["closed", "half-open", "closed"])).toBe("half-open");
    expect(worstBreaker(["half-open", "open"])).toBe("open");
    expect(worstBreaker(["closed", null])).toBe("closed");
    expect(worstBreaker([null, undefined])).toBeNull();
    expect(worstBreaker([])).toBeNull();
  });
});

describe("mergeShardViews", () => {
  it("shows the breaker open when only shard 1 (not shard 0) is open", () => {
    const views = [pool(0).view(1), pool(2).view(1)];
    expect(views.map((v) => v.breaker?.state)).toEqual(["closed", "open"]);
    expect(mergeShardViews(views).breaker).toEqual({ state: "open" });
    expect(mergeShardViews([...views].reverse()).breaker).toEqual({ state: "open" });
  });

  it("sums requests, tokens, leases and spend over the shards (spend to micro-dollars)", () => {
    const a = new Pool({ rpm: 10, concurrency: 5, dailyBudgetUsd: 1 });
    const b = new Pool({ rpm: 10, concurrency: 5, dailyBudgetUsd: 1 });
    a.admit(0, { leaseId: "a1", costUsd: 0.1 });
    a.admit(0, { leaseId: "a2", costUsd: 0.2 });
    b.admit(0, { leaseId: "b1", costUsd: 0.0000004 });
    a.finish(1, "a1", { ok: true, costUsd: 0.1, tokens: 30 });
    b.finish(1, "b1", { ok: true, costUsd: 0.0000004, tokens: 12 });
    const merged = mergeShardViews([a.view(2), b.view(2)]);
    expect(merged.totals).toEqual({ requestsUsed: 3, tokensUsed: 42, activeLeases: 1, spentUsd: 0.3 });
    expect(merged.breaker).toBeNull();
  });
});
