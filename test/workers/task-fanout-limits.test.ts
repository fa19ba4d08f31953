import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../worker/intent/record.ts";
import { callWith } from "./helpers.ts";
import { submit, upstreamCalls, waitFor } from "./task-helpers.ts";

/**
 * Per-task limits hold under fan-out (issue 11): parallel steps reserve their hops and
 * cost before their calls are made (test-config.ts: `policy-capped` has
 * `maxHopsPerTask: 2`), and only calls made count as hops.
 */
describe("per-task limits and parallel steps", () => {
  it("10 parallel steps under maxHopsPerTask 2 make exactly 2 calls: the other 8 are refused by policy before calling (counted by decisions, not by replies)", { timeout: 20_000 }, async () => {
    const steps = Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, specialist: "policy-capped", input: `part ${i} of {{input}}` }));
    const { id } = await submit({ goal: "fan out", input: "x", plan: { steps } });
    const task = await waitFor(id, ["failed", "succeeded"]);
    expect(task.status).toBe("failed");
    expect(task.hops).toBe(2); // calls made, however they ended; the refused attempts are not hops
    expect((await upstreamCalls(`${id}/`)).calls).toBe(2); // and the upstream saw exactly those two
    const refused = task.steps.filter((s) => /would exceed 2 hops \(policy limits\)/.test(s.error ?? ""));
    expect(refused).toHaveLength(8);
    for (const s of task.steps) expect((await upstreamCalls(`${id}/${s.id}`)).calls, s.id).toBe(refused.includes(s) ? 0 : 1); // the two others called, once each
  });
});

describe("per-task limits cover every call of a step", () => {
  const API = async () => JSON.stringify({ [await sha256Hex("key-capped")]: "capped", [await sha256Hex("key-costly")]: "costly" });
  async function run(plan: unknown, tenant: "capped" | "costly" = "capped", planner?: string) {
    const asCapped = { authorization: `Bearer key-${tenant}` };
    const API_KEYS = await API();
    const res = await callWith({ API_KEYS }, "/v1/tasks", { json: { goal: "capped", input: "x", ...(planner ? { planner } : { plan }) }, headers: asCapped });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    type T = { status: string; hops: number; costUsd: number; steps: { status: string; error?: string }[] };
    let t: T | undefined;
    await expect
      .poll(async () => (t = (await (await callWith({ API_KEYS }, `/v1/tasks/${id}`, { headers: asCapped })).json()) as T).status, { timeout: 15_000 })
      .toSatisfy((s: string) => ["succeeded", "failed", "awaiting_approval", "cancelled"].includes(s));
    return t!;
  }

  it("verifier and verification-fallback calls are hops under maxHopsPerTask (a tenant-wide rule of 2)", { timeout: 20_000 }, async () => {
    // fault-ok answers, fault-verify-fail rejects it, fault-ok's fallback would be the third call
    const t = await run({ steps: [{ id: "s", specialist: "fault-ok", verifier: "fault-verify-fail", input: "{{input}}" }] });
    expect(t.hops).toBe(2);
    expect(t.status).toBe("failed");
    expect(t.steps[0]!.error).toMatch(/would exceed 2 hops \(policy limits\)/);
  });

  it("parallel steps reserve each call's cost ceiling under maxCostPerTaskUsd ($1, $0.30 a call: 3 calls)", { timeout: 20_000 }, async () => {
    const steps = Array.from({ length: 5 }, (_, i) => ({ id: `c${i}`, specialist: "ceiling-call", input: `${i}` }));
    const t = await run({ steps }, "costly");
    expect(t.hops).toBe(3); // 3 × $0.30 reserved ≤ $1; a 4th would be $1.20
    expect(t.steps.filter((s) => /would exceed \$1 \(policy limits\)/.test(s.error ?? ""))).toHaveLength(2);
  });

  it("the planner's call is a hop under maxHopsPerTask too (2: the planner and the first step)", { timeout: 20_000 }, async () => {
    const t = await run(undefined, "capped", "fault-plan"); // a 3-step chain
    expect(t.hops).toBe(2);
    expect(t.status).toBe("failed");
    expect(t.steps.find((s) => s.status === "failed")?.error).toMatch(/would exceed 2 hops/);
  });
});
