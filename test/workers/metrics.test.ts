import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeClock } from "./clock.ts";
import { callWith, configWith, problem } from "./helpers.ts";

const ADMIN = { authorization: "Bearer dev-admin-key" };
type Row = {
  id: string;
  requests: number;
  ok: number;
  errors: number;
  errorRate: number;
  failures: Record<string, number>;
  denied: number;
  denials: Record<string, number>;
  latencyMs: { p50: number | null; p95: number | null; max: number | null };
  costUsd: number;
  breaker: string | null;
  pool: { name: string; limited: boolean; requests: { used: number; limit: number | null }; budget: { spentUsd: number } } | null;
};
type Metrics = { day: string; totals: { requests: number; errors: number; errorRate: number; costUsd: number }; specialists: Row[] };

/** The test config with `units` limited, so it has a strict pool to report. */
const LIMITED = configWith((c) => {
  c.specialists.find((s) => s.id === "units")!.limits = { rpm: 1000, concurrency: 10, dailyBudgetUsd: 5 };
  const error = c.specialists.find((s) => s.id === "fault-error")!;
  c.specialists.push({ ...error, id: "fault-error-fallback", fallbacks: ["fault-side-effect"] });
});

async function metrics(): Promise<Metrics> {
  const res = await callWith({ SWITCHYARD_CONFIG: LIMITED }, "/v1/metrics", { headers: ADMIN });
  expect(res.status).toBe(200);
  return (await res.json()) as Metrics;
}
const row = (m: Metrics, id: string) => m.specialists.find((s) => s.id === id)!;
/** A hop, waiting for its after-response work (the metrics update among it). */
const hop = (json: unknown) => callWith({ SWITCHYARD_CONFIG: LIMITED }, "/v1/route", { json });

// metrics are kept per UTC day: on a fake clock at noon, a run never crosses midnight between "before" and "after"
let clock: ReturnType<typeof fakeClock>;
beforeEach(() => void (clock = fakeClock()));
afterEach(() => clock.restore());

describe("GET /v1/metrics", () => {
  // Its first hop fits the intent model of its own config (about 0.5 s of CPU warm, more cold or on a busy machine).
  it("counts requests, errors by kind, denials, latency and cost per specialist after a few hops", { timeout: 15_000 }, async () => {
    const before = await metrics();
    expect(before.day).toBe(new Date(clock.now()).toISOString().slice(0, 10)); // today's (the clock's) by default
    expect((await hop({ input: "convert 5 km to miles" })).status).toBe(200);
    expect((await hop({ input: "convert 10 kg to pounds" })).status).toBe(200);
    expect((await hop({ input: "x", specialist: "fault-error" })).status).toBe(502);
    expect((await hop({ input: "x", specialist: "fault-garbage" })).status).toBe(502);
    expect((await hop({ input: "x", specialist: "fault-hang" })).status).toBe(504);
    expect((await hop({ input: "x", specialist: "fault-ok" })).status).toBe(200);
    expect((await hop({ input: "x", specialist: "policy-deny" })).status).toBe(422);
    const after = await metrics();
    const delta = (id: string, k: "requests" | "ok" | "errors" | "denied" | "costUsd") => Math.round((row(after, id)[k] - row(before, id)[k]) * 1e6) / 1e6;

    const units = row(after, "units");
    expect(delta("units", "requests")).toBe(2);
    expect(delta("units", "ok")).toBe(2);
    expect(delta("units", "errors")).toBe(0);
    expect(delta("units", "costUsd")).toBeCloseTo(2 * 0.0001, 6);
    expect(units.latencyMs.p50).not.toBeNull();
    expect(units.latencyMs.p95!).toBeGreaterThanOrEqual(units.latencyMs.p50!);
    expect(units.pool).toMatchObject({ name: "specialist:units", limited: true, requests: { limit: 1000 } });
    expect(units.pool!.requests.used).toBeGreaterThanOrEqual(2);
    expect(units.pool!.budget.spentUsd).toBeGreaterThanOrEqual(0.0002);
    expect(units.breaker).toBe("closed");

    for (const [id, kind] of [
      ["fault-error", "http_error"],
      ["fault-garbage", "bad_response"],
      ["fault-hang", "timeout"],
    ] as const) {
      expect(delta(id, "requests"), id).toBe(1);
      expect(delta(id, "errors"), id).toBe(1);
      expect(row(after, id).failures[kind]! - (row(before, id).failures[kind] ?? 0), id).toBe(1);
      expect(row(after, id).errorRate, id).toBeGreaterThan(0);
    }
    expect(delta("fault-ok", "errors")).toBe(0);
    expect(row(after, "fault-ok").breaker).toBe("closed"); // breaker only: no limits
    expect(row(after, "fault-ok").pool).toMatchObject({ limited: false });
    // refused by policy before any call: a denial, not a request
    expect(delta("policy-deny", "requests")).toBe(0);
    expect(delta("policy-deny", "denied")).toBe(1);
    expect(row(after, "policy-deny").denials.policy_denied).toBeGreaterThanOrEqual(1);

    expect(after.totals.requests - before.totals.requests).toBe(6);
    expect(after.totals.errors - before.totals.errors).toBe(3);
    expect(after.totals.errorRate).toBeCloseTo(after.totals.errors / after.totals.requests, 5);
  });

  it("counts every attempt of a hop that fell back", async () => {
    const before = await metrics();
    const res = await hop({ input: "fall back", specialist: "fault-error-fallback" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { decision: { specialist: string } }).decision.specialist).toBe("fault-side-effect");
    const after = await metrics();
    expect(row(after, "fault-error-fallback").failures.http_error! - (row(before, "fault-error-fallback").failures.http_error ?? 0)).toBe(1);
    expect(row(after, "fault-side-effect").requests - row(before, "fault-side-effect").requests).toBe(1);
  });

  it("counts a specialist's refusal of an input apart from its errors, and tries no fallback for it", async () => {
    const before = await metrics();
    const res = await hop({ input: "what is 1 / 0", specialist: "arithmetic" });
    expect(res.status).toBe(422);
    const p = await problem(res);
    expect(p).toMatchObject({ title: "Specialist refused the input", upstream: { status: 422 } });
    expect(p.detail).toMatch(/^arithmetic: .*zero/i);
    expect(p.tried).toEqual([{ specialist: "arithmetic", attempt: 0, failure: "refused", status: 422 }]);
    const after = await metrics();
    const [a, b] = [row(before, "arithmetic"), row(after, "arithmetic")];
    expect(b.requests - a.requests).toBe(1);
    expect((b as Row & { refused: number }).refused - (a as Row & { refused: number }).refused).toBe(1);
    expect(b.errors - a.errors).toBe(0);
    expect(row(after, "general").requests - row(before, "general").requests).toBe(0);
  });

  it("is for the admin key only: tenant keys get 403; a malformed day is 400; an old day is zeros", async () => {
    const res = await callWith({}, "/v1/metrics", {});
    expect(res.status).toBe(403);
    expect((await problem(res)).type).toBe("urn:switchyard:problem:forbidden");
    expect((await callWith({}, "/v1/metrics?day=yesterday", { headers: ADMIN })).status).toBe(400);
    const old = (await (await callWith({}, "/v1/metrics?day=2001-01-01", { headers: ADMIN })).json()) as Metrics;
    expect(old.day).toBe("2001-01-01");
    expect(old.totals).toMatchObject({ requests: 0, errors: 0, costUsd: 0 });
  });
});
