import { inject } from "vitest";
import { describe, expect, it } from "vitest";
import { resetLearnedBreakers } from "../../worker/routing/admission.ts";
import { callWith, configWith, problem } from "./helpers.ts";

const faults = () => inject("faultsUrl");
const calls = async (path: string) => ((await (await fetch(`${faults()}/calls?path=${path}`)).json()) as { calls: number }).calls;
const route = (cfg: string, specialist: string, input = "x") => callWith({ SWITCHYARD_CONFIG: cfg }, "/v1/route", { json: { input, specialist } });

describe("rate-limit pools in the hot path", () => {
  it("answers 429 with Retry-After from the pool once the rpm limit is used up", async () => {
    const cfg = configWith((c) => c.specialists.push({ id: "limited-a", endpoint: { type: "http", url: `${faults()}/ok` }, limits: { rpm: 2 } }));
    expect((await route(cfg, "limited-a")).status).toBe(200);
    expect((await route(cfg, "limited-a")).status).toBe(200);
    const res = await route(cfg, "limited-a");
    expect(res.status).toBe(429);
    const retry = Number(res.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(55);
    expect(retry).toBeLessThanOrEqual(60);
    const p = await problem(res);
    expect(p.type).toBe("urn:switchyard:problem:over-limit");
    expect(p.detail).toMatch(/pool 'specialist:limited-a' is at its rate limit/);
    const pool = (await (await callWith({ SWITCHYARD_CONFIG: cfg }, "/v1/pools/specialist:limited-a")).json()) as { totals: { requestsUsed: number }; shards: { limits: { rpm: number } }[] };
    expect(pool.totals.requestsUsed).toBe(2);
    expect(pool.shards[0]!.limits.rpm).toBe(2);
  });

  it("routes to the configured fallback when the pool says no", async () => {
    const cfg = configWith((c) => c.specialists.push({ id: "limited-b", endpoint: { type: "http", url: `${faults()}/ok` }, limits: { rpm: 1 }, fallbacks: ["fault-side-effect"] }));
    await route(cfg, "limited-b");
    const res = await route(cfg, "limited-b");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { decision: { specialist: string; reason: string }; attempts: { specialist: string; failure?: string }[] };
    expect(body.decision.specialist).toBe("fault-side-effect");
    expect(body.decision.reason).toMatch(/'limited-b' over its limit, served by fallback 'fault-side-effect'/);
    expect(body.attempts[0]).toMatchObject({ specialist: "limited-b", failure: "over_limit" });
  });

  it("exhausts a daily budget and says when it resets", async () => {
    const cfg = configWith((c) => c.specialists.push({ id: "pricey", endpoint: { type: "http", url: `${faults()}/ok` }, costPerCall: 0.01, limits: { dailyBudgetUsd: 0.025 } }));
    expect((await route(cfg, "pricey")).status).toBe(200);
    expect((await route(cfg, "pricey")).status).toBe(200);
    const res = await route(cfg, "pricey");
    expect(res.status).toBe(429);
    expect((await problem(res)).detail).toMatch(/budget limit/);
    const untilMidnight = (Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1) - Date.now()) / 1000;
    expect(Math.abs(Number(res.headers.get("retry-after")) - untilMidnight)).toBeLessThan(5);
    const pool = (await (await callWith({ SWITCHYARD_CONFIG: cfg }, "/v1/pools/specialist:pricey")).json()) as { totals: { spentUsd: number } };
    expect(pool.totals.spentUsd).toBeCloseTo(0.02, 6);
  });

  it("never admits more than the limit under 500 concurrent callers, and tells every other caller when to retry", async () => {
    for (const shards of [1, 4]) {
      const id = `hot-${shards}`;
      const cfg = configWith((c) => c.specialists.push({ id, endpoint: { type: "http", url: `${faults()}/side-effect` }, limits: { rpm: 100, shards } }));
      const before = await calls("/side-effect");
      const results = await Promise.all(Array.from({ length: 500 }, (_, i) => route(cfg, id, `call ${i}`)));
      const statuses = results.map((r) => r.status);
      const admitted = statuses.filter((s) => s === 200).length;
      const told = results.filter((r) => r.status === 429 && Number(r.headers.get("retry-after")) > 0).length;
      expect(admitted, `shards=${shards}`).toBeLessThanOrEqual(100);
      expect(admitted, `shards=${shards}`).toBeGreaterThanOrEqual(shards === 1 ? 100 : 80);
      expect(admitted + told).toBe(500);
      expect((await calls("/side-effect")) - before).toBe(admitted);
      await Promise.all(results.map((r) => r.body?.cancel()));
    }
  }, 20_000); // 1,000 hops whose after-response work (trace, metrics) callWith waits for
});

describe("circuit breaker", () => {
  it("opens after N failures, fails fast while open, and closes after a successful half-open probe", async () => {
    await fetch(`${faults()}/set-toggle?fail=true`, { method: "POST" });
    const cfg = configWith((c) =>
      c.specialists.push({ id: "brittle", endpoint: { type: "http", url: `${faults()}/toggle` }, limits: { concurrency: 50 }, breaker: { failureThreshold: 3, windowMs: 10_000, openMs: 400, halfOpenProbes: 1 } }),
    );
    for (let i = 0; i < 3; i++) expect((await route(cfg, "brittle")).status).toBe(502);
    const before = await calls("/toggle");
    const open = await route(cfg, "brittle");
    expect(open.status).toBe(503);
    const p = await problem(open);
    expect(p.type).toBe("urn:switchyard:problem:no-healthy-specialist");
    expect(p.detail).toMatch(/brittle \(circuit_open\)/);
    expect(await calls("/toggle")).toBe(before); // failed fast: the specialist was not called
    await fetch(`${faults()}/set-toggle?fail=false`, { method: "POST" });
    await new Promise((r) => setTimeout(r, 450));
    expect((await route(cfg, "brittle")).status).toBe(200); // the half-open probe
    const pool = (await (await callWith({ SWITCHYARD_CONFIG: cfg }, "/v1/pools/specialist:brittle")).json()) as { breaker: { state: string } };
    expect(pool.breaker.state).toBe("closed");
  });

  describe("a specialist without limits (the router's default breaker)", () => {
    const tagged = (tag: string) => ((c: Parameters<Parameters<typeof configWith>[0]>[0]) => {
      c.router = { ...c.router, breaker: { failureThreshold: 2, windowMs: 10_000, openMs: 300, halfOpenProbes: 1 } };
      c.specialists.push({ id: tag, endpoint: { type: "http", url: `${faults()}/error?tag=${tag}` } });
    });
    const tagCalls = async (tag: string) => ((await (await fetch(`${faults()}/calls?path=/error&tag=${tag}`)).json()) as { calls: number }).calls;

    it("an isolate that saw the breaker open fails fast without calling the specialist", async () => {
      const cfg = configWith(tagged("nolimit-a"));
      for (let i = 0; i < 2; i++) expect((await route(cfg, "nolimit-a")).status).toBe(502);
      const before = await tagCalls("nolimit-a");
      const res = await route(cfg, "nolimit-a");
      expect(res.status).toBe(503);
      expect((await problem(res)).detail).toMatch(/nolimit-a \(circuit_open\)/);
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
      await new Promise((r) => setTimeout(r, 350)); // past openMs: half-open
      const before = await tagCalls("nolimit-c");
      const results = await Promise.all(Array.from({ length: 10 }, () => route(cfg, "nolimit-c")));
      expect(results.map((r) => r.status).sort()).toEqual([502, ...Array(9).fill(503)]);
      expect((await tagCalls("nolimit-c")) - before).toBe(1);
    });
  });

  it("re-opens when the half-open probe fails", async () => {
    await fetch(`${faults()}/set-toggle?fail=true`, { method: "POST" });
    const cfg = configWith((c) =>
      c.specialists.push({ id: "brittle-2", endpoint: { type: "http", url: `${faults()}/toggle` }, limits: { concurrency: 50 }, breaker: { failureThreshold: 2, windowMs: 10_000, openMs: 300, halfOpenProbes: 1 } }),
    );
    for (let i = 0; i < 2; i++) await route(cfg, "brittle-2");
    expect((await route(cfg, "brittle-2")).status).toBe(503);
    await new Promise((r) => setTimeout(r, 350));
    expect((await route(cfg, "brittle-2")).status).toBe(502); // probe fails
    expect((await route(cfg, "brittle-2")).status).toBe(503); // open again
    await fetch(`${faults()}/set-toggle?fail=false`, { method: "POST" });
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
