import { inject } from "vitest";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RateLimitPool } from "../../durable-objects/rate-limit-pool.ts";
import { BREAKER_TRUST_MS, resetLearnedBreakers } from "../../worker/routing/admission.ts";
import { fakeClock } from "./clock.ts";
import { callWith, configWith, problem } from "./helpers.ts";

const faults = () => inject("faultsUrl");
/** Calls the fault upstream got (and calls whose client went away) with an Idempotency-Key containing `key`. */
const calls = async (key: string) => ((await (await fetch(`${faults()}/calls?key=${encodeURIComponent(key)}`)).json()) as { calls: number; aborted: number }).calls;
const route = (cfg: string, specialist: string, input = "x", idempotencyKey?: string) =>
  callWith({ SWITCHYARD_CONFIG: cfg }, "/v1/route", { json: { input, specialist, ...(idempotencyKey ? { idempotencyKey } : {}) } });
type PoolTotals = { totals: { requestsUsed: number; tokensUsed: number; activeLeases: number; spentUsd: number }; breaker: { state: string } | null };
const pool = async (cfg: string, name: string, headers: Record<string, string> = {}) => (await (await callWith({ SWITCHYARD_CONFIG: cfg }, `/v1/pools/${name}`, { headers })).json()) as PoolTotals;

// Every window, budget, lease and breaker here reads this clock: nothing depends on how fast the machine is, or on the day ending.
let clock: ReturnType<typeof fakeClock>;
beforeEach(() => void (clock = fakeClock()));
afterEach(() => clock.restore());

describe("rate-limit pools in the hot path", () => {
  it("answers 429 with Retry-After from the pool once the rpm limit is used up", async () => {
    const cfg = configWith((c) => c.specialists.push({ id: "limited-a", endpoint: { type: "http", url: `${faults()}/ok` }, limits: { rpm: 2 } }));
    expect((await route(cfg, "limited-a")).status).toBe(200);
    expect((await route(cfg, "limited-a")).status).toBe(200);
    const res = await route(cfg, "limited-a");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("60"); // the first call leaves the window a minute after it was made
    const p = await problem(res);
    expect(p.type).toBe("urn:switchyard:problem:over-limit");
    expect(p.detail).toMatch(/pool 'specialist:limited-a' is at its rate limit/);
    const view = (await (await callWith({ SWITCHYARD_CONFIG: cfg }, "/v1/pools/specialist:limited-a")).json()) as { totals: { requestsUsed: number }; shards: { limits: { rpm: number } }[] };
    expect(view.totals.requestsUsed).toBe(2);
    expect(view.shards[0]!.limits.rpm).toBe(2);
  });

  it("routes to the configured fallback when the pool says no", async () => {
    const cfg = configWith((c) => c.specialists.push({ id: "limited-b", endpoint: { type: "http", url: `${faults()}/ok` }, limits: { rpm: 1 }, fallbacks: ["fault-side-effect"] }));
    expect((await route(cfg, "limited-b")).status).toBe(200);
    const res = await route(cfg, "limited-b");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { decision: { specialist: string; reason: string }; attempts: { specialist: string; failure?: string }[] };
    expect(body.decision.specialist).toBe("fault-side-effect");
    expect(body.decision.reason).toMatch(/'limited-b' over its limit, served by fallback 'fault-side-effect'/);
    expect(body.attempts[0]).toMatchObject({ specialist: "limited-b", failure: "over_limit" });
  });

  it("exhausts a daily budget and says when it resets (the next 00:00 UTC)", async () => {
    const cfg = configWith((c) => c.specialists.push({ id: "pricey", endpoint: { type: "http", url: `${faults()}/ok` }, costPerCall: 0.01, limits: { dailyBudgetUsd: 0.025 } }));
    expect((await route(cfg, "pricey")).status).toBe(200);
    expect((await route(cfg, "pricey")).status).toBe(200);
    const res = await route(cfg, "pricey");
    expect(res.status).toBe(429);
    expect((await problem(res)).detail).toMatch(/budget limit/);
    expect(Number(res.headers.get("retry-after"))).toBe(12 * 3600); // the clock is at noon UTC
    expect((await pool(cfg, "specialist:pricey")).totals.spentUsd).toBeCloseTo(0.02, 6);
    clock.advance(12 * 3600_000); // midnight: a new day, a new budget
    expect((await route(cfg, "pricey")).status).toBe(200);
    expect((await pool(cfg, "specialist:pricey")).totals.spentUsd).toBeCloseTo(0.01, 6);
  });

  it("never admits more than the limit under 500 concurrent callers, and tells every other caller when to retry (counted by the pool's decisions)", async () => {
    for (const shards of [1, 4]) {
      const id = `hot-${shards}`;
      const tag = `hot-${shards}-${crypto.randomUUID()}`;
      const cfg = configWith((c) => c.specialists.push({ id, endpoint: { type: "http", url: `${faults()}/side-effect` }, limits: { rpm: 100, shards } }));
      const results = await Promise.all(Array.from({ length: 500 }, (_, i) => route(cfg, id, `call ${i}`, `${tag}/${i}`)));
      // the pool's count of admissions, not the replies: an admitted call the upstream then fails is still admitted
      const admitted = (await pool(cfg, `specialist:${id}`)).totals.requestsUsed;
      const told = results.filter((r) => r.status === 429 && Number(r.headers.get("retry-after")) > 0).length;
      expect(admitted, `shards=${shards}`).toBeLessThanOrEqual(100);
      expect(admitted, `shards=${shards}`).toBeGreaterThanOrEqual(shards === 1 ? 100 : 80);
      expect(admitted + told, `shards=${shards}`).toBe(500); // every caller was admitted or told when to retry
      expect(await calls(tag), `shards=${shards}`).toBeLessThanOrEqual(admitted); // no call past admission
      await Promise.all(results.map((r) => r.body?.cancel()));
    }
  }, 60_000); // 1,000 hops whose after-response work (trace, metrics) callWith waits for
});

describe("hot-path accounting", () => {
  it("a tenant pool releases its lease and refunds its reservation when the specialist's pool refuses the call", async () => {
    const { sha256Hex } = await import("../../worker/intent/record.ts");
    const API_KEYS = JSON.stringify({ [await sha256Hex("refund-key")]: "refund" });
    const cfg = configWith((c) => {
      c.tenants = { refund: { limits: { concurrency: 5, dailyBudgetUsd: 10 } } };
      c.specialists.push({ id: "one-a-minute", endpoint: { type: "http", url: `${faults()}/ok` }, costPerCall: 0.25, limits: { rpm: 1 } });
    });
    const as = (path: string, json?: unknown) => callWith({ SWITCHYARD_CONFIG: cfg, API_KEYS }, path, { ...(json ? { json } : {}), headers: { authorization: "Bearer refund-key" } });
    expect((await as("/v1/route", { input: "a", specialist: "one-a-minute" })).status).toBe(200);
    const refused = await as("/v1/route", { input: "b", specialist: "one-a-minute" });
    expect(refused.status).toBe(429);
    expect((await problem(refused)).detail).toMatch(/pool 'specialist:one-a-minute' is at its rate limit/);
    const tenant = (await (await as("/v1/pools/tenant:refund")).json()) as PoolTotals;
    expect(tenant.totals.activeLeases).toBe(0); // the refused call's tenant lease was released
    expect(tenant.totals.spentUsd).toBeCloseTo(0.25, 9); // and its $0.25 reservation refunded: only the call made is spent
  });

  it("the budgets settle on the cost a specialist reports and tpm counts the tokens it reports, in its pool and its tenant's", async () => {
    const { sha256Hex } = await import("../../worker/intent/record.ts");
    const API_KEYS = JSON.stringify({ [await sha256Hex("metered-key")]: "metered" });
    const cfg = configWith((c) => {
      c.tenants = { metered: { limits: { tpm: 1_000, dailyBudgetUsd: 5 } } };
      // reports $0.07 and 30 + 12 tokens a call; reserves its ceiling ($0.50) while the call runs
      c.specialists.push({ id: "reports-usage", endpoint: { type: "http", url: `${faults()}/priced?costUsd=0.07&inputTokens=30&outputTokens=12` }, costPerCall: 0.01, limits: { tpm: 50, dailyBudgetUsd: 1, maxCallCostUsd: 0.5 } });
    });
    const as = (path: string, json?: unknown) => callWith({ SWITCHYARD_CONFIG: cfg, API_KEYS }, path, { ...(json ? { json } : {}), headers: { authorization: "Bearer metered-key" } });
    expect((await as("/v1/route", { input: "a", specialist: "reports-usage" })).status).toBe(200);
    const own = await pool(cfg, "specialist:reports-usage");
    expect(own.totals.spentUsd).toBeCloseTo(0.08, 9); // costPerCall + the reported cost, not the $0.50 reserved
    expect(own.totals.tokensUsed).toBe(42);
    const tenant = (await (await as("/v1/pools/tenant:metered")).json()) as PoolTotals;
    expect(tenant.totals.spentUsd).toBeCloseTo(0.08, 9);
    expect(tenant.totals.tokensUsed).toBe(42);
    expect((await as("/v1/route", { input: "b", specialist: "reports-usage" })).status).toBe(200); // 42 < 50: admitted
    const over = await as("/v1/route", { input: "c", specialist: "reports-usage" }); // 84 ≥ 50: refused
    expect(over.status).toBe(429);
    expect((await problem(over)).detail).toMatch(/pool 'specialist:reports-usage' is at its tokens limit/);
    expect((await pool(cfg, "specialist:reports-usage")).totals.tokensUsed).toBe(84);
  });
});

describe("circuit breaker", () => {
  it("opens after N failures, fails fast while open, and closes after a successful half-open probe", async () => {
    // /flaky fails the first 3 calls of a key, then answers: one key for every call here
    const key = `brittle-${crypto.randomUUID()}`;
    const cfg = configWith((c) =>
      c.specialists.push({ id: "brittle", endpoint: { type: "http", url: `${faults()}/flaky?fail=3` }, limits: { concurrency: 50 }, breaker: { failureThreshold: 3, windowMs: 10_000, openMs: 400, halfOpenProbes: 1 } }),
    );
    for (let i = 0; i < 3; i++) expect((await route(cfg, "brittle", "x", key)).status).toBe(502);
    const open = await route(cfg, "brittle", "x", key);
    expect(open.status).toBe(503);
    const p = await problem(open);
    expect(p.type).toBe("urn:switchyard:problem:no-healthy-specialist");
    expect(p.detail).toMatch(/brittle \(circuit_open\)/);
    expect(await calls(key)).toBe(3); // failed fast: the specialist was not called
    clock.advance(399);
    expect((await route(cfg, "brittle", "x", key)).status).toBe(503); // still open
    clock.advance(1);
    expect((await route(cfg, "brittle", "x", key)).status).toBe(200); // the half-open probe
    expect(await calls(key)).toBe(4);
    expect((await pool(cfg, "specialist:brittle")).breaker!.state).toBe("closed");
    // the changes are in the specialist's time series, in the minute each happened (the clock is at noon, 400 ms on)
    const res = await callWith({ SWITCHYARD_CONFIG: cfg }, `/v1/metrics?from=${new Date(clock.now() - 60_000).toISOString()}&resolution=1m&specialist=brittle`, { headers: { authorization: "Bearer dev-admin-key" } });
    expect(res.status, await res.clone().text()).toBe(200);
    const points = ((await res.json()) as { series: { points: { t: string; requests: number; denied: number; breaker: { changes: Record<string, number>; state: string | null } }[] }[] }).series[0]!.points;
    expect(points.map((p) => p.breaker)).toEqual([
      { changes: {}, state: null },
      { changes: { open: 1, "half-open": 1, closed: 1 }, state: "closed" }, // opened, half-open, and closed by the probe
    ]);
    expect(points[1]).toMatchObject({ requests: 4, denied: 2 });
  });

  it("re-opens when the half-open probe fails", async () => {
    const key = `brittle-2-${crypto.randomUUID()}`;
    const cfg = configWith((c) =>
      c.specialists.push({ id: "brittle-2", endpoint: { type: "http", url: `${faults()}/error` }, limits: { concurrency: 50 }, breaker: { failureThreshold: 2, windowMs: 10_000, openMs: 300, halfOpenProbes: 1 } }),
    );
    for (let i = 0; i < 2; i++) expect((await route(cfg, "brittle-2", "x", key)).status).toBe(502);
    expect((await route(cfg, "brittle-2", "x", key)).status).toBe(503);
    clock.advance(300);
    expect((await route(cfg, "brittle-2", "x", key)).status).toBe(502); // the probe is called, and fails
    expect((await route(cfg, "brittle-2", "x", key)).status).toBe(503); // open again
    expect(await calls(key)).toBe(3);
    const res = await callWith({ SWITCHYARD_CONFIG: cfg }, `/v1/metrics?from=${new Date(clock.now()).toISOString()}&resolution=1m&specialist=brittle-2`, { headers: { authorization: "Bearer dev-admin-key" } });
    const [point] = ((await res.json()) as { series: { points: { breaker: unknown }[] }[] }).series[0]!.points;
    expect(point!.breaker).toEqual({ changes: { open: 2, "half-open": 1 }, state: "open" }); // opened, half-open, re-opened by the failed probe
  });

  it("falls back on every fault mode of a specialist", async () => {
    for (const mode of ["error", "rate-limit", "hang", "slow-drip", "garbage", "wrong-shape"]) {
      const cfg = configWith((c) => {
        c.specialists.find((s) => s.id === `fault-${mode}`)!.fallbacks = ["fault-ok"];
      });
      const res = await route(cfg, `fault-${mode}`);
      expect(res.status, mode).toBe(200);
      expect(((await res.json()) as { decision: { specialist: string } }).decision.specialist, mode).toBe("fault-ok");
    }
  });

  describe("a specialist without limits (the router's default breaker)", () => {
    const tagged = (tag: string) => ((c: Parameters<Parameters<typeof configWith>[0]>[0]) => {
      c.router = { ...c.router, breaker: { failureThreshold: 2, windowMs: 10_000, openMs: 300, halfOpenProbes: 1 } };
      c.specialists.push({ id: tag, endpoint: { type: "http", url: `${faults()}/error?tag=${tag}` } });
    });
    const tagCalls = async (tag: string) => ((await (await fetch(`${faults()}/calls?path=/error&tag=${tag}`)).json()) as { calls: number }).calls;

    it("an isolate that saw the breaker open remembers it: it fails fast without calling the specialist or asking the pool", async () => {
      const cfg = configWith(tagged("nolimit-a"));
      for (let i = 0; i < 2; i++) expect((await route(cfg, "nolimit-a")).status).toBe(502);
      const before = await tagCalls("nolimit-a");
      const admit = vi.spyOn(RateLimitPool.prototype, "admit"); // the pool objects run in this isolate: the spy sees their calls
      const record = vi.spyOn(RateLimitPool.prototype, "record");
      try {
        const res = await route(cfg, "nolimit-a");
        expect(res.status).toBe(503);
        expect((await problem(res)).detail).toMatch(/nolimit-a \(circuit_open\)/);
        expect(admit).not.toHaveBeenCalled();
        expect(record).not.toHaveBeenCalled();
      } finally {
        admit.mockRestore();
        record.mockRestore();
      }
      expect(await tagCalls("nolimit-a")).toBe(before);
    });

    it("an isolate that never saw it (a cold one) asks the pool and fails fast too", async () => {
      const cfg = configWith(tagged("nolimit-b"));
      for (let i = 0; i < 2; i++) expect((await route(cfg, "nolimit-b")).status).toBe(502);
      resetLearnedBreakers();
      const before = await tagCalls("nolimit-b");
      expect((await route(cfg, "nolimit-b")).status).toBe(503);
      expect(await tagCalls("nolimit-b")).toBe(before);
    });

    it("once half-open, concurrent calls let through only halfOpenProbes (1) probe", async () => {
      const cfg = configWith(tagged("nolimit-c"));
      for (let i = 0; i < 2; i++) expect((await route(cfg, "nolimit-c")).status).toBe(502);
      expect((await route(cfg, "nolimit-c")).status).toBe(503);
      clock.advance(300); // openMs later: half-open
      const before = await tagCalls("nolimit-c");
      const results = await Promise.all(Array.from({ length: 10 }, () => route(cfg, "nolimit-c")));
      expect(results.map((r) => r.status).sort()).toEqual([502, ...Array(9).fill(503)]);
      expect((await tagCalls("nolimit-c")) - before).toBe(1);
    });

    it("a healthy one: concurrent calls of an isolate that does not trust what it knows (cold, or seen closed over BREAKER_TRUST_MS ago) ask its pool once", async () => {
      const cfg = configWith((c) => {
        c.specialists.push({ id: "nolimit-d", endpoint: { type: "http", url: `${faults()}/ok` } });
      });
      expect((await route(cfg, "nolimit-d")).status).toBe(200); // the runtime of this config is built
      resetLearnedBreakers();
      const admit = vi.spyOn(RateLimitPool.prototype, "admit"); // the pool objects run in this isolate: the spy sees their calls
      try {
        const cold = await Promise.all(Array.from({ length: 10 }, () => route(cfg, "nolimit-d")));
        expect(cold.map((r) => r.status)).toEqual(Array(10).fill(200));
        expect(admit).toHaveBeenCalledTimes(1);
        clock.advance(BREAKER_TRUST_MS);
        const later = await Promise.all(Array.from({ length: 10 }, () => route(cfg, "nolimit-d")));
        expect(later.map((r) => r.status)).toEqual(Array(10).fill(200));
        expect(admit).toHaveBeenCalledTimes(2);
      } finally {
        admit.mockRestore();
      }
    });
  });
});

describe("GET /v1/pools/:name", () => {
  it("404s unknown pools and 400s malformed names", async () => {
    const cfg = configWith(() => {});
    expect((await callWith({ SWITCHYARD_CONFIG: cfg }, "/v1/pools/specialist:nobody")).status).toBe(404);
    expect((await callWith({ SWITCHYARD_CONFIG: cfg }, "/v1/pools/whatever")).status).toBe(400);
  });
});

describe("tenant pools", () => {
  it("limit every call of a tenant across specialists, and only the tenant (or an admin) sees its pool", async () => {
    const { sha256Hex } = await import("../../worker/intent/record.ts");
    const API_KEYS = JSON.stringify({ [await sha256Hex("acme-key")]: "acme", [await sha256Hex("beta-key")]: "beta" });
    const cfg = configWith((c) => {
      c.tenants = { acme: { limits: { rpm: 2 } } };
    });
    const as = (key: string, path: string, json?: unknown) => callWith({ SWITCHYARD_CONFIG: cfg, API_KEYS }, path, { ...(json ? { json } : {}), headers: { authorization: `Bearer ${key}` } });
    expect((await as("acme-key", "/v1/route", { input: "a", specialist: "fault-ok" })).status).toBe(200);
    expect((await as("acme-key", "/v1/route", { input: "b", specialist: "fault-side-effect" })).status).toBe(200);
    const third = await as("acme-key", "/v1/route", { input: "c", specialist: "fault-error" });
    expect(third.status).toBe(429);
    expect((await problem(third)).detail).toMatch(/tenant 'acme' is at its rate limit/);
    expect((await as("beta-key", "/v1/route", { input: "d", specialist: "fault-ok" })).status).toBe(200); // other tenants are not limited
    const own = (await (await as("acme-key", "/v1/pools/tenant:acme")).json()) as { totals: { requestsUsed: number } };
    expect(own.totals.requestsUsed).toBe(2);
    expect((await as("beta-key", "/v1/pools/tenant:acme")).status).toBe(404);
    expect((await callWith({ SWITCHYARD_CONFIG: cfg }, "/v1/pools/tenant:acme", { headers: { authorization: "Bearer dev-admin-key" } })).status).toBe(200);
  });
});

describe("tenant scoping of intents", () => {
  it("another tenant's intent id is unknown", async () => {
    const { sha256Hex } = await import("../../worker/intent/record.ts");
    const API_KEYS = JSON.stringify({ [await sha256Hex("gamma-key")]: "gamma" });
    const mine = await callWith({}, "/v1/intents", { json: { input: "convert 9 km to miles" } });
    const id = mine.headers.get("x-intent-id")!;
    expect((await callWith({}, `/v1/intents/${id}`)).status).toBe(200);
    const theirs = await callWith({ API_KEYS }, `/v1/intents/${id}`, { headers: { authorization: "Bearer gamma-key" } });
    expect(theirs.status).toBe(404);
    const hop = await callWith({ API_KEYS }, "/v1/route", { json: { intent: id }, headers: { authorization: "Bearer gamma-key" } });
    expect(hop.status).toBe(404);
  });
});
