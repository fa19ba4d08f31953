import { describe, expect, it } from "vitest";
import { LeaseTable } from "../../../worker/pools/leases.ts";

describe("LeaseTable", () => {
  it("limits concurrent leases and waits exactly until the earliest expires", () => {
    const t = new LeaseTable(2);
    expect(t.acquire("a", 0, 30_000)).toEqual({ ok: true, expiresAt: 30_000 });
    expect(t.acquire("b", 1_000, 10_000)).toEqual({ ok: true, expiresAt: 11_000 });
    expect(t.acquire("c", 2_000, 30_000)).toEqual({ ok: false, retryAfterMs: 9_000 });
    expect(t.acquire("c", 10_999, 30_000)).toEqual({ ok: false, retryAfterMs: 1 });
    expect(t.active(10_999)).toBe(2);
  });

  it("frees a crashed caller's lease at its expiry", () => {
    const t = new LeaseTable(1);
    t.acquire("crashed", 0, 5_000);
    expect(t.check(4_999).ok).toBe(false);
    expect(t.check(5_000)).toEqual({ ok: true });
    expect(t.active(5_000)).toBe(0);
    expect(t.acquire("next", 5_000, 5_000)).toEqual({ ok: true, expiresAt: 10_000 });
    expect(t.release("crashed")).toBe(false); // already purged
  });

  it("release frees capacity at once and reports whether the lease was held", () => {
    const t = new LeaseTable(1);
    t.acquire("a", 0, 30_000);
    expect(t.release("a")).toBe(true);
    expect(t.release("a")).toBe(false);
    expect(t.acquire("b", 1, 30_000).ok).toBe(true);
  });

  it("re-acquiring a live id renews it without taking another slot, keeping its data", () => {
    const t = new LeaseTable<{ n: number }>(1);
    t.acquire("a", 0, 1_000, { n: 1 });
    expect(t.acquire("a", 900, 1_000)).toEqual({ ok: true, expiresAt: 1_900 });
    expect(t.get("a")).toEqual({ id: "a", expiresAt: 1_900, data: { n: 1 } });
    expect(t.active(1_500)).toBe(1);
  });

  it("check changes nothing, unlimited tables only track", () => {
    const t = new LeaseTable(1);
    t.acquire("a", 0, 100);
    const before = t.snapshot();
    expect(t.check(50)).toEqual({ ok: false, retryAfterMs: 50 });
    expect(t.check(200)).toEqual({ ok: true });
    expect(t.snapshot()).toEqual(before);
    const u = new LeaseTable(Number.POSITIVE_INFINITY);
    for (let i = 0; i < 100; i++) expect(u.acquire(`l${i}`, i, 1_000).ok).toBe(true);
    expect(u.active(99)).toBe(100);
    expect(u.snapshot().limit).toBeNull();
  });

  it("round-trips through JSON with data and then behaves identically", () => {
    const a = new LeaseTable<{ usd: number }>(3);
    a.acquire("x", 0, 1_000, { usd: 0.5 });
    a.acquire("y", 100, 2_000);
    const b = LeaseTable.restore<{ usd: number }>(JSON.parse(JSON.stringify(a.snapshot())));
    expect(b.get("x")?.data).toEqual({ usd: 0.5 });
    for (const [id, now] of [["z", 200], ["w", 300], ["v", 1_000], ["u", 1_001]] as const) expect(b.acquire(id, now, 500)).toEqual(a.acquire(id, now, 500));
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(b.active(2_100)).toBe(a.active(2_100));
  });

  it("rejects bad arguments", () => {
    expect(() => new LeaseTable(-1)).toThrow(RangeError);
    expect(() => new LeaseTable(1).acquire("a", 0, 0)).toThrow(RangeError);
  });
});
