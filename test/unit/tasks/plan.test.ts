import { describe, expect, it } from "vitest";
import { blockedSteps, combineOutputs, MAX_PLAN_STEPS, outputText, Plan, readySteps, referencedSteps, renderInput, topologicalOrder, type StepStatus } from "../../../worker/tasks/plan.ts";

const plan = (raw: unknown) => Plan.parse(raw);
const issues = (raw: unknown) => {
  const r = Plan.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("Plan schema", () => {
  it("fills defaults", () => {
    expect(plan({ steps: [{ id: "a" }] })).toEqual({ steps: [{ id: "a", input: "{{input}}", dependsOn: [], requireApproval: false }], combine: "last" });
  });

  it("rejects cycles, unknown and self dependencies, duplicate ids, undeclared references and unknown placeholders", () => {
    expect(issues({ steps: [{ id: "a", dependsOn: ["b"] }, { id: "b", dependsOn: ["c"] }, { id: "c", dependsOn: ["a"] }] })).toEqual(["steps: the steps' dependsOn form a cycle"]);
    expect(issues({ steps: [{ id: "a", dependsOn: ["a"] }] })).toEqual(["steps.0.dependsOn.0: a step cannot depend on itself"]);
    expect(issues({ steps: [{ id: "a", dependsOn: ["zz"] }] })).toEqual(["steps.0.dependsOn.0: unknown step 'zz'"]);
    expect(issues({ steps: [{ id: "a" }, { id: "a" }] })).toEqual(["steps.1.id: duplicate step id 'a'"]);
    expect(issues({ steps: [{ id: "a" }, { id: "b", input: "{{steps.a.output}}" }] })).toEqual(["steps.1.input: uses steps.a but does not list it in dependsOn"]);
    expect(issues({ steps: [{ id: "a", input: "{{env.SECRET}}" }] })).toEqual(["steps.0.input: unknown placeholder '{{env.SECRET}}'"]);
    expect(issues({ steps: [{ id: "a", specialist: "x", intent: "y" }] })).toEqual(["steps.0: give either specialist or intent, not both"]);
    expect(issues({ steps: [{ id: "a" }], combine: { step: "q" } })).toEqual(["combine.step: unknown step 'q'"]);
    expect(issues({ steps: [{ id: "a", extra: 1 }] }).length).toBe(1);
    expect(issues({ steps: Array.from({ length: MAX_PLAN_STEPS + 1 }, (_, i) => ({ id: `s${i}` })) }).length).toBe(1);
  });

  it("takes a fan-out of MAX_PLAN_STEPS (256) steps, a fan-in step depending on all the others", () => {
    const wide = Array.from({ length: MAX_PLAN_STEPS - 1 }, (_, i) => ({ id: `s${i}` }));
    const p = plan({ steps: [...wide, { id: "all", dependsOn: wide.map((s) => s.id) }] });
    expect(p.steps).toHaveLength(256);
    expect(topologicalOrder(p.steps)?.at(-1)).toBe("all");
    expect(issues({ steps: [...wide, { id: "all", dependsOn: [...wide.map((s) => s.id), "s0", "s1"] }] })).toEqual(["steps.255.dependsOn: Too big: expected array to have <=256 items"]);
  });
});

describe("scheduling", () => {
  const p = plan({
    steps: [
      { id: "a" },
      { id: "b" },
      { id: "c", dependsOn: ["a", "b"] },
      { id: "d", dependsOn: ["c"] },
    ],
  });
  const status = (o: Record<string, StepStatus>) => new Map(Object.entries(o));

  it("orders topologically, stable by declaration", () => {
    expect(topologicalOrder(p.steps)).toEqual(["a", "b", "c", "d"]);
    expect(topologicalOrder([{ id: "x", dependsOn: ["y"] }, { id: "y", dependsOn: [] }])).toEqual(["y", "x"]);
    expect(topologicalOrder([{ id: "x", dependsOn: ["y"] }, { id: "y", dependsOn: ["x"] }])).toBeUndefined();
  });

  it("starts independent steps together and a join only when all its dependencies succeeded", () => {
    expect(readySteps(p, status({ a: "pending", b: "pending", c: "pending", d: "pending" })).map((s) => s.id)).toEqual(["a", "b"]);
    expect(readySteps(p, status({ a: "succeeded", b: "running", c: "pending", d: "pending" })).map((s) => s.id)).toEqual([]);
    expect(readySteps(p, status({ a: "succeeded", b: "succeeded", c: "pending", d: "pending" })).map((s) => s.id)).toEqual(["c"]);
  });

  it("skips everything downstream of a failure, transitively", () => {
    expect(blockedSteps(p, status({ a: "failed", b: "succeeded", c: "pending", d: "pending" }))).toEqual(["c", "d"]);
    expect(blockedSteps(p, status({ a: "succeeded", b: "running", c: "pending", d: "pending" }))).toEqual([]);
  });
});

describe("templating and combining", () => {
  const outputs = new Map<string, unknown>([
    ["a", { text: "5 km = 3.1 mi", value: 3.10686 }],
    ["b", "plain"],
    ["c", { list: [1, 2] }],
  ]);
  it("renders input, goal and earlier outputs, following paths", () => {
    expect(renderInput("{{goal}}: {{input}} / {{steps.a.output}} / {{steps.a.output.value}} / {{ steps.b.output }} / {{steps.c.output}} / {{steps.c.output.missing}}", { input: "in", goal: "go", outputs })).toBe(
      'go: in / 5 km = 3.1 mi / 3.10686 / plain / {"list":[1,2]} / ',
    );
    expect(referencedSteps("{{steps.a.output}} {{steps.b-2.output.x}} {{input}}")).toEqual(["a", "b-2"]);
    expect(outputText(42)).toBe("42");
  });
  it("combines as last, concat or a named step", () => {
    const p = plan({ steps: [{ id: "a" }, { id: "b", dependsOn: ["a"] }] });
    const o = new Map<string, unknown>([["a", "first"], ["b", { text: "second" }]]);
    expect(combineOutputs(p, o)).toEqual({ text: "second" });
    expect(combineOutputs({ ...p, combine: "concat" }, o)).toBe("first\n\nsecond");
    expect(combineOutputs({ ...p, combine: { step: "a" } }, o)).toBe("first");
  });
});
