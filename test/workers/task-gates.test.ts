import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, problem } from "./helpers.ts";
import { effects, expireGate, getTask, parseSse, submit, taskStub, upstreamCalls, waitFor } from "./task-helpers.ts";

const decide = (id: string, action: string, body: unknown = { by: "alice", reason: "looks fine" }) => call(`/v1/tasks/${id}/${action}`, { json: body });

describe("approval gates", () => {
  it("pauses before a gated step and resumes on approve, recording who and why", async () => {
    const { id } = await submit({ goal: "pay", plan: { steps: [{ id: "prep", specialist: "fault-ok" }, { id: "pay", specialist: "fault-ok", requireApproval: true, dependsOn: ["prep"] }] } });
    const waiting = await waitFor(id, ["awaiting_approval"]);
    expect(waiting.awaiting).toMatchObject({ step: "pay", reason: "step 'pay' requires approval" });
    expect(waiting.steps.map((s) => s.status)).toEqual(["succeeded", "awaiting_approval"]);
    const res = await decide(id, "approve");
    expect(res.status).toBe(200);
    const done = await waitFor(id, ["succeeded", "failed"]);
    expect(done.status).toBe("succeeded");
    const audit = (await (await call(`/v1/tasks/${id}/audit`)).json()) as { entries: { actor: string; action: string; detail: any }[] };
    expect(audit.entries.find((e) => e.action === "approval.granted")).toMatchObject({ actor: 'tenant:dev as "alice"', detail: { step: "pay", reason: "looks fine" } });
  });

  it("ends the task as rejected on reject", async () => {
    const { id } = await submit({ goal: "risky", plan: { steps: [{ id: "x", specialist: "fault-ok", requireApproval: true }] } });
    await waitFor(id, ["awaiting_approval"]);
    expect((await decide(id, "reject", { by: "bob", reason: "too risky" })).status).toBe(200);
    const t = await waitFor(id, ["rejected"]);
    expect(t.error).toBe('rejected by tenant:dev as "bob": too risky');
    expect(t.steps[0]!.status).toBe("skipped");
    expect((await decide(id, "approve")).status).toBe(409);
  });

  it("rejects by itself when the approval expires (its expiry moved into the past, then its alarm run)", { timeout: 20_000 }, async () => {
    const { id } = await submit({ goal: "slow human", approvalTtlSeconds: 3600, plan: { steps: [{ id: "x", specialist: "fault-ok", requireApproval: true }] } });
    await waitFor(id, ["awaiting_approval"]);
    await expireGate(id);
    // the alarm the gate armed for its expiry, run now (again, if the first run joined the pass that opened the gate)
    await expect.poll(async () => (await runDurableObjectAlarm(taskStub(id)), (await getTask(id)).status), { timeout: 10_000 }).toBe("rejected");
    expect((await getTask(id)).error).toMatch(/approval for step 'x' expired/);
  });

  it("an expired gate cannot be approved, even while a parallel step still runs: 409, and the task ends rejected", { timeout: 20_000 }, async () => {
    const { id } = await submit({
      goal: "late human",
      approvalTtlSeconds: 3600,
      // the gate opens when policy-approve's call asks for approval, while the held step runs beside it
      plan: { steps: [{ id: "gate", specialist: "policy-approve", input: "x" }, { id: "slow", specialist: "fault-held-effect", input: "x" }] },
    });
    await waitFor(id, ["awaiting_approval"]);
    await expect.poll(async () => (await effects(`${id}/slow`)).calls, { timeout: 10_000 }).toBe(1); // the parallel step is calling
    await expireGate(id);
    const late = await decide(id, "approve");
    expect(late.status).toBe(409);
    expect(((await late.json()) as { detail: string }).detail).toMatch(/approval expired; the task was rejected/);
    const t = await waitFor(id, ["rejected", "succeeded", "failed"]);
    expect(t.status).toBe("rejected");
    await expect.poll(async () => (await upstreamCalls(`${id}/slow`)).aborted, { timeout: 10_000 }).toBe(1); // its call is aborted with the task
  });

  it("validates decisions: who and why are required; approving a running task is a conflict", async () => {
    const { id } = await submit({ goal: "g", plan: { steps: [{ id: "x", specialist: "fault-ok", requireApproval: true }] } });
    await waitFor(id, ["awaiting_approval"]);
    const bad = await decide(id, "approve", { by: "alice" });
    expect(bad.status).toBe(400);
    expect((await problem(bad)).errors?.map((e) => e.path)).toContain("reason");
    expect((await getStatus(id))).toBe("awaiting_approval");
    const { id: other } = await submit({ goal: "g", plan: { steps: [{ id: "x", specialist: "fault-ok" }] } });
    await waitFor(other, ["succeeded"]);
    expect((await decide(other, "approve")).status).toBe(409);
  });
});

async function getStatus(id: string) {
  return ((await (await call(`/v1/tasks/${id}`)).json()) as { status: string }).status;
}

describe("verification", () => {
  it("records a passing verdict", async () => {
    const { id } = await submit({ goal: "v", plan: { steps: [{ id: "s", specialist: "fault-ok", verifier: "fault-verify-pass" }] } });
    const t = await waitFor(id, ["succeeded", "failed"]);
    expect(t.status).toBe("succeeded");
    expect(t.steps[0]!.verdicts).toEqual([expect.objectContaining({ pass: true, specialist: "fault-ok", score: 0.9 })]);
  });

  it("retries with the fallback specialist, then escalates to a human who can accept the output", async () => {
    const { id } = await submit({ goal: "v", plan: { steps: [{ id: "s", specialist: "fault-ok", verifier: "fault-verify-fail" }] } });
    const waiting = await waitFor(id, ["awaiting_approval", "failed"]);
    expect(waiting.status).toBe("awaiting_approval");
    expect(waiting.awaiting!.reason).toMatch(/^verification failed: the output does not answer the input/);
    expect(waiting.steps[0]!.verdicts.map((v) => [v.specialist, v.pass])).toEqual([["fault-ok", false], ["fault-side-effect", false]]);
    await decide(id, "approve", { by: "carol", reason: "checked by hand" });
    const done = await waitFor(id, ["succeeded"]);
    expect(done.steps[0]!.output.text).toBe(`effect for ${id}/s/fallback`);
  });
});

describe("cancel", () => {
  it("stops a running task at once: the call in flight is aborted (the upstream sees its client go away) and its result discarded", { timeout: 20_000 }, async () => {
    const { id } = await submit({ goal: "long", plan: { steps: [{ id: "slow", specialist: "fault-held-effect" }, { id: "next", specialist: "fault-ok", dependsOn: ["slow"] }] } });
    await expect.poll(async () => (await upstreamCalls(`${id}/slow`)).calls, { timeout: 10_000 }).toBe(1); // the call is in flight (held until released)
    const res = await call(`/v1/tasks/${id}/cancel`, { json: { by: "ops", reason: "kill switch" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("cancelled");
    await expect.poll(async () => (await upstreamCalls(`${id}/slow`)).aborted, { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => (await getTask(id)).hops, { timeout: 10_000 }).toBe(1); // the step's run has ended: its call is counted
    const t = await getTask(id);
    expect(t.status).toBe("cancelled");
    expect(t.steps.map((s) => [s.status, s.output])).toEqual([["cancelled", undefined], ["cancelled", undefined]]);
    expect((await upstreamCalls(`${id}/next`)).calls).toBe(0);
    expect((await call(`/v1/tasks/${id}/cancel`, { json: {} })).status).toBe(409);
  });

  it("cancelled while a step is verified: the verifier's call is aborted; no verdict, no fallback, task.cancelled is the last event and audit entry", { timeout: 20_000 }, async () => {
    // fault-ok answers at once; its verifier answers only when released (and would fail, sending the step to fault-ok's fallback)
    const { id } = await submit({ goal: "verify slowly", input: "x", plan: { steps: [{ id: "a", specialist: "fault-ok", verifier: "fault-held-effect", input: "{{input}}" }] } });
    await expect.poll(async () => (await effects(`${id}/a/verify`)).calls, { timeout: 10_000 }).toBe(1);
    expect((await call(`/v1/tasks/${id}/cancel`, { json: { reason: "stop" } })).status).toBe(200);
    await expect.poll(async () => (await upstreamCalls(`${id}/a/verify`)).aborted, { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => (await getTask(id)).hops, { timeout: 10_000 }).toBe(2); // the step's run has ended: the call and the verifier's counted
    const audit = (await (await call(`/v1/tasks/${id}/audit`)).json()) as { entries: { action: string }[] };
    expect(audit.entries.at(-1)!.action).toBe("task.cancelled");
    expect(audit.entries.map((e) => e.action)).not.toContain("step.verified");
    const events = parseSse(await (await call(`/v1/tasks/${id}/events`)).text());
    expect(events.at(-1)!.event).toBe("task.cancelled");
    expect((await effects(`${id}/a/fallback`)).calls).toBe(0);
  });
});
