import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../worker/env.ts";
import { sha256Hex } from "../../worker/intent/record.ts";
import { metricsStub } from "../../worker/observe/sinks.ts";
import { getRuntime } from "../../worker/runtime.ts";
import { fakeClock } from "./clock.ts";
import { callWith, configWith } from "./helpers.ts";

/**
 * Routing that learns from outcomes, end to end through the router (issue 17): a
 * tenant's corrections teach its model, within the hourly limit; with
 * `router.selection: "learned"`, a failing specialist loses its traffic to an
 * equivalent fallback as the outcome counts in its Metrics object grow.
 */
const E = env as unknown as Env;
const ADMIN = { authorization: "Bearer dev-admin-key" };

let clock: ReturnType<typeof fakeClock>;
beforeEach(() => void (clock = fakeClock()));
afterEach(() => clock.restore());

/** A fresh tenant (its key in API_KEYS) calling the router with `config`. */
async function tenant(config: string) {
  const name = `teach-${crypto.randomUUID().slice(0, 8)}`;
  const key = `${name}-key`;
  const over = { SWITCHYARD_CONFIG: config, API_KEYS: JSON.stringify({ [await sha256Hex(key)]: name }) };
  const as = (path: string, json?: unknown) => callWith(over, path, { ...(json === undefined ? {} : { json }), headers: { authorization: `Bearer ${key}` } });
  return { name, as, over };
}

type Feedback = { id: string; learned?: { status: string; example?: string; reason?: string; detail?: string; withdrawn?: number } };

describe("corrections through POST /v1/feedback", () => {
  it("teach the tenant's model (active, then routing by it) until the hourly limit refuses the rest; the feedback is stored anyway", async () => {
    const config = configWith((c) => {
      c.learning = { correctionsPerHour: 2 };
    });
    const t = await tenant(config);
    const inputs = ["glimmerflux the wobbly sprocket", "glimmerflux two sprockets please", "glimmerflux a third sprocket"];
    const hops: { id: string; decision: { intent: { label: string } } }[] = [];
    for (const input of inputs) hops.push((await (await t.as("/v1/route", { input })).json()) as never);
    expect(hops[0]!.decision.intent.label).not.toBe("datetime.weekday");

    const answers: Feedback[] = [];
    for (const h of hops) {
      const res = await t.as("/v1/feedback", { hopId: h.id, outcome: "bad", correctLabel: "datetime.weekday" });
      expect(res.status).toBe(201);
      answers.push((await res.json()) as Feedback);
    }
    expect(answers.map((a) => a.learned?.status)).toEqual(["active", "active", "refused"]);
    expect(answers[2]!.learned).toMatchObject({ reason: "rate", detail: expect.stringContaining("learning.correctionsPerHour") });
    // the refused correction's feedback is stored all the same
    const mine = (await (await t.as("/v1/feedback")).json()) as { feedback: { id: string }[] };
    expect(mine.feedback.map((f) => f.id).sort()).toEqual(answers.map((a) => a.id).sort());
    // listed for review, in the tenant's scope, by the tenant, referring to the feedback
    const listed = (await (await callWith({}, `/v1/admin/learned?scope=${t.name}`, { headers: ADMIN })).json()) as { examples: { ref: string; by: string; origin: string; status: string }[] };
    expect(listed.examples.map((x) => [x.ref, x.by, x.origin, x.status]).sort()).toEqual(
      answers.slice(0, 2).map((a) => [a.id, `tenant:${t.name}`, "feedback", "active"]).sort(),
    );
    // an hour later the limit has room again
    clock.advance(3_600_001);
    const later = (await (await t.as("/v1/feedback", { hopId: hops[2]!.id, outcome: "bad", correctLabel: "datetime.weekday", comment: "again" })).json()) as Feedback;
    expect(later.learned?.status).toBe("active");

    // the tenant's model is fitted off the request path and then routes the corrected inputs by it
    await vi.waitFor(
      async () => {
        const rt = await getRuntime({ ...E, SWITCHYARD_CONFIG: config });
        await rt.intentsFor(t.name);
        expect(rt.tenantModel(t.name)).toMatchObject({ examples: 3, source: expect.stringMatching(/^(fitter|kv|memory)$/) });
      },
      { timeout: 20_000, interval: 200 },
    );
    const routed = (await (await t.as("/v1/intents", { input: inputs[0] })).json()) as { label: string };
    expect(routed.label).toBe("datetime.weekday");
  }, 40_000);

  it("a correction naming a specialist with one label teaches that label; with several, it is stored but not learned", async () => {
    const t = await tenant(
      configWith((c) => {
        c.specialists.find((x) => x.id === "fault-ok")!.intents = [{ label: "teach.single", examples: ["do the single thing", "the single thing please"] }];
      }),
    );
    const h = (await (await t.as("/v1/route", { input: "snorkelwhip the quantum ladle" })).json()) as { id: string };
    const several = (await (await t.as("/v1/feedback", { hopId: h.id, outcome: "bad", correctSpecialist: "units" })).json()) as Feedback;
    expect(several.learned).toEqual({ status: "not-learned", detail: expect.stringMatching(/^'units' declares 3 intent labels: give correctLabel/) });
    const one = (await (await t.as("/v1/feedback", { hopId: h.id, outcome: "bad", correctSpecialist: "fault-ok" })).json()) as Feedback;
    expect(one.learned).toMatchObject({ status: "active" });
    const listed = (await (await callWith({}, `/v1/admin/learned?scope=${t.name}`, { headers: ADMIN })).json()) as { examples: { label: string; input: string }[] };
    expect(listed.examples.map((x) => [x.label, x.input])).toEqual([["teach.single", "snorkelwhip the quantum ladle"]]);
  });
});

describe("a replacing feedback that no longer corrects", () => {
  it("withdraws what the earlier version taught (latest wins), and feedback on a bare intent moves no specialist's outcome counts", async () => {
    const t = await tenant(configWith(() => {}));
    const h = (await (await t.as("/v1/route", { input: "quibblefrost the ledger twice" })).json()) as { id: string; decision: { specialist: string; intent: { label: string } } };
    const taught = (await (await t.as("/v1/feedback", { hopId: h.id, outcome: "bad", correctLabel: "text.count" })).json()) as Feedback;
    expect(taught.learned).toMatchObject({ status: "active" });
    const changed = await t.as("/v1/feedback", { hopId: h.id, outcome: "good" });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as Feedback).learned).toEqual({ status: "withdrawn", examples: 1 });
    const listed = (await (await callWith({}, `/v1/admin/learned?scope=${t.name}`, { headers: ADMIN })).json()) as { examples: { id: string; status: string; note: string }[] };
    expect(listed.examples).toEqual([expect.objectContaining({ id: taught.learned!.example, status: "reverted", note: "its feedback no longer corrects" })]);

    // a replacing correction that cannot be taught takes back what the earlier one taught too
    const again = (await (await t.as("/v1/feedback", { hopId: h.id, outcome: "bad", correctLabel: "text.count", comment: "again" })).json()) as Feedback;
    expect(again.learned).toMatchObject({ status: "active" });
    const vague = (await (await t.as("/v1/feedback", { hopId: h.id, outcome: "bad", correctSpecialist: "units" })).json()) as Feedback;
    expect(vague.learned).toMatchObject({ status: "not-learned", withdrawn: 1 });

    // a bare intent's feedback: counted in metrics, not in the arms a learned choice reads
    const intent = (await (await t.as("/v1/intents", { input: "convert 9 km to miles" })).json()) as { id: string; label: string; specialist: string };
    const before = await metricsStub(E, intent.specialist)!.arm(intent.label);
    expect((await t.as("/v1/feedback", { intentId: intent.id, outcome: "bad" })).status).toBe(201);
    expect(await metricsStub(E, intent.specialist)!.arm(intent.label)).toEqual(before);
  });
});

describe("router.selection 'learned'", () => {
  it("moves a label's traffic off a failing specialist to its equivalent fallback, with the numbers in the decision's reason", async () => {
    const config = configWith((c) => {
      const s = c.specialists.find((x) => x.id === "fault-error")!;
      s.intents = [{ label: "learned.flaky", examples: ["frobnicate the gizmo", "please frobnicate my gizmo", "gizmo frobnication now"] }];
      s.fallbacks = ["fault-ok"];
      c.router = { ...c.router, selection: "learned" };
      c.learning = { selection: { statsTtlMs: 0 } };
    });
    const over = { SWITCHYARD_CONFIG: config };
    const hop = async () => (await (await callWith(over, "/v1/route", { json: { input: "frobnicate the gizmo" } })).json()) as { decision: { specialist: string; reason: string; candidates: string[] } };
    for (let i = 0; i < 12; i++) {
      const r = await hop();
      expect(r.decision.reason).toMatch(/learned choice \(Thompson sampling\): 'fault-error' success [0-9.]+ over [0-9.]+ outcomes, drew [0-9.]+; 'fault-ok' success [0-9.]+ over [0-9.]+ outcomes, drew [0-9.]+; '(fault-error|fault-ok)' drew highest/);
      expect([...r.decision.candidates].sort()).toEqual(["fault-error", "fault-ok"]);
    }
    // the outcome counts the choice reads: fault-error failed every call it got, fault-ok served every hop
    const failing = (await metricsStub(E, "fault-error")!.arm("learned.flaky"))!;
    const serving = (await metricsStub(E, "fault-ok")!.arm("learned.flaky"))!;
    expect(failing.successes).toBe(0);
    expect(failing.failures).toBeGreaterThan(0);
    expect(serving.successes).toBeGreaterThanOrEqual(12);
    const picks: string[] = [];
    for (let i = 0; i < 10; i++) picks.push((await hop()).decision.specialist);
    expect(picks.filter((p) => p === "fault-ok").length).toBeGreaterThanOrEqual(9);
  }, 30_000);
});
