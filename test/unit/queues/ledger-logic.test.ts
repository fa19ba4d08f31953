import { describe, expect, it } from "vitest";
import { claim, complete, DEDUP_WINDOW_MS, fail, ledgerShard, type LedgerEntry } from "../../../worker/queues/ledger-logic.ts";

const LEASE = 30_000;

/** Applies a claim and keeps what it stores. */
function claimed(entry: LedgerEntry | undefined, now: number) {
  const r = claim(entry, "m", now, LEASE);
  return { result: r.result, entry: r.store ?? entry };
}

describe("the message ledger's rules", () => {
  it("the first delivery claims; a redelivery while the claim is live waits out the lease", () => {
    const a = claimed(undefined, 1000);
    expect(a.result).toEqual({ state: "claimed", claims: 1 });
    const b = claimed(a.entry, 11_000);
    expect(b.result).toEqual({ state: "busy", retryAfterMs: 20_000 });
    expect(b.entry).toBe(a.entry);
  });

  it("a redelivery after the effect completed finds it done, with its outcome, and never claims again", () => {
    const a = claimed(undefined, 1000);
    const done = complete(a.entry, "m", { status: 200 }, 2000);
    for (const at of [2001, 2000 + LEASE * 10, 2000 + DEDUP_WINDOW_MS - 1]) expect(claimed(done, at).result).toEqual({ state: "done", outcome: { status: 200 } });
  });

  it("a claim whose holder vanished mid-effect (lease over, never completed) is stale: the next delivery holds it and decides", () => {
    const a = claimed(undefined, 1000);
    const b = claimed(a.entry, 1000 + LEASE);
    expect(b.result).toEqual({ state: "stale", claims: 2, claimedAt: 1000 });
    expect(claimed(b.entry, 1000 + LEASE + 1).result).toMatchObject({ state: "busy" });
  });

  it("a failure that releases lets the next delivery claim afresh; one that does not keeps the claim", () => {
    const a = claimed(undefined, 1000);
    const released = fail(a.entry, "m", "Error: before the effect", 1500, true);
    expect(released).toMatchObject({ state: "released", failures: 1, firstFailureAt: 1500, lastFailureAt: 1500, lastError: "Error: before the effect" });
    expect(claimed(released, 1600).result).toEqual({ state: "claimed", claims: 2 });
    const kept = fail(a.entry, "m", "Error: mid-effect", 1500, false);
    expect(kept.state).toBe("claimed");
    expect(claimed(kept, 1600).result).toMatchObject({ state: "busy" });
    const twice = fail(fail(undefined, "m", "first", 10, false), "m", "x".repeat(5000), 20, false);
    expect(twice).toMatchObject({ failures: 2, firstFailureAt: 10, lastFailureAt: 20 });
    expect(twice.lastError).toHaveLength(1000);
  });

  it("a failure noted after the effect completed changes nothing", () => {
    const done = complete(undefined, "m", "ok", 5);
    expect(fail(done, "m", "late", 6, true)).toBe(done);
  });

  it("forgets an entry after the dedup window: the id may be used again", () => {
    const done = complete(undefined, "m", "ok", 0);
    expect(claimed(done, DEDUP_WINDOW_MS).result).toEqual({ state: "claimed", claims: 1 });
  });

  it("spreads ids over the shards, deterministically", () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 1600; i++) counts[ledgerShard(`hop:${i}`, 16)]++;
    expect(Math.min(...counts)).toBeGreaterThan(60);
    expect(ledgerShard("webhook:abc", 16)).toBe(ledgerShard("webhook:abc", 16));
  });
});
