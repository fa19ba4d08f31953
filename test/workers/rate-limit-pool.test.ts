import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../worker/env.ts";
import type { AdmitResult } from "../../worker/pools/pool.ts";
import { fakeClock } from "./clock.ts";

const ns = () => (env as unknown as Env).RATE_LIMIT_POOL!;
const stub = (name: string) => ns().get(ns().idFromName(name));

// the pools read this clock: windows, leases and breakers are checked exactly, not against how fast the machine is
let clock: ReturnType<typeof fakeClock>;
beforeEach(() => void (clock = fakeClock()));
afterEach(() => clock.restore());

describe("RateLimitPool Durable Object", () => {
  it("decides 500 concurrent admissions exactly: 100 admitted, 400 told when to retry", async () => {
    const pool = stub(`exact-${Math.random()}`);
    const config = { rpm: 100 };
    const results = (await Promise.all(Array.from({ length: 500 }, (_, i) => pool.admit(config, { leaseId: `l${i}`, costUsd: 0 })))) as AdmitResult[];
    expect(results.filter((r) => r.ok)).toHaveLength(100);
    const denied = results.filter((r): r is Extract<AdmitResult, { ok: false }> => !r.ok);
    expect(denied).toHaveLength(400);
    for (const d of denied) {
      expect(d.reason).toBe("rate");
      expect(d.retryAfterMs).toBe(60_000); // every admission was at the same instant: a minute from now
    }
  });

  it("keeps its counts, leases and spend across a restart", async () => {
    const name = `persist-${Math.random()}`;
    const config = { rpm: 3, concurrency: 2, dailyBudgetUsd: 1 };
    const pool = stub(name);
    for (let i = 0; i < 2; i++) expect(((await pool.admit(config, { leaseId: `a${i}`, costUsd: 0.25 })) as AdmitResult).ok).toBe(true);
    expect(await pool.admit(config, { leaseId: "a2", costUsd: 0.25 })).toMatchObject({ ok: false, reason: "concurrency" });
    await abortAllDurableObjects();
    const again = stub(name);
    const view = (await again.view(config)) as { requests: { used: number }; leases: { active: number }; budget: { spentUsd: number } };
    expect(view.requests.used).toBe(2);
    expect(view.leases.active).toBe(2);
    expect(view.budget.spentUsd).toBeCloseTo(0.5, 6);
    await again.finish(config, "a0", { ok: true, costUsd: 0.1 });
    const after = (await again.view(config)) as { leases: { active: number }; budget: { spentUsd: number } };
    expect(after.leases.active).toBe(1);
    expect(after.budget.spentUsd).toBeCloseTo(0.35, 6);
    await runInDurableObject(again, (_i, state: DurableObjectState) => {
      expect(state.storage.kv.get<{ v: number }>("pool")?.v).toBe(1);
    });
  });

  it("frees a crashed caller's lease when it expires", async () => {
    const pool = stub(`lease-${Math.random()}`);
    const config = { concurrency: 1, leaseTtlMs: 1000 };
    expect(((await pool.admit(config, { leaseId: "crashed", costUsd: 0 })) as AdmitResult).ok).toBe(true);
    const denied = (await pool.admit(config, { leaseId: "next", costUsd: 0 })) as AdmitResult;
    expect(denied).toMatchObject({ ok: false, reason: "concurrency" });
    clock.advance(999);
    expect(await pool.admit(config, { leaseId: "next", costUsd: 0 })).toMatchObject({ ok: false, reason: "concurrency", retryAfterMs: 1 });
    clock.advance(1);
    expect(((await pool.admit(config, { leaseId: "next", costUsd: 0 })) as AdmitResult).ok).toBe(true);
  });

  it("grants batches only while its breaker is closed, and an outcome recorded for a granted call takes no rate slot", async () => {
    const pool = stub(`grant-breaker-${Math.random()}`);
    const config = { rpm: 10, breaker: { failureThreshold: 2, windowMs: 10_000, openMs: 5_000, halfOpenProbes: 1 } };
    const used = async () => ((await pool.view(config)) as { requests: { used: number } }).requests.used;
    expect(await pool.grant(config, 4, 1_000)).toEqual({ granted: 4, validUntil: clock.now() + 1_000, retryAfterMs: 0, breaker: "closed" });
    expect(await pool.record(config, "g1", false)).toEqual({ state: "closed", retryAfterMs: 0 });
    expect(await used()).toBe(4);
    expect(await pool.record(config, "g2", false)).toEqual({ state: "open", retryAfterMs: 5_000 });
    expect(await pool.grant(config, 4)).toEqual({ granted: 0, validUntil: clock.now(), retryAfterMs: 5_000, breaker: "open" });
    clock.advance(5_000);
    expect(await pool.grant(config, 4)).toMatchObject({ granted: 0, retryAfterMs: 0, breaker: "half-open" }); // probes go through admit
    expect(await used()).toBe(4);
    expect(await pool.grant({ rpm: 10 }, 20)).toMatchObject({ granted: 6, breaker: "none" }); // no breaker: the window decides
  });

  it("reports the breaker to callers that are not admitted through it", async () => {
    const pool = stub(`breaker-${Math.random()}`);
    const config = { breaker: { failureThreshold: 2, windowMs: 10_000, openMs: 5_000, halfOpenProbes: 1 } };
    expect(await pool.record(config, "r1", false)).toEqual({ state: "closed", retryAfterMs: 0 });
    const open = await pool.record(config, "r2", false);
    expect(open).toEqual({ state: "open", retryAfterMs: 5_000 });
  });
});
