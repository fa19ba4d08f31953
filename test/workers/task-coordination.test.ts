import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../worker/intent/record.ts";
import { call, callWith, problem } from "./helpers.ts";
import { submit, upstreamCalls, waitFor, type Task } from "./task-helpers.ts";

/**
 * Coordinated steps (issue 18, docs/coordination.md): ensembles combined by vote, judge
 * or first answer, approval on disagreement, hedged calls, each candidate governed like
 * any call. The specialists (test-config.ts) answer fixed texts: ens-a "42" (confidence
 * 0.6, fallbacks ens-b and ens-c), ens-b "42.0", ens-c "41" (0.9), ens-slow "42" after
 * 1.5 s; the judges reply a pick of c3, a fenced merge, or prose; hedge-slow answers
 * after 3 s and hedge-fast (its fallback) after 50 ms.
 */
type Coordination = {
  strategy: string;
  ensemble?: { combine: string; decision: string; detail: string; winner?: string; agreement?: number; agreed?: string[]; candidates: { id: string; specialist: string; ok: boolean; failure?: string; output?: { text: string } }[]; judge?: { verdict: string; detail?: string } };
  hedge?: { primary: string; hedgeWith: string; hedged: boolean; winner: string; abortedLoser: boolean; budgetDenied: boolean; delayMs: number; hedgeRefused?: string };
};
type CoStep = Task["steps"][number] & { coordination?: Coordination; unverifiedOutput?: { text: string } };

async function run(step: Record<string, unknown>, statuses = ["succeeded", "failed", "awaiting_approval"]): Promise<{ id: string; task: Task; step: CoStep }> {
  const { res, id } = await submit({ goal: "coordinate", input: "what is six times seven?", plan: { steps: [{ id: "ask", ...step }] } });
  expect(res.status, await res.clone().text()).toBe(202);
  const task = await waitFor(id, statuses);
  return { id, task, step: task.steps[0] as CoStep };
}

describe("ensemble steps", () => {
  it("vote: one failing, one slow and one disagreeing candidate; 2 of 3 answers agree (42 and 42.0), the winner by confidence; who agreed is recorded", { timeout: 20_000 }, async () => {
    const { id, task, step } = await run({ ensemble: { specialists: ["ens-a", "ens-slow", "ens-c", "fault-error"], combine: "vote", minAgreement: 0.6, onDisagreement: "fail" } });
    expect(task.status).toBe("succeeded");
    const e = step.coordination!.ensemble!;
    expect(e).toMatchObject({ combine: "vote", decision: "accepted", winner: "c1", agreement: 0.667, agreed: ["ens-a", "ens-slow"] });
    expect(e.candidates.map((c) => [c.id, c.specialist, c.ok])).toEqual([["c1", "ens-a", true], ["c2", "ens-slow", true], ["c3", "ens-c", true], ["c4", "fault-error", false]]);
    expect(step.output).toMatchObject({ text: "42", confidence: 0.6 });
    expect(step.specialist).toBe("ens-a");
    expect(step.coordination!.strategy).toMatch(/the step's own ensemble of 'ens-a', 'ens-slow', 'ens-c', 'fault-error', combine vote, min agreement 0.6, else fail/);
    for (const s of ["ens-a", "ens-slow", "ens-c"]) expect((await upstreamCalls(`${id}/ask/ensemble/${s}`)).calls, s).toBe(1); // each candidate called once, with its own key
    expect(task.hops).toBeGreaterThanOrEqual(4);
    const events = (await (await call(`/v1/tasks/${id}/audit`)).json()) as { entries: { action: string; detail: { ensemble?: { agreed?: string[] } } }[] };
    expect(events.entries.find((x) => x.action === "step.coordinated")?.detail.ensemble?.agreed).toEqual(["ens-a", "ens-slow"]);
  });

  it("vote below minAgreement fails the step with the tally when onDisagreement is fail", async () => {
    const { task, step } = await run({ ensemble: { specialists: ["ens-a", "ens-c"], combine: "vote", minAgreement: 0.67, onDisagreement: "fail" } });
    expect(task.status).toBe("failed");
    expect(step.error).toMatch(/vote: 1 of 2 agree .*agreement 0.5 is below 0.67/);
  });

  it("disagreement opens an approval gate; the reviewer picks a candidate (c1), whose answer the step takes; a bad pick is a 400 naming pick", { timeout: 20_000 }, async () => {
    const { id, task, step } = await run({ ensemble: { specialists: ["ens-a", "ens-c"], combine: "vote", minAgreement: 0.67, onDisagreement: "approval" } });
    expect(task.status).toBe("awaiting_approval");
    expect(task.awaiting?.reason).toMatch(/^ensemble disagreement: vote: 1 of 2 agree on 41 \('ens-c'\), a tie broken by confidence/); // the tie goes to the more confident ens-c
    expect(step.unverifiedOutput).toMatchObject({ text: "41" });
    expect(step.coordination!.ensemble).toMatchObject({ decision: "approval", winner: "c2", agreement: 0.5 });
    for (const [pick, detail] of [["c7", /no candidate 'c7' \(c1, c2\)/], ["x1", /c1, c2, …/]] as const) {
      const bad = await call(`/v1/tasks/${id}/approve`, { json: { by: "ann", reason: "checked", pick } });
      expect(bad.status).toBe(400);
      const p = await problem(bad);
      expect(p.errors?.[0]?.path).toBe("pick");
      expect(p.errors?.[0]?.message ?? p.detail).toMatch(detail);
    }
    const ok = await call(`/v1/tasks/${id}/approve`, { json: { by: "ann", reason: "42 is right", pick: "c1" } });
    expect(ok.status, await ok.clone().text()).toBe(200);
    const done = await waitFor(id, ["succeeded", "failed"]);
    expect(done.status).toBe("succeeded");
    expect(done.steps[0]).toMatchObject({ specialist: "ens-a", output: { text: "42" } });
    expect((done.steps[0] as CoStep).coordination!.ensemble!.winner).toBe("c1"); // the picked candidate's answer is the step's: the record says so
    const audit = (await (await call(`/v1/tasks/${id}/audit`)).json()) as { entries: { action: string; actor: string; detail: { pick?: string } }[] };
    expect(audit.entries.find((x) => x.action === "approval.granted")?.detail.pick).toBe("c1");
  });

  it("judge: picks c3; merges from a fenced reply; a reply that is not the strict JSON shape fails the step (fail) or takes the vote (best)", { timeout: 20_000 }, async () => {
    const three = ["ens-a", "ens-b", "ens-c"];
    const picked = await run({ ensemble: { specialists: three, combine: "judge", judge: "judge-pick" } });
    expect(picked.task.status).toBe("succeeded");
    expect(picked.step).toMatchObject({ specialist: "ens-c", output: { text: "41" } });
    expect(picked.step.coordination!.ensemble).toMatchObject({ decision: "accepted", winner: "c3", judge: { verdict: "pick" } });
    const judgeCall = await upstreamCalls(`${picked.id}/ask/judge`);
    expect(judgeCall.calls).toBe(1);

    const merged = await run({ ensemble: { specialists: three, combine: "judge", judge: "judge-merge" } });
    expect(merged.step.output).toEqual({ answer: 42, sources: 2 });
    expect(merged.step.specialist).toBe("judge-merge");

    const failed = await run({ ensemble: { specialists: three, combine: "judge", judge: "judge-prose", onDisagreement: "fail" } });
    expect(failed.task.status).toBe("failed");
    expect(failed.step.error).toMatch(/judge 'judge-prose': the reply is not JSON: 'I think the second one is best\.'/);
    expect(failed.step.coordination!.ensemble!.judge).toMatchObject({ verdict: "invalid" });

    const best = await run({ ensemble: { specialists: three, combine: "judge", judge: "judge-prose" } });
    expect(best.task.status).toBe("succeeded");
    expect(best.step.output).toMatchObject({ text: "42" });
    expect(best.step.coordination!.ensemble!.detail).toMatch(/the vote's answer instead/);
  });

  it("first: the first answer wins and the slower candidate's call is aborted (the upstream sees its client go)", { timeout: 20_000 }, async () => {
    const { id, task, step } = await run({ ensemble: { specialists: ["ens-slow", "ens-a"], combine: "first" } });
    expect(task.status).toBe("succeeded");
    expect(step.coordination!.ensemble).toMatchObject({ decision: "accepted", winner: "c2" });
    // cancelled by the router, not failed by the specialist (no breaker failure, no fallback)
    expect(step.coordination!.ensemble!.candidates[0]).toMatchObject({ specialist: "ens-slow", ok: false, failure: "ens-slow: cancelled: ensemble: 'ens-a' answered first" });
    expect(step.output).toMatchObject({ text: "42" });
    await expect.poll(async () => (await upstreamCalls(`${id}/ask/ensemble/ens-slow`)).aborted).toBe(1);
  });

  it("without named specialists: the chosen one and its fallbacks; policies apply to every candidate (ens-c denied for this tenant)", { timeout: 20_000 }, async () => {
    const API_KEYS = JSON.stringify({ [await sha256Hex("key-no-ens-c")]: "no-ens-c" });
    const headers = { authorization: "Bearer key-no-ens-c" };
    const res = await callWith({ API_KEYS }, "/v1/tasks", { json: { goal: "g", input: "x", plan: { steps: [{ id: "ask", specialist: "ens-a", ensemble: { combine: "vote" } }] } }, headers });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    let t: Task | undefined;
    await expect.poll(async () => (t = (await (await callWith({ API_KEYS }, `/v1/tasks/${id}`, { headers })).json()) as Task).status, { timeout: 15_000 }).toBe("succeeded");
    const e = (t!.steps[0] as CoStep).coordination!.ensemble!;
    expect(e.candidates.map((c) => c.specialist)).toEqual(["ens-a", "ens-b", "ens-c"]);
    expect(e.candidates[2]).toMatchObject({ ok: false, failure: expect.stringMatching(/ens-c is off for this tenant/) });
    expect(e).toMatchObject({ agreement: 1, agreed: ["ens-a", "ens-b"] });
    expect((await upstreamCalls(`${id}/ask/ensemble/ens-c`)).calls).toBe(0);
  });

  it("per-task limits hold across the candidates: under maxHopsPerTask 2 (tenant 'capped'), the third candidate is refused before calling", { timeout: 20_000 }, async () => {
    const API_KEYS = JSON.stringify({ [await sha256Hex("key-capped")]: "capped" });
    const headers = { authorization: "Bearer key-capped" };
    const res = await callWith({ API_KEYS }, "/v1/tasks", { json: { goal: "g", input: "x", plan: { steps: [{ id: "ask", ensemble: { specialists: ["ens-a", "ens-b", "ens-c"], combine: "vote" } }] } }, headers });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    let t: Task | undefined;
    await expect.poll(async () => (t = (await (await callWith({ API_KEYS }, `/v1/tasks/${id}`, { headers })).json()) as Task).status, { timeout: 15_000 }).toBe("succeeded");
    expect(t!.hops).toBe(2);
    expect((await upstreamCalls(`${id}/ask/ensemble/`)).calls).toBe(2);
    const e = (t!.steps[0] as CoStep).coordination!.ensemble!;
    expect(e.candidates.filter((c) => !c.ok)).toEqual([expect.objectContaining({ failure: expect.stringMatching(/would exceed 2 hops \(policy limits\)/) })]);
  });

  it("a plan naming an unknown ensemble candidate, judge or hedge specialist is a 400 naming the field, and no task is made", async () => {
    for (const [step, path] of [
      [{ ensemble: { specialists: ["ens-a", "nope"], combine: "vote" } }, "plan.steps.0.ensemble.specialists.1"],
      [{ ensemble: { specialists: ["ens-a", "ens-b"], combine: "judge", judge: "nope" } }, "plan.steps.0.ensemble.judge"],
      [{ specialist: "ens-a", hedge: { delayMs: 100, specialist: "nope" } }, "plan.steps.0.hedge.specialist"],
    ] as const) {
      const { res } = await submit({ goal: "g", input: "x", plan: { steps: [{ id: "ask", ...step }] } });
      expect(res.status, JSON.stringify(step)).toBe(400);
      const p = await problem(res);
      expect(p.errors).toEqual([{ path, message: "unknown specialist 'nope'" }]);
    }
    const mcp = await submit({ goal: "g", input: "x", plan: { steps: [{ id: "ask", ensemble: { specialists: ["ens-a", "ops"], combine: "vote" } }] } });
    expect(mcp.res.status).toBe(400);
    expect((await problem(mcp.res)).errors).toEqual([{ path: "plan.steps.0.ensemble.specialists.1", message: "'ops' is an MCP server: it takes tool calls, not a step's or hop's input" }]);
  });

  it("a coordination rule by workflow applies, explained in the step's strategy, and opens its approval gate on disagreement", { timeout: 20_000 }, async () => {
    const { res, id } = await submit({ goal: "g", input: "x", workflow: "ensemble-flow" });
    expect(res.status).toBe(202);
    const task = await waitFor(id, ["succeeded", "failed", "awaiting_approval"]);
    const step = task.steps[0] as CoStep;
    expect(step.coordination!.strategy).toBe("coordination rule 0 (workflow ensemble-flow): ensemble of 3, combine vote, min agreement 0.67, else approval");
    expect(task.status).toBe("succeeded"); // 2 of 3 (0.67) agree
    expect(step.coordination!.ensemble!.agreed).toEqual(["ens-a", "ens-b"]);
  });
});

describe("hedged steps", () => {
  it("the slow specialist is hedged after the delay; the fast answer wins and the slow call is aborted; the trace shows the hedge", { timeout: 20_000 }, async () => {
    const { id, task, step } = await run({ specialist: "hedge-slow", hedge: { delayMs: 100 } });
    expect(task.status).toBe("succeeded");
    expect(step.output).toMatchObject({ text: "fast" });
    expect(step.specialist).toBe("hedge-fast");
    expect(step.coordination!.hedge).toMatchObject({ primary: "hedge-slow", hedgeWith: "hedge-fast", hedged: true, winner: "hedge-fast", abortedLoser: true, budgetDenied: false, delayMs: 100 });
    await expect.poll(async () => upstreamCalls(`${id}/ask`)).toEqual({ calls: 2, aborted: 1 }); // the step's own call (its key) and the hedge
    expect(await upstreamCalls(`${id}/ask/hedge/hedge-fast`)).toEqual({ calls: 1, aborted: 0 });
    const trace = (await (await call(`/v1/tasks/${id}/trace`)).json()) as { spans: { name: string; attributes: Record<string, unknown> }[] };
    expect(trace.spans.find((s) => s.name === "hedge")?.attributes).toMatchObject({ "switchyard.hedge.hedged": true, "switchyard.hedge.winner": "hedge-fast" });
  });

  it("a fast primary is not hedged, and takes nothing from the budget", async () => {
    const { id, step } = await run({ specialist: "ens-a", hedge: { delayMs: 2000, specialist: "ens-b" } });
    expect(step.coordination!.hedge).toMatchObject({ hedged: false, winner: "ens-a", budgetDenied: false });
    expect((await upstreamCalls(`${id}/ask/hedge/ens-b`)).calls).toBe(0);
  });

  it("a hedge the tenant's policy refuses is not a hedge: no call, hedged false with why", { timeout: 20_000 }, async () => {
    const API_KEYS = JSON.stringify({ [await sha256Hex("key-no-ens-c")]: "no-ens-c" });
    const headers = { authorization: "Bearer key-no-ens-c" };
    const res = await callWith({ API_KEYS }, "/v1/tasks", { json: { goal: "g", input: "x", plan: { steps: [{ id: "ask", specialist: "hedge-slow", hedge: { delayMs: 50, specialist: "ens-c" } }] } }, headers });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    let t: Task | undefined;
    await expect.poll(async () => (t = (await (await callWith({ API_KEYS }, `/v1/tasks/${id}`, { headers })).json()) as Task).status, { timeout: 15_000 }).toBe("succeeded");
    const h = (t!.steps[0] as CoStep).coordination!.hedge!;
    expect(h).toMatchObject({ hedged: false, winner: "hedge-slow", budgetDenied: false, hedgeRefused: expect.stringMatching(/ens-c is off for this tenant/) });
    expect((await upstreamCalls(`${id}/ask/hedge/ens-c`)).calls).toBe(0);
    expect(t!.hops).toBe(1);
  });

  it("the tenant's hedge budget (3 per minute here) bounds hedges: the 4th waits for the slow specialist", { timeout: 40_000 }, async () => {
    const API_KEYS = JSON.stringify({ [await sha256Hex("key-hedger")]: "hedger" });
    const headers = { authorization: "Bearer key-hedger" };
    const plan = { steps: [{ id: "ask", specialist: "hedge-slow", hedge: { delayMs: 50 } }] };
    const records: NonNullable<Coordination["hedge"]>[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await callWith({ API_KEYS }, "/v1/tasks", { json: { goal: "g", input: `x${i}`, plan }, headers });
      const { id } = (await res.json()) as { id: string };
      let t: Task | undefined;
      await expect.poll(async () => (t = (await (await callWith({ API_KEYS }, `/v1/tasks/${id}`, { headers })).json()) as Task).status, { timeout: 15_000 }).toBe("succeeded");
      records.push((t!.steps[0] as CoStep).coordination!.hedge!);
    }
    expect(records.map((r) => [r.hedged, r.budgetDenied, r.winner])).toEqual([[true, false, "hedge-fast"], [true, false, "hedge-fast"], [true, false, "hedge-fast"], [false, true, "hedge-slow"]]);
  });
});
