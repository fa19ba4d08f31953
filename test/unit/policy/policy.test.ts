import { describe, expect, it } from "vitest";
import { globToRegExp } from "../../../worker/policy/glob.ts";
import { PolicyRule, PolicySet, withinTaskLimits, type PolicyContext } from "../../../worker/policy/policy.ts";

const rules = (raw: unknown[]) => new PolicySet(raw.map((r) => PolicyRule.parse(r)));
type Over = Partial<Omit<PolicyContext, "intents">> & { intent?: string | undefined; intents?: string[] };
const hop = ({ intent = "units.convert", ...over }: Over = {}): PolicyContext => ({ tenant: "acme", intents: intent === undefined ? [] : [intent], specialist: "units", inputChars: 20, costUsd: 0.001, ...over });

describe("globs", () => {
  it("match * and ? and nothing else specially", () => {
    expect(globToRegExp("payments.*").test("payments.refund")).toBe(true);
    expect(globToRegExp("payments.*").test("paymentsXrefund")).toBe(false);
    expect(globToRegExp("a?c").test("abc")).toBe(true);
    expect(globToRegExp("a+b").test("a+b")).toBe(true);
    expect(globToRegExp("a+b").test("aab")).toBe(false);
  });
});

describe("policy table", () => {
  const set = rules([
    { id: "block-evil", match: { tenant: "evil-*" }, effect: "deny", reason: "tenant suspended" },
    { id: "payments-approval", match: { intent: ["payments.*", "refunds.*"] }, require: "approval" },
    { id: "big-inputs", match: { minInputChars: 10_000 }, effect: "deny" },
    { id: "pricey", match: { minCostUsd: 0.5, specialist: "gpt-*" }, require: "approval" },
    { id: "cap-acme", match: { tenant: "acme" }, limits: { maxHopsPerTask: 10, maxCostPerTaskUsd: 2 } },
    { id: "cap-all", limits: { maxHopsPerTask: 20 } },
    { id: "allow-units", match: { specialist: "units" }, effect: "allow" },
    { id: "deny-units-late", match: { specialist: "units" }, effect: "deny" },
  ]);
  const cases: [string, Over, string, string | null][] = [
    ["default allow", { specialist: "arithmetic", intent: "math.evaluate" }, "allow", null],
    ["tenant glob deny", { tenant: "evil-corp" }, "deny", "block-evil"],
    ["intent glob approval", { intent: "payments.refund", specialist: "pay" }, "require_approval", "payments-approval"],
    ["second glob of a list", { intent: "refunds.partial", specialist: "pay" }, "require_approval", "payments-approval"],
    ["a hop about no label does not match intent rules", { intent: undefined, specialist: "pay" }, "allow", null],
    ["any of the call's labels matches (a pinned call: the specialist's declared labels)", { intent: undefined, intents: ["pay.status", "payments.refund"], specialist: "pay" }, "require_approval", "payments-approval"],
    ["input size", { inputChars: 12_000 }, "deny", "big-inputs"],
    ["cost and specialist ANDed", { specialist: "gpt-4", costUsd: 0.6, intent: "x" }, "require_approval", "pricey"],
    ["cost alone is not enough", { specialist: "claude", costUsd: 0.6, intent: "x" }, "allow", null],
    ["first effect wins", { specialist: "units" }, "allow", "allow-units"],
  ];
  it.each(cases)("%s", (_name, over, effect, rule) => {
    const d = set.evaluate(hop(over));
    expect(d.effect).toBe(effect);
    expect(d.rule).toBe(rule);
  });

  it("explains the decision and applies the tightest limits of every matching rule", () => {
    const d = set.evaluate(hop({ intent: "payments.refund", specialist: "pay" }));
    expect(d.reason).toBe("requires approval by policy 'payments-approval'");
    expect(d.limits).toEqual({ maxHopsPerTask: 10, maxCostPerTaskUsd: 2 });
    expect(set.evaluate(hop({ tenant: "evil-corp" })).reason).toBe("denied by policy 'block-evil': tenant suspended");
    expect(set.evaluate(hop({ tenant: "other", specialist: "x", intent: "y" })).limits).toEqual({ maxHopsPerTask: 20 });
  });

  it("names unnamed rules by position", () => {
    expect(rules([{ effect: "deny" }]).evaluate(hop()).rule).toBe("policies[0]");
  });

  it("rejects rules without an effect or with two", () => {
    expect(PolicyRule.safeParse({ match: {} }).success).toBe(false);
    expect(PolicyRule.safeParse({ effect: "deny", require: "approval" }).success).toBe(false);
    expect(PolicyRule.safeParse({ effect: "maybe" }).success).toBe(false);
    expect(PolicyRule.safeParse({ match: { colour: "red" }, effect: "deny" }).success).toBe(false);
  });

  it("checks task limits before a hop", () => {
    expect(withinTaskLimits({ maxHopsPerTask: 3 }, { hops: 2, costUsd: 0 }, { costUsd: 0 })).toEqual({ ok: true });
    expect(withinTaskLimits({ maxHopsPerTask: 3 }, { hops: 3, costUsd: 0 }, { costUsd: 0 })).toEqual({ ok: false, reason: "the task would exceed 3 hops" });
    expect(withinTaskLimits({ maxCostPerTaskUsd: 1 }, { hops: 0, costUsd: 0.9 }, { costUsd: 0.2 }).ok).toBe(false);
    expect(withinTaskLimits({ maxCostPerTaskUsd: 1 }, { hops: 0, costUsd: 0.8 }, { costUsd: 0.2 }).ok).toBe(true);
  });
});

describe("policy rules: each condition and message", () => {
  it("every match field narrows a rule: a context outside it is not matched", () => {
    const deny = (match: object) => rules([{ id: "r", match, effect: "deny" }]);
    expect(deny({ tenant: "evil" }).evaluate(hop({ tenant: "acme" })).effect).toBe("allow");
    expect(deny({ tenant: "ac?e" }).evaluate(hop({ tenant: "acme" })).effect).toBe("deny");
    expect(deny({ tenant: ["x", "a*"] }).evaluate(hop({ tenant: "acme" })).effect).toBe("deny");
    expect(deny({ intent: "payments.*" }).evaluate(hop({ intent: "units.convert" })).effect).toBe("allow");
    expect(deny({ specialist: "gpt-*" }).evaluate(hop({ specialist: "units" })).effect).toBe("allow");
    expect(deny({ minInputChars: 21 }).evaluate(hop({ inputChars: 20 })).effect).toBe("allow");
    expect(deny({ minInputChars: 20 }).evaluate(hop({ inputChars: 20 })).effect).toBe("deny");
    expect(deny({ maxInputChars: 19 }).evaluate(hop({ inputChars: 20 })).effect).toBe("allow");
    expect(deny({ maxInputChars: 20 }).evaluate(hop({ inputChars: 20 })).effect).toBe("deny");
    expect(deny({ maxInputChars: 20 }).evaluate(hop({ inputChars: 21 })).effect).toBe("allow");
    expect(deny({ minCostUsd: 0.5 }).evaluate(hop({ costUsd: 0.4 })).effect).toBe("allow");
    expect(deny({ minCostUsd: 0.5 }).evaluate(hop({ costUsd: 0.5 })).effect).toBe("deny");
  });

  it("says why, for every effect", () => {
    expect(rules([]).evaluate(hop())).toEqual({ effect: "allow", rule: null, reason: "allowed: no policy rule matched", limits: {} });
    expect(rules([{ id: "ok", effect: "allow" }]).evaluate(hop()).reason).toBe("allowed by policy 'ok'");
    expect(rules([{ id: "no", effect: "deny", reason: "closed" }]).evaluate(hop()).reason).toBe("denied by policy 'no': closed");
    expect(rules([{ effect: "deny" }]).evaluate(hop()).reason).toBe("denied by policy 'policies[0]'");
    expect(rules([{ id: "ask", require: "approval" }]).evaluate(hop()).reason).toBe("requires approval by policy 'ask'");
  });

  it("counts its rules", () => {
    expect(rules([]).size).toBe(0);
    expect(rules([{ effect: "deny" }, { limits: { maxHopsPerTask: 1 } }]).size).toBe(2);
  });

  it("a rule needs an effect, approval or limits, and not both an effect and approval", () => {
    expect(PolicyRule.safeParse({ require: "approval" }).success).toBe(true);
    expect(PolicyRule.safeParse({ limits: { maxHopsPerTask: 2 } }).success).toBe(true);
    expect(PolicyRule.safeParse({ effect: "allow" }).success).toBe(true);
    expect(PolicyRule.safeParse({ match: { tenant: "a" } }).error?.issues[0]?.message).toBe("a rule needs an effect, require: approval, or limits");
    expect(PolicyRule.safeParse({ effect: "deny", require: "approval" }).error?.issues[0]?.message).toBe("give either effect or require, not both");
  });

  it("task limits: up to the limit passes, one more does not; cost within a rounding tolerance", () => {
    expect(withinTaskLimits({ maxHopsPerTask: 3 }, { hops: 2, costUsd: 0 }, { costUsd: 0 })).toEqual({ ok: true });
    expect(withinTaskLimits({ maxHopsPerTask: 3 }, { hops: 3, costUsd: 0 }, { costUsd: 0 })).toEqual({ ok: false, reason: "the task would exceed 3 hops" });
    expect(withinTaskLimits({ maxCostPerTaskUsd: 1 }, { hops: 0, costUsd: 0.7 }, { costUsd: 0.3 })).toEqual({ ok: true });
    expect(withinTaskLimits({ maxCostPerTaskUsd: 0 }, { hops: 0, costUsd: 0 }, { costUsd: 1e-12 })).toEqual({ ok: true });
    expect(withinTaskLimits({ maxCostPerTaskUsd: 1 }, { hops: 0, costUsd: 0.7 }, { costUsd: 0.31 })).toEqual({ ok: false, reason: "the task would exceed $1" });
    expect(withinTaskLimits({}, { hops: 1e9, costUsd: 1e9 }, { costUsd: 1 })).toEqual({ ok: true });
  });

  it("globs are anchored at both ends", () => {
    expect(globToRegExp("b*").test("ab")).toBe(false);
    expect(globToRegExp("*a").test("ab")).toBe(false);
  });
});

describe("policy rules: MCP tool globs", () => {
  const deny = (match: object) => rules([{ id: "r", match, effect: "deny" }]);
  const tool = (name: string | undefined, over: Over = {}) => hop({ specialist: "github", intent: undefined, tool: name, ...over });

  it("a tool glob matches the tool's name as the MCP door gives it", () => {
    expect(deny({ tool: "github__*" }).evaluate(tool("github__create_issue")).effect).toBe("deny");
    expect(deny({ tool: "github__*" }).evaluate(tool("linear__create_issue")).effect).toBe("allow");
    expect(deny({ tool: "github__*" }).evaluate(tool("github")).effect).toBe("allow");
    expect(deny({ tool: "*__delete_*" }).evaluate(tool("github__delete_repo")).effect).toBe("deny");
    expect(deny({ tool: "*__delete_*" }).evaluate(tool("github__create_issue")).effect).toBe("allow");
    expect(deny({ tool: "route" }).evaluate(tool("route")).effect).toBe("deny");
    expect(deny({ tool: "units" }).evaluate(tool("units")).effect).toBe("deny");
  });

  it("any glob of a list matches", () => {
    const set = deny({ tool: ["*__delete_*", "github__merge_?r"] });
    expect(set.evaluate(tool("linear__delete_issue")).effect).toBe("deny");
    expect(set.evaluate(tool("github__merge_pr")).effect).toBe("deny");
    expect(set.evaluate(tool("github__merge_pull")).effect).toBe("allow");
  });

  it("a tool rule never matches a hop without a tool, even a glob of everything", () => {
    expect(deny({ tool: "*" }).evaluate(tool(undefined)).effect).toBe("allow");
    expect(deny({ tool: "*" }).evaluate(hop()).effect).toBe("allow");
    expect(deny({ tool: "*" }).evaluate(tool("")).effect).toBe("deny");
  });

  it("a rule without a tool glob matches tool calls as any call", () => {
    expect(deny({ specialist: "github" }).evaluate(tool("github__create_issue")).effect).toBe("deny");
  });

  it("combined with tenant and specialist, every condition must hold", () => {
    const set = rules([{ id: "acme-github-deletes", match: { tenant: "acme", specialist: "git*", tool: "*__delete_*" }, require: "approval" }]);
    expect(set.evaluate(tool("github__delete_repo"))).toMatchObject({ effect: "require_approval", rule: "acme-github-deletes", reason: "requires approval by policy 'acme-github-deletes'" });
    expect(set.evaluate(tool("github__delete_repo", { tenant: "other" })).effect).toBe("allow");
    expect(set.evaluate(tool("github__delete_repo", { specialist: "linear" })).effect).toBe("allow");
    expect(set.evaluate(tool("github__list_repos")).effect).toBe("allow");
  });

  it("takes a glob or a list of them, and nothing else", () => {
    expect(PolicyRule.safeParse({ match: { tool: "github__*" }, effect: "deny" }).success).toBe(true);
    expect(PolicyRule.safeParse({ match: { tool: ["a__*", "b__*"] }, effect: "deny" }).success).toBe(true);
    for (const bad of [5, "", []]) expect(PolicyRule.safeParse({ match: { tool: bad }, effect: "deny" }).success, JSON.stringify(bad)).toBe(false);
  });
});
