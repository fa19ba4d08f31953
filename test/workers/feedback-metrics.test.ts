import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../worker/env.ts";
import { armsFor } from "../../worker/feedback/arms.ts";
import { metricsStub } from "../../worker/observe/sinks.ts";
import { fakeClock } from "./clock.ts";
import { callWith, configWith } from "./helpers.ts";
import { submit, waitFor } from "./task-helpers.ts";

const ADMIN = { authorization: "Bearer dev-admin-key" };
type Feedback = { good: number; bad: number; scored: number; meanScore: number | null };
type IntentRow = { label: string; specialist: string; requests: number; ok: number; errors: number; refused: number; successRate: number | null; verifications: { pass: number; fail: number }; verifiedRate: number | null; feedback: Feedback; latencyMs: { mean: number | null }; costUsd: number };
type Metrics = { totals: { feedback: Feedback }; specialists: { id: string; feedback: Feedback; verifications: { pass: number; fail: number }; intents: Omit<IntentRow, "specialist">[] }[]; intents: IntentRow[] };

/** `fault-error` declares an intent, so routed hops for it fail: implicit failure signals per intent. */
const FAULTY = configWith((c) => {
  c.specialists.find((s) => s.id === "fault-error")!.intents = [{ label: "faulty.explode", examples: ["explode the flux capacitor", "detonate the flux capacitor now", "blow up the flux capacitor"] }];
});

async function metrics(config?: string): Promise<Metrics> {
  const res = await callWith(config ? { SWITCHYARD_CONFIG: config } : {}, "/v1/metrics", { headers: ADMIN });
  expect(res.status).toBe(200);
  return (await res.json()) as Metrics;
}
const row = (m: Metrics, label: string, specialist: string): IntentRow =>
  m.intents.find((r) => r.label === label && r.specialist === specialist) ?? ({ label, specialist, requests: 0, ok: 0, errors: 0, refused: 0, successRate: null, verifications: { pass: 0, fail: 0 }, verifiedRate: null, feedback: { good: 0, bad: 0, scored: 0, meanScore: null }, latencyMs: { mean: null }, costUsd: 0 } as IntentRow);
const arm = (specialist: string, label: string) => metricsStub(env as unknown as Env, specialist)!.arm(label);
async function hop(json: unknown, config?: string): Promise<{ status: number; id: string }> {
  const res = await callWith(config ? { SWITCHYARD_CONFIG: config } : {}, "/v1/route", { json });
  const body = (await res.json()) as { id?: string; hop?: string };
  return { status: res.status, id: (body.id ?? body.hop)! };
}
const give = (json: unknown, config?: string) => callWith(config ? { SWITCHYARD_CONFIG: config } : {}, "/v1/feedback", { json });

// counters are per UTC day, arms decay with time: on a frozen fake clock at noon, neither moves under a test
let clock: ReturnType<typeof fakeClock>;
beforeEach(() => void (clock = fakeClock()));
afterEach(() => clock.restore());

describe("GET /v1/metrics per intent", () => {
  it("shows calls, success, latency and cost per (label, specialist), with explicit feedback that moves when it is replaced", async () => {
    const before = await metrics();
    const a = await hop({ input: "convert 12 km to miles" });
    const b = await hop({ input: "convert 13 km to miles" });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await give({ hopId: a.id, outcome: "bad", score: 0.2 })).status).toBe(201);
    expect((await give({ hopId: b.id, outcome: "good", score: 0.8 })).status).toBe(201);
    expect((await give({ hopId: b.id, outcome: "good", score: 0.8 })).status).toBe(200); // the same again counts once
    const mid = await metrics();
    const delta = (m: Metrics, k: "requests" | "ok" | "errors") => row(m, "units.convert", "units")[k] - row(before, "units.convert", "units")[k];
    const fb = (m: Metrics) => ({ good: row(m, "units.convert", "units").feedback.good - row(before, "units.convert", "units").feedback.good, bad: row(m, "units.convert", "units").feedback.bad - row(before, "units.convert", "units").feedback.bad });
    expect(delta(mid, "requests")).toBe(2);
    expect(delta(mid, "ok")).toBe(2);
    expect(delta(mid, "errors")).toBe(0);
    expect(fb(mid)).toEqual({ good: 1, bad: 1 });
    const r = row(mid, "units.convert", "units");
    expect(r.successRate).toBe(1);
    expect(r.latencyMs.mean).not.toBeNull();
    expect(r.costUsd).toBeGreaterThan(0);
    expect(r.feedback.meanScore).not.toBeNull();
    // the specialist's own view has the same label, and its feedback in all
    const units = mid.specialists.find((s) => s.id === "units")!;
    expect(units.intents.find((i) => i.label === "units.convert")).toMatchObject({ requests: r.requests, feedback: r.feedback });
    expect(units.feedback.good - before.specialists.find((s) => s.id === "units")!.feedback.good).toBe(1);
    expect(mid.totals.feedback.bad - before.totals.feedback.bad).toBe(1);

    expect((await give({ hopId: a.id, outcome: "good" })).status).toBe(200); // replaced: latest wins
    const after = await metrics();
    expect(fb(after)).toEqual({ good: 2, bad: 0 });
    expect(delta(after, "requests")).toBe(2); // feedback is no call
  });

  it("counts verifiers' verdicts on a task step for the step's label and specialist", async () => {
    const before = await metrics();
    const pass = await submit({ goal: "verified", plan: { steps: [{ id: "s", intent: "units.convert", input: "convert 14 km to miles", verifier: "fault-verify-pass" }] } });
    const fail = await submit({ goal: "refuted", plan: { steps: [{ id: "s", intent: "units.convert", input: "convert 15 km to miles", verifier: "fault-verify-fail" }] } });
    await waitFor(pass.id, ["succeeded"]);
    await waitFor(fail.id, ["awaiting_approval"]);
    // a step's counters are sent from its TaskAgent in the background
    await expect
      .poll(async () => {
        const m = await metrics();
        const [x, y] = [row(m, "units.convert", "units"), row(before, "units.convert", "units")];
        return { pass: x.verifications.pass - y.verifications.pass, fail: x.verifications.fail - y.verifications.fail, ok: x.ok - y.ok };
      }, { timeout: 10_000 })
      .toEqual({ pass: 1, fail: 1, ok: 2 });
    const m = await metrics();
    expect(row(m, "units.convert", "units").verifiedRate).not.toBeNull();
    // the verifiers' own calls count for them, never for the label they checked
    expect(m.intents.some((r) => r.specialist === "fault-verify-pass" || r.specialist === "fault-verify-fail")).toBe(false);
  });

  it("counts a routed hop's failed calls for its label: errors, success rate and the arm's failures", async () => {
    const before = await metrics(FAULTY);
    const armBefore = await arm("fault-error", "faulty.explode");
    const res = await hop({ input: "explode the flux capacitor" }, FAULTY);
    expect(res.status).toBe(502);
    const after = await metrics(FAULTY);
    const [x, y] = [row(after, "faulty.explode", "fault-error"), row(before, "faulty.explode", "fault-error")];
    expect(x.requests - y.requests).toBeGreaterThanOrEqual(1);
    expect(x.errors - y.errors).toBe(x.requests - y.requests);
    expect(x.successRate).toBe(0);
    const s = (await arm("fault-error", "faulty.explode"))!;
    expect(s.failures - (armBefore?.failures ?? 0)).toBe(x.errors - y.errors);
    expect(s.successes).toBe(armBefore?.successes ?? 0);
    expect((await give({ hopId: res.id, outcome: "bad" }, FAULTY)).status).toBe(201); // a failed hop takes feedback too
    expect((await arm("fault-error", "faulty.explode"))!.failures).toBe(s.failures + 1);
  });
});

describe("arm stats (RPC on the specialist's Metrics object)", () => {
  it("move with every call outcome and with feedback; a replaced feedback takes its outcome back", async () => {
    const start = (await arm("units", "units.convert")) ?? { successes: 0, failures: 0, at: clock.now() };
    const h = await hop({ input: "convert 16 km to miles" });
    const afterCall = (await arm("units", "units.convert"))!;
    expect(afterCall.successes - start.successes).toBeCloseTo(1, 9);
    expect(afterCall.failures).toBeCloseTo(start.failures, 9);
    expect(afterCall.latencyMs).toEqual(expect.any(Number));
    expect(afterCall.at).toBe(clock.now());
    await give({ hopId: h.id, outcome: "bad" });
    const bad = (await arm("units", "units.convert"))!;
    expect(bad.failures - afterCall.failures).toBeCloseTo(1, 9);
    await give({ hopId: h.id, outcome: "bad", comment: "still bad" }); // the same outcome: no other outcome
    expect((await arm("units", "units.convert"))!.failures).toBeCloseTo(bad.failures, 9);
    await give({ hopId: h.id, outcome: "good" });
    const good = (await arm("units", "units.convert"))!;
    expect(good.failures).toBeCloseTo(afterCall.failures, 9);
    expect(good.successes - afterCall.successes).toBeCloseTo(1, 9);
    clock.advance(3_600_000); // one half-life: read as of now, the counts are halved
    const later = (await arm("units", "units.convert"))!;
    expect(later.successes).toBeCloseTo(good.successes / 2, 9);
    const all = await metricsStub(env as unknown as Env, "units")!.arms();
    expect(all["units.convert"]).toEqual(later);
    expect(await arm("units", "no.such.label")).toBeUndefined();
    // what selection reads: each candidate's arm for the label, none for a candidate without outcomes
    expect(await armsFor(env as unknown as Env, "units.convert", ["units", "fault-hang"])).toEqual({ units: later });
  });
});
