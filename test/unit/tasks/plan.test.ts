import { describe, expect, it } from "vitest";
import { blockedSteps, combineOutputs, MAX_PLAN_STEPS, outputText, Plan, readySteps, referencedSteps, renderArguments, renderInput, topologicalOrder, type StepStatus } from "../../../worker/tasks/plan.ts";

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
    expect(issues({ steps: [{ id: "a", specialist: "x", intent: "y" }] })).toEqual(["steps.0: give one of specialist, intent or tool"]);
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

describe("tool steps", () => {
  const one = (step: Record<string, unknown>) => issues({ steps: [{ id: "a", ...step }] });
  const BAD_NAME = "steps.0.tool: a tool of an MCP server: '<server id>__<tool name>'";

  it("take a tool named '<server>__<tool>' and its arguments", () => {
    const p = plan({ steps: [{ id: "a", tool: "github__create_issue", arguments: { title: "Bug", labels: ["x"], n: 1, draft: false, parent: null } }] });
    expect(p.steps[0]).toEqual({ id: "a", tool: "github__create_issue", arguments: { title: "Bug", labels: ["x"], n: 1, draft: false, parent: null }, input: "{{input}}", dependsOn: [], requireApproval: false });
    for (const tool of ["a__b", "my-server__do.it/now", "github__x__y", `${"a".repeat(64)}__x`, `gh__${"x".repeat(128)}`]) expect(one({ tool }), tool).toEqual([]);
    expect(plan({ steps: [{ id: "a", tool: "gh__x" }] }).steps[0]).not.toHaveProperty("arguments");
  });

  it.each(["github", "Github__x", "__x", "github__", "github__a b", "9gh__x", `${"a".repeat(65)}__x`, `gh__${"x".repeat(129)}`, ""])("refuse the tool name %j", (tool) => {
    expect(one({ tool })).toEqual([BAD_NAME]);
  });

  it("name one of specialist, intent or tool", () => {
    expect(one({ tool: "gh__x", specialist: "s" })).toEqual(["steps.0: give one of specialist, intent or tool"]);
    expect(one({ tool: "gh__x", intent: "i" })).toEqual(["steps.0: give one of specialist, intent or tool"]);
    expect(one({ tool: "gh__x", intent: "i", specialist: "s" })).toEqual(["steps.0: give one of specialist, intent or tool"]);
    expect(one({ specialist: "s" })).toEqual([]);
    expect(one({ intent: "i" })).toEqual([]);
  });

  it("are not verified by a specialist", () => {
    expect(one({ tool: "gh__x", verifier: "v" })).toEqual(["steps.0.verifier: a tool step's result is not verified by a specialist"]);
    expect(one({ specialist: "s", verifier: "v" })).toEqual([]);
  });

  it("arguments without a tool are refused", () => {
    expect(one({ arguments: {} })).toEqual(["steps.0.arguments: arguments are a tool's: name the tool"]);
    expect(one({ specialist: "s", arguments: { a: 1 } })).toEqual(["steps.0.arguments: arguments are a tool's: name the tool"]);
  });

  it("arguments are a JSON object, nothing JSON cannot say", () => {
    const NOT_JSON = "steps.0.arguments: plain JSON: strings, numbers, booleans, null, arrays and objects";
    expect(one({ tool: "gh__x", arguments: { n: Infinity } })).toEqual([NOT_JSON]);
    expect(one({ tool: "gh__x", arguments: { n: { deep: NaN } } })).toEqual([NOT_JSON]);
    expect(one({ tool: "gh__x", arguments: { d: new Date(0) } })).toEqual([NOT_JSON]);
    expect(one({ tool: "gh__x", arguments: { f: () => 1 } })).toEqual([NOT_JSON]);
    expect(one({ tool: "gh__x", arguments: [1] })).toEqual(["steps.0.arguments: Invalid input: expected record, received array"]);
    expect(one({ tool: "gh__x", arguments: "{}" }).length).toBe(1);
  });

  it("placeholders in arguments must list their steps in dependsOn, and be known, each named by its path", () => {
    const args = { title: "{{steps.a.output.title}}", body: { parts: ["{{input}}", "{{steps.b.output}} and {{env.SECRET}}"] }, n: 1 };
    expect(issues({ steps: [{ id: "a" }, { id: "b" }, { id: "c", tool: "gh__x", arguments: args, dependsOn: ["b"] }] })).toEqual([
      "steps.2.arguments.title: uses steps.a but does not list it in dependsOn",
      "steps.2.arguments.body.parts.1: unknown placeholder '{{env.SECRET}}'",
    ]);
    expect(issues({ steps: [{ id: "a" }, { id: "c", tool: "gh__x", arguments: { x: "{{steps}}", y: ["{{input.x}}"] }, dependsOn: ["a"] }] })).toEqual([
      "steps.1.arguments.x: unknown placeholder '{{steps}}'",
      "steps.1.arguments.y.0: unknown placeholder '{{input.x}}'",
    ]);
    expect(issues({ steps: [{ id: "a" }, { id: "c", tool: "gh__x", arguments: { t: "{{steps.a.output}}", g: "{{ goal }}" }, dependsOn: ["a"] }] })).toEqual([]);
  });

  it("the input is checked as well as the arguments", () => {
    expect(issues({ steps: [{ id: "a" }, { id: "c", tool: "gh__x", input: "{{steps.a.output}}", arguments: { t: "{{steps.a.output}}" } }] })).toEqual([
      "steps.1.input: uses steps.a but does not list it in dependsOn",
      "steps.1.arguments.t: uses steps.a but does not list it in dependsOn",
    ]);
  });
});

describe("renderArguments", () => {
  const outputs = new Map<string, unknown>([
    ["a", { text: "5 km = 3.1 mi", value: 3.10686, nested: { list: [1, { k: "v" }] }, none: null, zero: 0, no: false }],
    ["b", "plain"],
  ]);
  const vars = { input: "in", goal: "go", outputs };

  it("templates every string, at any depth, leaving other values as they are", () => {
    const args = { t: "{{goal}}: {{input}} ({{steps.a.output.value}})", deep: { list: ["{{steps.b.output}}!", 7, true, null, { x: "{{input}}" }] }, n: 2.5, f: false, z: null };
    expect(renderArguments(args, vars)).toEqual({ t: "go: in (3.10686)", deep: { list: ["plain!", 7, true, null, { x: "in" }] }, n: 2.5, f: false, z: null });
    expect(args.t).toBe("{{goal}}: {{input}} ({{steps.a.output.value}})");
  });

  it("a string that is one step placeholder takes the value as it is: numbers, objects, arrays, false, 0", () => {
    expect(
      renderArguments({ n: "{{steps.a.output.value}}", o: "{{steps.a.output.nested}}", l: "{{ steps.a.output.nested.list }}", i: "{{steps.a.output.nested.list.1.k}}", s: "{{steps.b.output}}", zero: "{{steps.a.output.zero}}", no: "{{steps.a.output.no}}", whole: "{{steps.a}}" }, vars),
    ).toEqual({ n: 3.10686, o: { list: [1, { k: "v" }] }, l: [1, { k: "v" }], i: "v", s: "plain", zero: 0, no: false, whole: outputs.get("a") });
  });

  it("a whole placeholder naming nothing is an empty string", () => {
    expect(renderArguments({ a: "{{steps.a.output.missing}}", b: "{{steps.zz.output}}", c: "{{steps.b.output.length}}", d: "{{steps}}" }, vars)).toEqual({ a: "", b: "", c: "", d: "" });
  });

  it("a whole placeholder naming null keeps null", () => {
    expect(renderArguments({ a: "{{steps.a.output.none}}" }, vars)).toEqual({ a: null });
  });

  it("{{input}} and {{goal}} are text, whole or not; a placeholder with other text around it is text", () => {
    expect(renderArguments({ i: "{{input}}", g: "{{goal}}", t: " {{steps.a.output.value}}", o: "{{steps.a.output.nested}}." }, vars)).toEqual({ i: "in", g: "go", t: " 3.10686", o: '{"list":[1,{"k":"v"}]}.' });
  });

  it("arrays at the top of a value and empty arguments", () => {
    expect(renderArguments({}, vars)).toEqual({});
    expect(renderArguments({ l: [["{{steps.a.output.zero}}"]] }, vars)).toEqual({ l: [[0]] });
  });
});
