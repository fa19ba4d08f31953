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

describe("LeaseTable: edges", () => {
  it("a lease that expired is not renewed by its id past a full table", () => {
    const t = new LeaseTable(1);
    t.acquire("a", 0, 10);
    expect(t.acquire("b", 20, 100)).toEqual({ ok: true, expiresAt: 120 });
    expect(t.acquire("a", 21, 100)).toEqual({ ok: false, retryAfterMs: 99 });
    expect(t.active(21)).toBe(1);
  });

  it("frees leases as each expires, earliest first", () => {
    const t = new LeaseTable(5);
    for (const [id, ttl] of [["a", 10], ["b", 20], ["c", 30]] as const) t.acquire(id, 0, ttl);
    expect(t.active(15)).toBe(2);
    expect(t.active(25)).toBe(1);
    const again = LeaseTable.restore(JSON.parse(JSON.stringify(new LeaseTable(5).snapshot())));
    expect(again.active(0)).toBe(0);
    const restored = LeaseTable.restore({ v: 1, limit: 5, leases: [{ id: "x", expiresAt: 100 }, { id: "y", expiresAt: 10 }] });
    expect(restored.active(50)).toBe(1);
  });

  it("a snapshot carries data only for leases that have it", () => {
    const t = new LeaseTable<{ n: number }>(2);
    t.acquire("plain", 0, 10);
    t.acquire("rich", 0, 10, { n: 1 });
    expect(t.snapshot().leases).toStrictEqual([{ id: "plain", expiresAt: 10 }, { id: "rich", expiresAt: 10, data: { n: 1 } }]);
  });

  it("names bad arguments and refuses foreign snapshots", () => {
    expect(() => new LeaseTable(-1)).toThrow(new RangeError("limit must be an integer ≥ 0, got -1"));
    expect(() => new LeaseTable(1).acquire("a", 0, 0)).toThrow(new RangeError("ttlMs must be a finite number > 0, got 0"));
    expect(() => LeaseTable.restore({ v: 2 } as never)).toThrow(new TypeError("not a version-1 lease snapshot"));
    expect(() => LeaseTable.restore({ v: 1, limit: 1, leases: {} } as never)).toThrow(new TypeError("lease snapshot: leases must be an array"));
    expect(() => LeaseTable.restore({ v: 1, limit: 1, leases: [{ id: 1, expiresAt: 5 }] } as never)).toThrow(new TypeError("lease snapshot: bad lease"));
    expect(() => LeaseTable.restore({ v: 1, limit: 1, leases: [{ id: "a", expiresAt: Number.NaN }] })).toThrow(new TypeError("lease snapshot: bad lease"));
  });
});
