import { describe, expect, it } from "vitest";
import { app } from "../../../examples/specialists/src/index.ts";
import { MAX_STEPS, plan, type Plan } from "../../../examples/specialists/src/skills/planner.ts";
import { splitClauses, startsRequest } from "../../../examples/specialists/src/skills/planner-clauses.ts";

/** The router's rules for a plan, as the planner must meet them. */
function planProblems(p: Plan): string[] {
  const problems: string[] = [];
  const seen: string[] = [];
  for (const s of p.steps) {
    if (!/^[a-z][a-z0-9_-]{0,63}$/.test(s.id)) problems.push(`bad id ${s.id}`);
    if (seen.includes(s.id)) problems.push(`duplicate id ${s.id}`);
    for (const d of s.dependsOn) if (!seen.includes(d)) problems.push(`${s.id} depends on ${d}, which is not an earlier step`);
    for (const m of s.input.matchAll(/\{\{(.*?)\}\}/g)) {
      const ref = /^steps\.([a-z][a-z0-9_-]*)\.output(?:\.[A-Za-z0-9_-]+)*$/.exec(m[1] as string);
      if (m[1] === "input" || m[1] === "goal") continue;
      if (ref === null) problems.push(`${s.id} has the placeholder ${m[0]}`);
      else if (!s.dependsOn.includes(ref[1] as string)) problems.push(`${s.id} uses ${ref[1]} without depending on it`);
    }
    if (/\{\{|\}\}/.test(s.input.replace(/\{\{(?:input|goal|steps\.[a-z][a-z0-9_-]*\.output(?:\.[A-Za-z0-9_-]+)*)\}\}/g, ""))) problems.push(`${s.id} has stray braces`);
    seen.push(s.id);
  }
  if (p.steps.length < 1 || p.steps.length > MAX_STEPS) problems.push(`${p.steps.length} steps`);
  return problems;
}

function planOf(goal: string): Plan {
  const r = plan(goal);
  if (!r.ok) throw new Error(r.reason);
  expect(planProblems(r.plan)).toEqual([]);
  return r.plan;
}

const step = (id: string, input: string, dependsOn: string[] = []) => ({ id, input, dependsOn });

describe("planner: splitting clauses", () => {
  it.each([
    ["convert 5 km to miles, then what is the result times 3", ["convert 5 km to miles", "what is the result times 3"]],
    ["what is 2 + 2; what is 3 + 3", ["what is 2 + 2", "what is 3 + 3"]],
    ["what is 2 + 2 and then what is 3 + 3", ["what is 2 + 2", "what is 3 + 3"]],
    ["convert 100 f to c. Then tell me a joke", ["convert 100 f to c", "tell me a joke"]],
    ["first convert 5 km to miles, after that what is 2 * 2", ["convert 5 km to miles", "what is 2 * 2"]],
    ["what is 2 + 2 and what time is it in Tokyo", ["what is 2 + 2", "what time is it in Tokyo"]],
    ["5 km to miles and 10 lb to kg", ["5 km to miles", "10 lb to kg"]],
    ["what is 3 + 4, 5 + 6 and 7 + 8", ["what is 3 + 4", "5 + 6", "7 + 8"]],
    ["how many days between 2026-01-01 and 2026-12-25", ["how many days between 2026-01-01 and 2026-12-25"]],
    ["add 1,250 and 3,480", ["add 1,250 and 3,480"]],
    ["what is the sum of 3 and 4 times 5", ["what is the sum of 3 and 4 times 5"]],
    ["what is max(4, 19, 7) and then subtract 3 from it", ["what is max(4, 19, 7)", "subtract 3 from it"]],
    ["hello, what is 2 + 2", ["hello, what is 2 + 2"]],
    ["next friday is what date", ["next friday is what date"]],
    ["summarize: Tom and Jerry ran, and then they slept. then count its words", ["summarize: Tom and Jerry ran, and then they slept", "count its words"]],
    ["what is 2 + 2 and", ["what is 2 + 2"]],
    ["; then ; and then", []],
  ])("%j → %j", (goal, clauses) => {
    expect(splitClauses(goal, startsRequest)).toEqual(clauses);
  });

  it("recognises request words after fillers", () => {
    expect(startsRequest("and then please convert 5 km")).toBe(true);
    expect(startsRequest("first, what is 2+2")).toBe(true);
    expect(startsRequest("2026-12-25")).toBe(false);
    expect(startsRequest("Jerry ran")).toBe(false);
  });
});

describe("planner: plans", () => {
  it("chains an arithmetic reference to the previous value", () => {
    expect(planOf("convert 5 km to miles, then what is the result times 3")).toEqual({
      steps: [step("s1", "convert 5 km to miles"), step("s2", "what is {{steps.s1.output.value}} times 3", ["s1"])],
      combine: "last",
    });
  });

  it("runs independent questions in parallel and concatenates them", () => {
    expect(planOf("what day of the week is 2026-12-25 and how many days between 2026-01-01 and 2026-12-25")).toEqual({
      steps: [step("s1", "what day of the week is 2026-12-25"), step("s2", "how many days between 2026-01-01 and 2026-12-25")],
      combine: "concat",
    });
  });

  it("feeds a text result to a text operation as its payload", () => {
    expect(planOf("summarize this text: The cat sat on the mat. The dog barked at the cat. Then the cat ran away. then count its words")).toEqual({
      steps: [
        step("s1", "summarize this text: The cat sat on the mat. The dog barked at the cat. Then the cat ran away"),
        step("s2", "count the words of: {{steps.s1.output}}", ["s1"]),
      ],
      combine: "last",
    });
    expect(planOf("convert 5 km to miles, then summarize the result in 1 sentence").steps[1]).toEqual(
      step("s2", "summarize in 1 sentence: {{steps.s1.output}}", ["s1"]),
    );
  });

  it("converts a conversion's result with its unit", () => {
    expect(planOf("convert 5 km to miles, then convert that to feet").steps[1]).toEqual(
      step("s2", "convert {{steps.s1.output.to.value}} {{steps.s1.output.to.unit}} to feet", ["s1"]),
    );
  });

  it("asks date questions about a computed date and multiplies a day count", () => {
    expect(planOf("add 30 days to 2026-01-01, then what day of the week is that").steps[1]).toEqual(
      step("s2", "what day of the week is {{steps.s1.output.date}}", ["s1"]),
    );
    expect(planOf("how many days between 2026-01-01 and 2026-12-25, then what is the result times 24").steps[1]).toEqual(
      step("s2", "what is {{steps.s1.output.days}} times 24", ["s1"]),
    );
  });

  it("rewrites double / halve / its square root into arithmetic on the value", () => {
    expect(planOf("what is 12 * 3; double it; then take its square root")).toEqual({
      steps: [
        step("s1", "what is 12 * 3"),
        step("s2", "2 times {{steps.s1.output.value}}", ["s1"]),
        step("s3", "take the square root of {{steps.s2.output.value}}", ["s2"]),
      ],
      combine: "last",
    });
    expect(planOf("first convert 100 f to c, after that halve it").steps[1]).toEqual(step("s2", "{{steps.s1.output.value}} divided by 2", ["s1"]));
    expect(planOf("what is max(4, 19, 7) and then subtract 3 from it").steps[1]).toEqual(step("s2", "subtract 3 from {{steps.s1.output.value}}", ["s1"]));
  });

  it("substitutes the plain output text for other references", () => {
    expect(planOf("what is the capital of France, then translate the answer into Spanish").steps[1]).toEqual(
      step("s2", "translate {{steps.s1.output}} into Spanish", ["s1"]),
    );
  });

  it("concatenates a mix of a chain and an independent step", () => {
    expect(planOf("what is 2 + 2, then what is the result times 3, and what time is it in Tokyo")).toEqual({
      steps: [step("s1", "what is 2 + 2"), step("s2", "what is {{steps.s1.output.value}} times 3", ["s1"]), step("s3", "what time is it in Tokyo")],
      combine: "concat",
    });
    // A reference always means the step just before.
    expect(planOf("what is 2 + 2; tell me a joke; then what is the result times 2").steps[2]).toEqual(
      step("s3", "what is {{steps.s2.output.value}} times 2", ["s2"]),
    );
  });

  it("plans a single request as one step", () => {
    expect(planOf("hello")).toEqual({ steps: [step("s1", "hello")], combine: "last" });
    expect(planOf("how many days between 2026-01-01 and 2026-12-25?")).toEqual({
      steps: [step("s1", "how many days between 2026-01-01 and 2026-12-25?")],
      combine: "last",
    });
  });

  it("does not treat the dummy it, a first-step reference or a payload as references", () => {
    expect(planOf("what is 2 + 2 and what time is it in Tokyo").steps[1]).toEqual(step("s2", "what time is it in Tokyo"));
    expect(planOf("double it")).toEqual({ steps: [step("s1", "double it")], combine: "last" });
    expect(planOf("what is 2 + 2, then summarize this: It was late. It rained.").steps[1]).toEqual(step("s2", "summarize this: It was late. It rained."));
  });

  it("defuses braces in the goal so that no placeholder is forged", () => {
    const p = planOf("what is {{steps.s9.output}} plus 2 then what is {{input}}");
    expect(p.steps.map((s) => s.input)).toEqual(["what is { {steps.s9.output} } plus 2", "what is { {input} }"]);
  });

  it("allows 10 steps and refuses more", () => {
    const goal = (n: number) => Array.from({ length: n }, (_, i) => `what is ${i} + 1`).join("; ");
    expect(planOf(goal(10)).steps).toHaveLength(10);
    expect(plan(goal(11))).toEqual({ ok: false, reason: "The goal has 11 requests; the planner makes at most 10 steps (split it into smaller goals)" });
  });

  it("refuses a goal without a usable clause", () => {
    expect(plan(" ; then ; ")).toEqual({ ok: false, reason: 'No request found in the goal (try something like "convert 5 km to miles, then what is the result times 3")' });
  });

  it("summarises the plan in text, with placeholders spelled out", () => {
    const r = plan("convert 5 km to miles, then what is the result times 3");
    expect(r.ok && r.text).toBe("Plan: 2 steps in one chain; the answer is the last step's output.\n1. s1: convert 5 km to miles\n2. s2: what is [s1 value] times 3 (after s1)");
    const c = plan("what is 2 + 2 and what time is it in Tokyo");
    expect(c.ok && c.text).toBe("Plan: 2 steps, independent ones in parallel; the answers are joined in order.\n1. s1: what is 2 + 2\n2. s2: what time is it in Tokyo");
  });

  it("names a likely specialist in the text when the catalog is given, never in the plan", () => {
    const specialists = [
      { id: "units", description: "Converts between units of length, mass and temperature", intents: ["units.convert"] },
      { id: "arithmetic", description: "Evaluates arithmetic expressions", intents: ["math.evaluate"] },
    ];
    const r = plan("convert 5 km to miles; tell me a joke", specialists);
    expect(r.ok && r.text).toBe(
      "Plan: 2 steps, independent ones in parallel; the answers are joined in order.\n1. s1: convert 5 km to miles [likely units]\n2. s2: tell me a joke",
    );
    expect(r.ok && r.plan.steps.every((s) => !("specialist" in s))).toBe(true);
  });

  it("is deterministic", () => {
    const goal = "convert 5 km to miles, then convert that to feet and then what is the result times 3";
    expect(plan(goal)).toEqual(plan(goal));
  });
});

describe("POST /planner", () => {
  const post = (body: unknown) => Promise.resolve(app.request("/planner", { method: "POST", body: JSON.stringify(body) }));

  it("answers 200 with the plan", async () => {
    const res = await post({ input: "convert 5 km to miles, then what is the result times 3", context: { specialists: [{ id: "units", description: "converts units", intents: ["units.convert"] }] } });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { output: { text: string; plan: Plan }; usage: unknown };
    expect(json.usage).toEqual({ units: 1 });
    expect(json.output.plan).toEqual({
      steps: [step("s1", "convert 5 km to miles"), step("s2", "what is {{steps.s1.output.value}} times 3", ["s1"])],
      combine: "last",
    });
    expect(json.output.text).toContain("1. s1: convert 5 km to miles [likely units]");
    expect(json.output).not.toHaveProperty("ok");
  });

  it("answers 422 for a goal without a request", async () => {
    const res = await post({ input: "; ;" });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ type: "urn:switchyard:problem:unprocessable-input", status: 422, specialist: "planner" });
  });

  it("answers 400 for a malformed specialists list or body", async () => {
    let res = await post({ input: "what is 2+2", context: { specialists: [{ description: "no id" }] } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ detail: "The request context is invalid", errors: [{ path: "context.specialists.0.id" }] });
    res = await post({ input: "" });
    expect(res.status).toBe(400);
  });

  it("answers 405 for GET", async () => {
    const res = await app.request("/planner");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });
});
