import { describe, expect, it } from "vitest";
import { Pool } from "../../../worker/pools/pool.ts";
import { pickShards, shardConfig, splitLimit } from "../../../worker/pools/shards.ts";
import { intIn, mulberry32 } from "./prng.ts";

const breaker = { failureThreshold: 5, windowMs: 10_000, openMs: 30_000, halfOpenProbes: 1 };

describe("splitLimit", () => {
  it("splits exactly, remainders to the first shards", () => {
    expect(splitLimit(10, 3)).toEqual([4, 3, 3]);
    expect(splitLimit(9, 3)).toEqual([3, 3, 3]);
    expect(splitLimit(2, 3)).toEqual([1, 1, 0]);
    expect(splitLimit(0, 2)).toEqual([0, 0]);
    const rng = mulberry32(1);
    for (let i = 0; i < 500; i++) {
      const limit = intIn(rng, 0, 1_000_000);
      const n = intIn(rng, 1, 64);
      const parts = splitLimit(limit, n);
      expect(parts.reduce((s, x) => s + x, 0)).toBe(limit);
      expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
    }
  });

  it("rejects non-integers and n < 1", () => {
    expect(() => splitLimit(1.5, 2)).toThrow(RangeError);
    expect(() => splitLimit(10, 0)).toThrow(RangeError);
  });
});

describe("shardConfig", () => {
  it("splits rpm, tpm, concurrency and budget; copies the breaker and timings", () => {
    const config = { rpm: 100, tpm: 10_001, concurrency: 5, dailyBudgetUsd: 1, breaker, windowMs: 30_000, leaseTtlMs: 10_000 };
    const shards = [0, 1, 2].map((i) => shardConfig(config, 3, i));
    expect(shards[0]).toEqual({ rpm: 34, tpm: 3_334, concurrency: 2, dailyBudgetUsd: 0.333334, breaker, windowMs: 30_000, leaseTtlMs: 10_000 });
    expect(shards[2]).toMatchObject({ rpm: 33, tpm: 3_333, concurrency: 1, dailyBudgetUsd: 0.333333 });
    const sum = (k: "rpm" | "tpm" | "concurrency") => shards.reduce((s, c) => s + (c[k] ?? 0), 0);
    expect([sum("rpm"), sum("tpm"), sum("concurrency")]).toEqual([100, 10_001, 5]);
    expect(Math.round(shards.reduce((s, c) => s + (c.dailyBudgetUsd ?? 0), 0) * 1e6)).toBe(1_000_000);
    expect(shards[1]?.breaker).not.toBe(config.breaker);
    expect(shardConfig({ rpm: 10 }, 2, 1)).toEqual({ rpm: 5 });
    expect(() => shardConfig(config, 3, 3)).toThrow(RangeError);
  });

  it("shards together never admit more than the whole pool's rpm", () => {
    const shards = [0, 1, 2, 3].map((i) => new Pool(shardConfig({ rpm: 10 }, 4, i)));
    let admitted = 0;
    for (let k = 0; k < 100; k++) for (const p of shards) if (p.admit(0, { leaseId: `r${k}`, costUsd: 0 }).ok) admitted++;
    expect(admitted).toBe(10);
  });
});

describe("pickShards", () => {
  it("returns two distinct in-range shards, deterministic per key and rng draw", () => {
    const rng = mulberry32(2);
    for (let i = 0; i < 2_000; i++) {
      const n = intIn(rng, 2, 40);
      const [a, b] = pickShards(`req_${i}`, n, rng);
      expect(a).not.toBe(b);
      for (const x of [a, b]) expect(x !== undefined && x >= 0 && x < n && Number.isInteger(x)).toBe(true);
    }
    expect(pickShards("k", 8, () => 0.1)).toEqual(pickShards("k", 8, () => 0.2));
    expect(pickShards("k", 8, () => 0.9)).toEqual([...pickShards("k", 8, () => 0.1)].reverse());
    expect(pickShards("anything", 1, () => 0.5)).toEqual([0]);
  });

  it("spreads per-request keys evenly over the shards", () => {
    const rng = mulberry32(3);
    const n = 8;
    const first = new Array<number>(n).fill(0);
    for (let i = 0; i < 16_000; i++) {
      const [a] = pickShards(`lease_${i}`, n, rng);
      first[a as number] = (first[a as number] ?? 0) + 1;
    }
    for (const c of first) expect(c).toBeGreaterThan(1_600); // expected 2000 each
  });
});

describe("pickShards hashing", () => {
  it("picks the same shards as before it shared the intent modules' FNV-1a and murmur3 finaliser", () => {
    // pinned from the picker's own copy of the hash, before it was removed: a deployment keeps its key → shard map
    const picks = ["req_1", "lease_42", "acme/tenant", "é✓"].map((k) => [pickShards(k, 8, () => 0.1), pickShards(k, 3, () => 0.1)]);
    expect(picks).toEqual([
      [[7, 5], [1, 2]],
      [[0, 2], [1, 2]],
      [[0, 3], [1, 2]],
      [[5, 3], [0, 2]],
    ]);
  });
});

describe("shards: edges", () => {
  it("the rng orders the pair: below 0.5 the key's own shard first", () => {
    const [a, b] = pickShards("req_42", 8, () => 0);
    expect(pickShards("req_42", 8, () => 0.4999)).toEqual([a, b]);
    expect(pickShards("req_42", 8, () => 0.5)).toEqual([b, a]);
    expect(pickShards("req_42", 8, () => 0.99)).toEqual([b, a]);
  });

  it("a key maps to the same shards in every version (their state lives there): FNV-1a over every character", () => {
    expect(pickShards("req_42", 8, () => 0)).toEqual([6, 0]);
    expect(pickShards("tenant:acme", 16, () => 0)).toEqual(pickShards("tenant:acme", 16, () => 0.1));
    expect(pickShards("ab", 1_000, () => 0)).not.toEqual(pickShards("ba", 1_000, () => 0));
  });

  it("names the bad argument", () => {
    expect(() => splitLimit(-1, 2)).toThrow(new RangeError("limit must be an integer ≥ 0, got -1"));
    expect(() => splitLimit(1, 0)).toThrow(new RangeError("n must be an integer ≥ 1, got 0"));
    expect(() => pickShards("k", 0, () => 0)).toThrow(new RangeError("n must be an integer ≥ 1, got 0"));
    expect(() => shardConfig({}, 2, -1)).toThrow(new RangeError("i must be an integer ≥ 0, got -1"));
    expect(() => shardConfig({}, 2, 2)).toThrow(new RangeError("shard index 2 out of range for 2 shards"));
  });

  it("leaves limits a config does not set unset", () => {
    expect(shardConfig({ dailyBudgetUsd: 1 }, 2, 0)).toStrictEqual({ dailyBudgetUsd: 0.5 });
    expect(shardConfig({ rpm: 5 }, 2, 1)).toStrictEqual({ rpm: 2 });
  });
});
