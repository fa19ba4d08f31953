import { describe, expect, it } from "vitest";
import { CoordinationRule, Ensemble, coordinationIssues } from "../../../worker/config/coordination.ts";
import { ensembleCandidates, hedgeTarget, strategyFor } from "../../../worker/tasks/coordination.ts";
import { Plan } from "../../../worker/tasks/plan.ts";

const rule = (r: unknown) => CoordinationRule.parse(r);
const vote3 = { size: 3, combine: "vote", minAgreement: 0.67, onDisagreement: "approval" } as const;

describe("strategyFor", () => {
  const rules = [
    rule({ match: { intent: "finance.*" }, ensemble: vote3 }),
    rule({ match: { intent: "search.*", workflow: "research" }, hedge: { delayMs: "p95" }, hops: true }),
    rule({ match: { workflow: "research" }, ensemble: { combine: "first", specialists: ["a", "b"] } }),
  ];

  it("the first matching rule, explained: intent glob against any of the call's labels, workflow by id, both when both are given", () => {
    expect(strategyFor(rules, { intents: ["other", "finance.fx"], door: "step" })).toEqual({ kind: "ensemble", ensemble: rules[0]!.ensemble, reason: "coordination rule 0 (intent finance.* matched 'finance.fx'): ensemble of 3, combine vote, min agreement 0.67, else approval" });
    expect(strategyFor(rules, { intents: ["search.web"], workflow: "research", door: "step" })?.reason).toBe("coordination rule 1 (intent search.* matched 'search.web', workflow research): hedge after the p95 latency");
    expect(strategyFor(rules, { intents: ["search.web"], workflow: "other", door: "step" })).toBeUndefined();
    expect(strategyFor(rules, { intents: ["x"], workflow: "research", door: "step" })?.reason).toBe("coordination rule 2 (workflow research): ensemble of 'a', 'b', combine first");
    expect(strategyFor(rules, { intents: [], door: "step" })).toBeUndefined();
  });

  it("explains a step's own ensemble: its size (3 by default), its combine, its agreement rule only when it has one", () => {
    const own = (e: Record<string, unknown>) => strategyFor([], { own: { ensemble: Ensemble.parse(e) }, intents: [], door: "step" })?.reason;
    expect(own({ combine: "vote", size: 5 })).toBe("the step's own ensemble of 5, combine vote");
    expect(own({ combine: "vote" })).toBe("the step's own ensemble of 3, combine vote");
    expect(own({ combine: "vote", minAgreement: 1, onDisagreement: "fail" })).toBe("the step's own ensemble of 3, combine vote, min agreement 1, else fail");
    expect(own({ combine: "judge", judge: "j", minAgreement: 0.5 })).toBe("the step's own ensemble of 3, combine judge (judge 'j'), min agreement 0.5, else best");
    expect(strategyFor([], { own: { ensemble: { combine: "first", minAgreement: 0.5, onDisagreement: "fail" } }, intents: [], door: "step" })?.reason).toBe("the step's own ensemble of 3, combine first");
  });

  it("a rule without a workflow matches whatever the task's workflow; one without a specialist glob whatever the specialist", () => {
    const byIntent = [rule({ match: { intent: "a.*" }, hedge: { delayMs: 5 } })];
    expect(strategyFor(byIntent, { intents: ["a.b"], workflow: "w", specialist: "s", door: "step" })?.kind).toBe("hedge");
  });

  it("a specialist glob matches the specialist the call was decided for", () => {
    const bySpecialist = [rule({ match: { specialist: "slow-*" }, hedge: { delayMs: 100 }, hops: true })];
    expect(strategyFor(bySpecialist, { intents: [], specialist: "slow-llm", door: "hop" })?.reason).toBe("coordination rule 0 (specialist slow-* matched 'slow-llm'): hedge after 100 ms");
    expect(strategyFor(bySpecialist, { intents: [], specialist: "fast-llm", door: "hop" })).toBeUndefined();
    expect(strategyFor(bySpecialist, { intents: [], door: "hop" })).toBeUndefined();
  });

  it("a step's own ensemble or hedge wins over every rule; a hop sees only rules with hops: true, and no step setting", () => {
    const own = { hedge: { delayMs: 250 } };
    expect(strategyFor(rules, { own, intents: ["finance.fx"], door: "step" })).toEqual({ kind: "hedge", hedge: { delayMs: 250 }, reason: "the step's own hedge after 250 ms" });
    expect(strategyFor(rules, { own, intents: ["finance.fx"], door: "hop" })).toBeUndefined();
    expect(strategyFor(rules, { intents: ["search.web"], workflow: "research", door: "hop" })?.kind).toBe("hedge");
  });
});

describe("ensembleCandidates and hedgeTarget", () => {
  const reg = new Map(["a", "b", "c", "d", "fallback"].map((id) => [id, { id, fallbacks: id === "a" ? ["b", "fallback", "c", "d"] : [] }]));
  const a = reg.get("a")!;

  it("the named ones, else the chosen one and its fallbacks, the first `size`, skipping unknown ones and the router's catch-all among the fallbacks", () => {
    expect(ensembleCandidates({ size: 3 }, a, reg)).toEqual({ ok: true, ids: ["a", "b", "fallback"] });
    expect(ensembleCandidates({ size: 3 }, a, reg, "fallback")).toEqual({ ok: true, ids: ["a", "b", "c"] });
    expect(ensembleCandidates({}, a, reg, "fallback")).toEqual({ ok: true, ids: ["a", "b", "c"] }); // 3 by default
    expect(ensembleCandidates({ specialists: ["d", "zz", "c"] }, a, reg)).toEqual({ ok: true, ids: ["d", "c"] });
    expect(ensembleCandidates({ specialists: ["d", "c", "b"], size: 2 }, a, reg)).toEqual({ ok: true, ids: ["d", "c", "b"] }); // the named ones, all of them
    expect(ensembleCandidates({ specialists: ["a", "fallback"] }, a, reg, "fallback")).toEqual({ ok: true, ids: ["a", "fallback"] }); // named: taken
    const catchAll = { id: "fallback", fallbacks: ["b"] };
    expect(ensembleCandidates({ size: 2 }, catchAll, new Map([...reg, ["fallback", catchAll]]), "fallback")).toEqual({ ok: true, ids: ["fallback", "b"] }); // chosen: taken
  });

  it("fewer than two is not an ensemble, and says which could be called", () => {
    expect(ensembleCandidates({ size: 3 }, reg.get("b")!, reg)).toEqual({ ok: false, detail: "an ensemble needs two specialists: only 1 of 'b' and its fallbacks can be called (b)" });
    expect(ensembleCandidates({ specialists: ["zz", "yy"] }, a, reg)).toEqual({ ok: false, detail: "an ensemble needs two specialists: only 0 of the named specialists can be called (none)" });
  });

  it("a hedge calls its own specialist, else the first fallback; never the primary itself or an unknown one", () => {
    expect(hedgeTarget({ delayMs: 1 }, a, reg)).toBe("b");
    expect(hedgeTarget({ delayMs: 1, specialist: "d" }, a, reg)).toBe("d");
    expect(hedgeTarget({ delayMs: 1, specialist: "a" }, a, reg)).toBeUndefined();
    expect(hedgeTarget({ delayMs: 1, specialist: "zz" }, a, reg)).toBeUndefined();
    expect(hedgeTarget({ delayMs: 1 }, reg.get("c")!, reg)).toBeUndefined();
  });
});

describe("the config's coordination rules and a step's strategy", () => {
  const issues = (r: unknown) => {
    const p = CoordinationRule.safeParse(r);
    return p.success ? [] : p.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("refuses what cannot work, naming the field", () => {
    expect(issues({ match: {}, hedge: { delayMs: 10 } })).toEqual(["match: match an intent glob, a workflow, a specialist glob, or several"]);
    expect(issues({ match: { intent: "x" } })).toEqual([": give one of ensemble or hedge"]);
    expect(issues({ match: { intent: "x" }, ensemble: vote3, hedge: { delayMs: 1 } })).toEqual([": give one of ensemble or hedge"]);
    expect(issues({ match: { intent: "x" }, ensemble: { combine: "judge" } })).toEqual(["ensemble.judge: combine 'judge' needs a judge specialist"]);
    expect(issues({ match: { intent: "x" }, ensemble: { combine: "vote", judge: "j" } })).toEqual(["ensemble.judge: a judge is for combine 'judge', not 'vote'"]);
    expect(issues({ match: { intent: "x" }, ensemble: { combine: "judge", judge: "j", path: "$.a" } })).toEqual(["ensemble.path: path picks what a vote compares: for combine 'vote' only"]);
    expect(issues({ match: { intent: "x" }, ensemble: { combine: "vote", path: "a.b" } })).toEqual(["ensemble.path: a JSON path like $.answer or $.items[0].id"]);
    expect(issues({ match: { intent: "x" }, ensemble: { combine: "first", minAgreement: 0.5 } })).toEqual(["ensemble.onDisagreement: combine 'first' takes the first answer: nothing to agree on"]);
    expect(issues({ match: { intent: "x" }, ensemble: { combine: "vote", specialists: ["a", "a"] } })).toEqual(["ensemble.specialists: a specialist is named twice"]);
    expect(issues({ match: { intent: "x" }, ensemble: { combine: "vote", specialists: ["a", "b"], size: 3 } })).toEqual(["ensemble.size: size 3 but 2 specialists named: give one or the other"]);
    expect(issues({ match: { intent: "x" }, ensemble: { ...vote3, size: 6 } })[0]).toMatch(/^ensemble.size: /);
    expect(issues({ match: { intent: "x" }, ensemble: vote3, hops: true })).toEqual(["ensemble.onDisagreement: a one-hop route has no approval gate: use 'best' or 'fail' (or hops: false)"]);
    expect(issues({ match: { intent: "x" }, hedge: { delayMs: "p50" } })[0]).toMatch(/^hedge.delayMs/);
    expect(issues({ match: { intent: "x" }, ensemble: vote3, extra: 1 })[0]).toMatch(/extra|Unrecognized/);
  });

  it("defaults: minAgreement 0, onDisagreement best, hops false", () => {
    expect(Ensemble.parse({ combine: "vote" })).toEqual({ combine: "vote", minAgreement: 0, onDisagreement: "best" });
    expect(rule({ match: { intent: "x" }, hedge: { delayMs: 5 } }).hops).toBe(false);
  });

  it("cross-references: unknown specialists and workflows, in rules and in workflow steps", () => {
    const cfg = {
      specialists: [{ id: "a", endpoint: { type: "http" } }, { id: "b", endpoint: { type: "http" } }, { id: "ops", endpoint: { type: "mcp" } }],
      workflows: [{ id: "w", plan: { steps: [{ ensemble: Ensemble.parse({ combine: "judge", judge: "zz", specialists: ["a", "b"] }) }, { hedge: { delayMs: 1, specialist: "yy" } }] } }],
      coordination: [rule({ match: { workflow: "nope" }, ensemble: { combine: "vote", specialists: ["a", "x"] } }), rule({ match: { intent: "y" }, hedge: { delayMs: 1, specialist: "ops" } })],
    };
    expect(coordinationIssues(cfg).map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
      "coordination.0.ensemble.specialists.1: unknown specialist 'x'",
      "coordination.0.match.workflow: unknown workflow 'nope'",
      "coordination.1.hedge.specialist: 'ops' is an MCP server: it takes tool calls, not a step's or hop's input",
      "workflows.0.plan.steps.0.ensemble.judge: unknown specialist 'zz'",
      "workflows.0.plan.steps.1.hedge.specialist: unknown specialist 'yy'",
    ]);
  });

  it("a plan step: no ensemble or hedge on a tool step, not both, no verifier with an ensemble", () => {
    const plan = (s: Record<string, unknown>) => {
      const p = Plan.safeParse({ steps: [{ id: "s", ...s }] });
      return p.success ? [] : p.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(plan({ ensemble: { combine: "vote" } })).toEqual([]);
    expect(plan({ hedge: { delayMs: 100 } })).toEqual([]);
    expect(plan({ tool: "srv__search", hedge: { delayMs: 100 } })).toEqual(["steps.0.hedge: a tool step calls its one MCP server: no ensemble or hedge"]);
    expect(plan({ ensemble: { combine: "vote" }, hedge: { delayMs: 100 } })).toEqual(["steps.0.hedge: give one of ensemble or hedge"]);
    expect(plan({ ensemble: { combine: "vote" }, verifier: "v" })).toEqual(["steps.0.verifier: an ensemble checks its answers by agreement or a judge: no verifier too"]);
    expect(plan({ ensemble: { combine: "judge" } })).toEqual(["steps.0.ensemble.judge: combine 'judge' needs a judge specialist"]);
  });
});
