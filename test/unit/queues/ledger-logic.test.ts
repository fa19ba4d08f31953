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

describe("the message ledger's entries, field by field", () => {
  it("a first claim stores a fresh entry: claimed once, leased from now, no outcome, no failures, kept a window", () => {
    expect(claim(undefined, "m", 1000, LEASE, 5000)).toEqual({
      result: { state: "claimed", claims: 1 },
      store: { id: "m", state: "claimed", claims: 1, claimedAt: 1000, leaseUntil: 1000 + LEASE, outcome: null, failures: 0, firstFailureAt: null, lastFailureAt: null, lastError: null, expiresAt: 6000 },
    });
  });

  it("a claim after the window starts afresh but keeps the failures noted so far", () => {
    const failed = fail(claimed(undefined, 1000).entry, "m", "Error: first", 1500, false, 10_000);
    const again = fail(failed, "m", "Error: second", 2500, false, 10_000);
    const r = claim(again, "m", again.expiresAt, LEASE, 10_000);
    expect(r.result).toEqual({ state: "claimed", claims: 1 });
    expect(r.store).toEqual({
      id: "m",
      state: "claimed",
      claims: 1,
      claimedAt: again.expiresAt,
      leaseUntil: again.expiresAt + LEASE,
      outcome: null,
      failures: 2,
      firstFailureAt: 1500,
      lastFailureAt: 2500,
      lastError: "Error: second",
      expiresAt: again.expiresAt + 10_000,
    });
  });

  it("claiming a released entry keeps its history and counts the claim", () => {
    const released = fail(claimed(undefined, 1000).entry, "m", "Error: before the effect", 1500, true, 10_000);
    expect(claim(released, "m", 1600, LEASE, 10_000)).toEqual({
      result: { state: "claimed", claims: 2 },
      store: { ...released, state: "claimed", claims: 2, claimedAt: 1600, leaseUntil: 1600 + LEASE, expiresAt: 11_600 },
    });
  });

  it("taking over a stale claim renews its lease and window, keeping it claimed", () => {
    const a = claimed(undefined, 1000).entry!;
    expect(claim(a, "m", 1000 + LEASE, LEASE, 10_000).store).toEqual({ ...a, claims: 2, claimedAt: 1000 + LEASE, leaseUntil: 1000 + 2 * LEASE, expiresAt: 1000 + LEASE + 10_000 });
  });

  it("completing without a claim creates a done entry; completing a claim keeps its count and history", () => {
    expect(complete(undefined, "m", { status: 200 }, 700, 1000)).toEqual({
      id: "m",
      state: "done",
      claims: 0,
      claimedAt: 700,
      leaseUntil: 700,
      outcome: { status: 200 },
      failures: 0,
      firstFailureAt: null,
      lastFailureAt: null,
      lastError: null,
      expiresAt: 1700,
    });
    const released = fail(claimed(undefined, 100).entry, "m", "Error: x", 200, true);
    expect(complete(claimed(released, 300).entry, "m", "ok", 400, 1000)).toEqual({ ...released, state: "done", claims: 2, claimedAt: 300, leaseUntil: 400, outcome: "ok", expiresAt: 1400 });
  });

  it("a failure noted without any entry creates a released one (with release or without)", () => {
    const expected = { id: "m", state: "released", claims: 0, claimedAt: 50, leaseUntil: 50, outcome: null, failures: 1, firstFailureAt: 50, lastFailureAt: 50, lastError: "Error: x", expiresAt: 1050 };
    expect(fail(undefined, "m", "Error: x", 50, false, 1000)).toEqual(expected);
    expect(fail(undefined, "m", "Error: x", 50, true, 1000)).toEqual(expected);
  });

  it("is FNV-1a, 32 bits, over the id's code units (the published test vectors)", () => {
    const FULL = 2 ** 32;
    expect(ledgerShard("", FULL)).toBe(0x811c9dc5);
    expect(ledgerShard("a", FULL)).toBe(0xe40c292c);
    expect(ledgerShard("foobar", FULL)).toBe(0xbf9cf968);
    expect(ledgerShard("foobar", 16)).toBe(0xbf9cf968 % 16);
  });
});
