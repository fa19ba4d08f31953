import { describe, expect, it } from "vitest";
import { Pool, type PoolConfig } from "../../../worker/pools/pool.ts";
import { intIn, maxInWindow, mulberry32 } from "./prng.ts";

const T0 = Date.UTC(2026, 4, 10, 12);
const breaker = { failureThreshold: 2, windowMs: 10_000, openMs: 5_000, halfOpenProbes: 1 };
const full: PoolConfig = { rpm: 3, tpm: 1_000, concurrency: 2, dailyBudgetUsd: 1, breaker };
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const clone = (p: Pool): Pool => Pool.restore(json(p.snapshot()));

describe("Pool", () => {
  it("an empty config is unlimited and takes no lease", () => {
    const p = new Pool({});
    for (let i = 0; i < 1_000; i++) expect(p.admit(T0, { leaseId: `r${i}`, costUsd: 5 })).toEqual({ ok: true, probe: false });
    expect(p.finish(T0, "r1", { ok: true, tokens: 10 })).toEqual({ released: false });
    expect(p.view(T0)).toMatchObject({ requests: null, leases: null, budget: null, breaker: null, tokens: { used: 10, available: null } });
  });

  it("admits with a lease, then finish releases it, settles the budget and records tokens", () => {
    const p = new Pool(full);
    expect(p.admit(T0, { leaseId: "a", costUsd: 0.2 })).toEqual({ ok: true, leaseId: "a", expiresAt: T0 + 30_000, probe: false });
    expect(p.view(T0)).toMatchObject({ requests: { used: 1, available: 2 }, leases: { active: 1, available: 1 }, budget: { spentUsd: 0.2 } });
    expect(p.finish(T0 + 500, "a", { ok: true, costUsd: 0.05, tokens: 400 })).toEqual({ released: true });
    expect(p.view(T0 + 500)).toMatchObject({ leases: { active: 0 }, budget: { spentUsd: 0.05 }, tokens: { used: 400, available: 600 } });
    expect(p.finish(T0 + 600, "b", { ok: true })).toEqual({ released: false });
  });

  it("each limit denies with its reason, and a denial changes nothing", () => {
    const cases: Array<[string, PoolConfig, (p: Pool) => void, { reason: string; retryAfterMs: number }]> = [
      ["rate", { rpm: 1 }, (p) => p.admit(T0, { leaseId: "x", costUsd: 0 }), { reason: "rate", retryAfterMs: 60_000 }],
      ["concurrency", { concurrency: 1 }, (p) => p.admit(T0, { leaseId: "x", costUsd: 0 }), { reason: "concurrency", retryAfterMs: 30_000 }],
      ["budget", { dailyBudgetUsd: 1 }, (p) => p.admit(T0, { leaseId: "x", costUsd: 0.9 }), { reason: "budget", retryAfterMs: 12 * 3_600_000 }],
      ["tokens", { tpm: 100 }, (p) => p.finish(T0, "x", { ok: true, tokens: 100 }), { reason: "tokens", retryAfterMs: 60_000 }],
      ["breaker", { breaker }, (p) => ["x", "y"].forEach((id) => (p.admit(T0, { leaseId: id, costUsd: 0 }), p.finish(T0, id, { ok: false }))), { reason: "breaker", retryAfterMs: 5_000 }],
    ];
    for (const [, config, fill, denial] of cases) {
      const p = new Pool(config);
      fill(p);
      const before = json(p.snapshot());
      expect(p.admit(T0, { leaseId: "new", costUsd: 0.5 })).toEqual({ ok: false, ...denial });
      expect(json(p.snapshot())).toEqual(before);
    }
  });

  it("a breaker denial takes no lease, budget or rate slot; several denials report the longest wait", () => {
    const p = new Pool(full);
    for (const id of ["a", "b"]) {
      p.admit(T0, { leaseId: id, costUsd: 0.1 });
      p.finish(T0, id, { ok: false });
    }
    const before = json(p.snapshot());
    expect(p.admit(T0 + 1, { leaseId: "c", costUsd: 0.1, units: 2 })).toEqual({ ok: false, reason: "rate", retryAfterMs: 59_999 });
    expect(p.admit(T0 + 1, { leaseId: "c", costUsd: 0.1, units: 0 })).toEqual({ ok: false, reason: "breaker", retryAfterMs: 4_999 });
    expect(p.admit(T0 + 1, { leaseId: "c", costUsd: 2, units: 0 })).toEqual({ ok: false, reason: "budget", retryAfterMs: Number.POSITIVE_INFINITY });
    expect(json(p.snapshot())).toEqual(before);
    expect(p.view(T0 + 1)).toMatchObject({ leases: { active: 0 }, budget: { spentUsd: 0.2 }, breaker: { state: "open" } });
  });

  it("runs half-open probes through leases: a probe success closes the breaker", () => {
    const p = new Pool({ breaker });
    for (const id of ["a", "b"]) (p.admit(T0, { leaseId: id, costUsd: 0 }), p.finish(T0, id, { ok: false }));
    expect(p.admit(T0 + 5_000, { leaseId: "probe", costUsd: 0 })).toEqual({ ok: true, leaseId: "probe", expiresAt: T0 + 35_000, probe: true });
    expect(p.admit(T0 + 5_001, { leaseId: "other", costUsd: 0 })).toEqual({ ok: false, reason: "breaker", retryAfterMs: 29_999 });
    p.finish(T0 + 6_000, "probe", { ok: true });
    expect(p.view(T0 + 6_000).breaker).toEqual({ state: "closed" });
  });

  it("an expired lease frees concurrency; its reservation stays spent", () => {
    const p = new Pool({ concurrency: 1, dailyBudgetUsd: 1, leaseTtlMs: 1_000 });
    p.admit(T0, { leaseId: "crashed", costUsd: 0.3 });
    expect(p.admit(T0 + 999, { leaseId: "b", costUsd: 0.3 })).toEqual({ ok: false, reason: "concurrency", retryAfterMs: 1 });
    expect(p.admit(T0 + 1_000, { leaseId: "b", costUsd: 0.3 })).toMatchObject({ ok: true, leaseId: "b" });
    expect(p.view(T0 + 1_000)).toMatchObject({ leases: { active: 1 }, budget: { spentUsd: 0.6 } });
  });

  it("re-admitting a live lease id returns it again and takes nothing", () => {
    const p = new Pool(full);
    const first = p.admit(T0, { leaseId: "a", costUsd: 0.3 });
    const before = json(p.snapshot());
    expect(p.admit(T0 + 10, { leaseId: "a", costUsd: 0.3 })).toEqual(first);
    expect(json(p.snapshot())).toEqual(before);
  });

  it("grant takes at most what the window has, and says when more frees up", () => {
    const p = new Pool({ rpm: 10 });
    p.admit(T0, { leaseId: "a", costUsd: 0 });
    expect(p.grant(T0 + 100, 20)).toEqual({ granted: 9, validUntil: T0 + 1_100, retryAfterMs: 59_900 });
    expect(p.grant(T0 + 200, 5)).toEqual({ granted: 0, validUntil: T0 + 1_200, retryAfterMs: 59_800 });
    expect(p.admit(T0 + 200, { leaseId: "b", costUsd: 0 })).toMatchObject({ ok: false, reason: "rate" });
    expect(p.grant(T0 + 60_000, 5)).toEqual({ granted: 1, validUntil: T0 + 61_000, retryAfterMs: 1_100 }); // held slots leave at validUntil + windowMs
    expect(new Pool({}).grant(T0, 7)).toEqual({ granted: 7, validUntil: T0 + 1_000, retryAfterMs: 0 });
    expect(new Pool({ rpm: 0 }).grant(T0, 7)).toEqual({ granted: 0, validUntil: T0 + 1_000, retryAfterMs: Number.POSITIVE_INFINITY });
  });

  it("property: grants used anywhere before validUntil plus admits keep the global rpm bound", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const rng = mulberry32(500 + seed);
      const rpm = intIn(rng, 1, 30);
      const p = new Pool({ rpm, windowMs: 10_000 });
      const uses: number[] = [];
      let now = T0;
      for (let i = 0; i < 2_000; i++) {
        now += intIn(rng, 0, 400);
        if (rng() < 0.5) {
          if (p.admit(now, { leaseId: `r${i}`, costUsd: 0 }).ok) uses.push(now);
        } else {
          const g = p.grant(now, intIn(rng, 1, rpm), intIn(rng, 0, 3_000));
          for (let k = 0; k < g.granted; k++) uses.push(intIn(rng, now, g.validUntil));
        }
      }
      uses.sort((a, b) => a - b);
      expect(maxInWindow(uses, 10_000)).toBeLessThanOrEqual(rpm);
    }
  });

  it("view is plain JSON", () => {
    const p = new Pool(full);
    p.admit(T0, { leaseId: "a", costUsd: 0.1 });
    const v = p.view(T0);
    expect(json(v)).toEqual(v);
    expect(v.limits).toEqual({ rpm: 3, tpm: 1_000, concurrency: 2, dailyBudgetUsd: 1, windowMs: 60_000, leaseTtlMs: 30_000 });
    expect(v.budget?.resetsAt).toBe(Date.UTC(2026, 4, 11));
  });

  it("snapshot → restore behaves identically on a random workload", () => {
    const rng = mulberry32(77);
    const config: PoolConfig = { rpm: 20, tpm: 1_500, concurrency: 4, dailyBudgetUsd: 3, breaker: { ...breaker, failureThreshold: 3 }, windowMs: 5_000, leaseTtlMs: 2_000 };
    let a = new Pool(config);
    let b = new Pool(config);
    const open: string[] = [];
    const seen = new Set<string>();
    let now = Date.UTC(2026, 4, 10, 23, 59, 30); // crosses UTC midnight
    for (let i = 0; i < 3_000; i++) {
      now += intIn(rng, 0, 150);
      if (i % 250 === 0) b = clone(b); // restart the "Durable Object" now and then
      const op = rng();
      if (op < 0.5) {
        const req = { leaseId: `r${i}`, costUsd: intIn(rng, 0, 100) / 1_000, units: intIn(rng, 0, 2) };
        const r = a.admit(now, req);
        expect(b.admit(now, req)).toEqual(r);
        if (r.ok) open.push(req.leaseId);
        seen.add(r.ok ? (r.probe ? "probe" : "ok") : r.reason);
      } else if (op < 0.9 && open.length > 0) {
        const id = open.splice(intIn(rng, 0, open.length - 1), 1)[0] as string;
        const out = { ok: rng() < 0.7, costUsd: intIn(rng, 0, 100) / 1_000, tokens: intIn(rng, 0, 400) };
        expect(b.finish(now, id, out)).toEqual(a.finish(now, id, out));
      } else {
        const n = intIn(rng, 1, 5);
        expect(b.grant(now, n)).toEqual(a.grant(now, n));
      }
      if (i % 100 === 0) expect(b.view(now)).toEqual(a.view(now));
    }
    expect([...seen].sort()).toEqual(["breaker", "budget", "concurrency", "ok", "probe", "rate", "tokens"]);
    expect(json(b.snapshot())).toEqual(json(a.snapshot()));
    a = clone(a);
    expect(a.view(now)).toEqual(b.view(now));
  });

  it("restore with a new config keeps usage, leases and spend under the new limits", () => {
    const p = new Pool({ rpm: 5, concurrency: 3, dailyBudgetUsd: 2 });
    for (const id of ["a", "b", "c"]) p.admit(T0 + id.charCodeAt(0), { leaseId: id, costUsd: 0.5 });
    const q = Pool.restore(json(p.snapshot()), { rpm: 2, concurrency: 2, dailyBudgetUsd: 1.6 });
    expect(q.view(T0 + 200)).toMatchObject({ requests: { used: 2, available: 0 }, leases: { active: 3, available: 0 }, budget: { spentUsd: 1.5, remainingUsd: 0.1 } });
    expect(q.admit(T0 + 200, { leaseId: "d", costUsd: 0.05, units: 0 })).toMatchObject({ ok: false, reason: "concurrency" });
  });
});

describe("Pool persistence by rows", () => {
  it("restores the rate window from stamps appended per admission, without the window in the snapshot", () => {
    const config = { rpm: 3, windowMs: 1_000 };
    const p = new Pool(config);
    const rows: number[] = [];
    for (const t of [0, 10, 20]) {
      expect(p.admit(t, { leaseId: `l${t}`, costUsd: 0 }).ok).toBe(true);
      rows.push(p.lastRateStamp()!);
    }
    const snap = p.snapshot({ rate: false });
    expect(snap.rate).toBeUndefined();
    const again = Pool.restore(JSON.parse(JSON.stringify(snap)), config, rows);
    expect(again.admit(500, { leaseId: "x", costUsd: 0 })).toMatchObject({ ok: false, reason: "rate", retryAfterMs: 500 });
    expect(again.admit(1_000, { leaseId: "y", costUsd: 0 }).ok).toBe(true);
  });
});

describe("Pool: edges", () => {
  it("re-admitting a lease id after its lease expired is a new admission", () => {
    const p = new Pool({ concurrency: 1 });
    expect(p.admit(T0, { leaseId: "a", costUsd: 0 })).toMatchObject({ ok: true, expiresAt: T0 + 30_000 });
    expect(p.admit(T0 + 30_000, { leaseId: "a", costUsd: 0 })).toMatchObject({ ok: true, expiresAt: T0 + 60_000 });
  });

  it("re-admitting a live probe's lease says it is the probe", () => {
    const p = new Pool({ breaker });
    for (const id of ["a", "b"]) (p.admit(T0, { leaseId: id, costUsd: 0 }), p.finish(T0, id, { ok: false }));
    expect(p.admit(T0 + 5_000, { leaseId: "probe", costUsd: 0 })).toMatchObject({ ok: true, probe: true });
    expect(p.admit(T0 + 5_001, { leaseId: "probe", costUsd: 0 })).toMatchObject({ ok: true, probe: true });
  });

  it("the longest wait wins over an earlier check's shorter one; on a tie the earlier check's reason", () => {
    const p = new Pool({ dailyBudgetUsd: 1, rpm: 1 });
    p.admit(T0, { leaseId: "a", costUsd: 1 });
    expect(p.admit(T0, { leaseId: "b", costUsd: 0 })).toEqual({ ok: false, reason: "budget", retryAfterMs: 12 * 3_600_000 });
    const tie = new Pool({ concurrency: 1, rpm: 1, leaseTtlMs: 60_000 });
    tie.admit(T0, { leaseId: "a", costUsd: 0 });
    expect(tie.admit(T0, { leaseId: "b", costUsd: 0 })).toEqual({ ok: false, reason: "concurrency", retryAfterMs: 60_000 });
  });

  it("finish ignores a negative token count", () => {
    const p = new Pool({ tpm: 100 });
    p.admit(T0, { leaseId: "a", costUsd: 0 });
    expect(p.finish(T0, "a", { ok: true, tokens: -3 })).toEqual({ released: false });
    expect(p.view(T0).tokens).toEqual({ used: 0, available: 100 });
  });

  it("the outcome of a call the pool holds no lease for is not a probe's", () => {
    const p = new Pool({ breaker });
    for (const id of ["a", "b"]) (p.admit(T0, { leaseId: id, costUsd: 0 }), p.finish(T0, id, { ok: false }));
    p.admit(T0 + 5_000, { leaseId: "probe", costUsd: 0 });
    p.finish(T0 + 5_001, "unknown", { ok: true });
    expect(p.view(T0 + 5_001).breaker).toEqual({ state: "half-open" });
  });

  it("view: leases without a concurrency limit have no availability; no rate window, no stamp", () => {
    const p = new Pool({ dailyBudgetUsd: 1 });
    p.admit(T0, { leaseId: "a", costUsd: 0.1 });
    expect(p.view(T0).leases).toEqual({ active: 1, available: null });
    expect(p.lastRateStamp()).toBeUndefined();
    expect(new Pool({}).view(T0).breaker).toBeNull();
  });

  it("restore into a config without a limit drops that limit's state", () => {
    const old = new Pool(full);
    old.admit(T0, { leaseId: "a", costUsd: 0.5 });
    const p = Pool.restore(json(old.snapshot()), {});
    expect(p.admit(T0 + 1, { leaseId: "b", costUsd: 0 })).toEqual({ ok: true, probe: false });
    expect(p.view(T0 + 1)).toMatchObject({ requests: null, leases: null, budget: null, breaker: null });
    const noWindow = Pool.restore(json(old.snapshot({ rate: false })));
    expect(noWindow.view(T0 + 1).requests).toEqual({ used: 0, available: 3 });
  });

  it("names bad arguments", () => {
    expect(() => new Pool({ windowMs: 0 })).toThrow(new RangeError("windowMs must be a finite number > 0, got 0"));
    expect(() => new Pool({ leaseTtlMs: 0 })).toThrow(new RangeError("leaseTtlMs must be a finite number > 0, got 0"));
    expect(() => new Pool({ tpm: -1 })).toThrow(new RangeError("tpm must be a finite number ≥ 0, got -1"));
    expect(() => new Pool({}).admit(T0, { leaseId: "a", costUsd: 0, units: -1 })).toThrow(new RangeError("units must be an integer ≥ 0, got -1"));
    expect(() => new Pool({}).admit(T0, { leaseId: "a", costUsd: -1 })).toThrow(new RangeError("costUsd must be a finite number ≥ 0, got -1"));
    expect(() => new Pool({}).grant(T0, -1)).toThrow(new RangeError("n must be an integer ≥ 0, got -1"));
    expect(() => new Pool({}).grant(T0, 1, -1)).toThrow(new RangeError("validForMs must be a finite number ≥ 0, got -1"));
    expect(() => Pool.restore({ v: 2 } as never)).toThrow(new TypeError("not a version-1 pool snapshot"));
  });
});

describe("Pool: its own copy of the config", () => {
  it("changing the caller's breaker settings afterwards changes nothing", () => {
    const settings = { ...breaker };
    const p = new Pool({ breaker: settings });
    settings.failureThreshold = 100;
    expect(p.config.breaker?.failureThreshold).toBe(2);
    expect(p.snapshot().config.breaker?.failureThreshold).toBe(2);
  });
});
